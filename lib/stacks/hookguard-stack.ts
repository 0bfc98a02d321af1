/**
 * One deployable Hookguard stage: `Hookguard-<stage>`. It only wires the constructs of `lib/constructs` together
 * from the stage's configuration and publishes the outputs the operator CLI reads.
 */
import * as path from 'node:path';
import { CfnOutput, Duration, Stack, type StackProps, Tags } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { ProviderId } from '../../lambda/core/provider-ids';
import { toRuntimeSettings } from '../config/runtime';
import type { ProviderConfig, StageConfig } from '../config/types';
import { CredentialRotation } from '../constructs/credential-rotation';
import { DedupeTable } from '../constructs/dedupe-table';
import { EventRoute } from '../constructs/event-route';
import { HookguardMonitoring, monitoringPropsOf } from '../constructs/monitoring-wiring';
import { WebhookApi } from '../constructs/webhook-api';
import { WebhookEventBus } from '../constructs/webhook-event-bus';
import { WebhookFirewall } from '../constructs/webhook-firewall';
import { WebhookFunction } from '../constructs/webhook-function';
import { WebhookSecrets } from '../constructs/webhook-secrets';

/** The stack name of a stage. */
export function stackNameOf(stage: string): string {
  return `Hookguard-${stage}`;
}

/** The output keys of every Hookguard stack (the operator CLI reads exactly these). */
export const STACK_OUTPUT_KEYS = [
  'ApiUrl',
  'RestApiId',
  'StageName',
  'CredentialsSecretArn',
  'SigningKeysSecretArn',
  'EventBusName',
  'EventBusArn',
  'DedupeTableName',
  'ArchiveName',
] as const;

/** API Gateway gives up on an integration after 29 s; the verifier must answer (even with an error) before that. */
export const VERIFIER_TIMEOUT = Duration.seconds(25);

/** Props of {@link HookguardStack}. */
export interface HookguardStackProps extends StackProps {
  /** The stage's validated configuration (`loadConfig().stages[name]`). */
  readonly config: StageConfig;
}

/**
 * Everything one stage runs on: WAF, API, authorizer, verifier, rotation, secrets, dedupe table, bus, archive, routes.
 *
 * @example
 * const config = loadConfig();
 * new HookguardStack(app, stackNameOf('dev'), { config: config.stages.dev });
 */
export class HookguardStack extends Stack {
  /** The secrets and their key. */
  public readonly secrets: WebhookSecrets;
  /** The dedupe ledger. */
  public readonly dedupe: DedupeTable;
  /** Bus and archive. */
  public readonly events: WebhookEventBus;
  /** The configured routes, by name. */
  public readonly routes: ReadonlyMap<string, EventRoute>;
  /** The three functions. */
  public readonly authorizerFunction: WebhookFunction;
  public readonly verifierFunction: WebhookFunction;
  public readonly rotationFunction: WebhookFunction;
  /** API, stage, authorizer, gateway responses. */
  public readonly api: WebhookApi;
  /** The web ACL on the stage. */
  public readonly firewall: WebhookFirewall;
  /** The credential's rotation schedule. */
  public readonly rotation: CredentialRotation;
  /** Alarm topic, alarms, dashboard and credential watch. */
  public readonly monitoring: HookguardMonitoring;

  constructor(scope: Construct, id: string, props: HookguardStackProps) {
    const { config } = props;
    super(scope, id, {
      description: `Hookguard ${config.stage}: email-provider webhooks verified, deduplicated and published to EventBridge`,
      ...props,
      env: props.env ?? config.env,
    });
    Tags.of(this).add('app', 'hookguard');
    Tags.of(this).add('stage', config.stage);

    const entry = (name: string) => path.join(__dirname, '..', '..', 'lambda', name, 'handler.ts');
    const name = `hookguard-${config.stage}`;
    const providers = Object.entries(config.providers) as Array<[ProviderId, ProviderConfig]>;
    const gracePeriodSeconds = String(config.auth.gracePeriodHours * 3600);

    this.secrets = new WebhookSecrets(this, 'Secrets', { stage: config.stage, username: config.auth.username });
    this.dedupe = new DedupeTable(this, 'Dedupe');
    this.events = new WebhookEventBus(this, 'Events', {
      eventBusName: name,
      archiveName: name,
      archiveRetentionDays: config.events.archiveRetentionDays,
      encryptionKey: this.secrets.encryptionKey,
    });
    this.routes = new Map(
      config.events.routes.map((route) => [
        route.name,
        new EventRoute(this, `Route-${route.name}`, {
          eventBus: this.events.bus,
          route,
          namePrefix: name,
          logRetentionDays: config.logRetentionDays,
        }),
      ]),
    );

    const apiGatewayCaller =
      'Only API Gateway invokes it, synchronously: every failure goes back to the provider, which retries; a DLQ applies to asynchronous invocations only.';
    this.authorizerFunction = new WebhookFunction(this, 'Authorizer', {
      entry: entry('authorizer'),
      stageName: config.stage,
      description: `Hookguard ${config.stage}: Basic credential check (API Gateway REQUEST authorizer)`,
      logRetentionDays: config.logRetentionDays,
      noDeadLetterQueueReason: apiGatewayCaller,
      timeout: Duration.seconds(10),
      environment: {
        CREDENTIALS_SECRET_ARN: this.secrets.credentials.secretArn,
        GRACE_PERIOD_SECONDS: gracePeriodSeconds,
        SECRET_CACHE_TTL_SECONDS: String(config.auth.secretCacheTtlSeconds),
        REFRESH_MIN_INTERVAL_SECONDS: String(config.auth.refreshMinIntervalSeconds),
      },
    });
    this.secrets.grantReadCredentials(this.authorizerFunction.function);

    this.verifierFunction = new WebhookFunction(this, 'Verifier', {
      entry: entry('verifier'),
      stageName: config.stage,
      description: `Hookguard ${config.stage}: signature check, dedupe, normalisation, publishing`,
      logRetentionDays: config.logRetentionDays,
      noDeadLetterQueueReason: apiGatewayCaller,
      timeout: VERIFIER_TIMEOUT,
      memorySize: 256,
      environment: {
        HOOKGUARD_SETTINGS: JSON.stringify(toRuntimeSettings(config)),
        DEDUPE_TABLE_NAME: this.dedupe.table.tableName,
        EVENT_BUS_NAME: this.events.bus.eventBusName,
        SIGNING_KEYS_SECRET_ARN: this.secrets.signingKeys.secretArn,
        CREDENTIALS_SECRET_ARN: this.secrets.credentials.secretArn,
        GRACE_PERIOD_SECONDS: gracePeriodSeconds,
        SECRET_CACHE_TTL_SECONDS: String(config.auth.secretCacheTtlSeconds),
        REFRESH_MIN_INTERVAL_SECONDS: String(config.auth.refreshMinIntervalSeconds),
      },
    });
    this.dedupe.grantLedgerAccess(this.verifierFunction.function);
    this.events.grantPublish(this.verifierFunction.function);
    this.secrets.grantReadCredentials(this.verifierFunction.function);
    this.secrets.grantReadSigningKeys(this.verifierFunction.function);

    this.api = new WebhookApi(this, 'Api', {
      stageName: config.stage,
      providers: providers.map(([provider, settings]) => ({
        id: provider,
        auth: settings.auth,
        throttling: settings.throttling,
      })),
      verifier: this.verifierFunction.function,
      authorizer: this.authorizerFunction.function,
      authorizerCacheTtlSeconds: config.auth.authorizerCacheTtlSeconds,
      throttling: config.throttling,
      logRetentionDays: config.logRetentionDays,
      customDomain: config.customDomain,
      detailedMetrics: config.monitoring.detailedMetrics,
      traceSampling: config.monitoring.tracing,
    });

    this.firewall = new WebhookFirewall(this, 'Firewall', {
      name,
      resourceArn: this.api.stage.stageArn,
      providers: providers.map(([provider, settings]) => ({
        id: provider,
        allowedCidrs: settings.allowedCidrs,
        rateLimit: settings.rateLimit,
        maxBodyBytes: settings.maxBodyBytes,
      })),
      rateLimit: config.waf.rateLimit,
      rateLimitWindowSeconds: config.waf.rateLimitWindowSeconds,
      logRetentionDays: config.waf.logRetentionDays,
    });

    this.rotationFunction = new WebhookFunction(this, 'Rotation', {
      entry: entry('rotation'),
      stageName: config.stage,
      description: `Hookguard ${config.stage}: Basic credential rotation`,
      logRetentionDays: config.logRetentionDays,
      noDeadLetterQueueReason:
        'Only Secrets Manager invokes it, one rotation step at a time; a failed step leaves the pending version for the next attempt and marks the rotation failed, so a DLQ would hold nothing actionable.',
      timeout: Duration.seconds(60),
      environment: { REST_API_ID: this.api.api.restApiId, STAGE_NAME: config.stage },
    });
    this.rotation = new CredentialRotation(this, 'CredentialRotation', {
      secrets: this.secrets,
      rotationFunction: this.rotationFunction,
      restApi: this.api.api,
      stageName: config.stage,
      rotationDays: config.auth.rotationDays,
    });

    this.monitoring = new HookguardMonitoring(this, 'Monitoring', monitoringPropsOf(this, config));

    const outputs: Record<(typeof STACK_OUTPUT_KEYS)[number], { value: string; description: string }> = {
      ApiUrl: { value: this.api.url, description: 'Base URL: providers post to <ApiUrl>webhooks/<provider>' },
      RestApiId: { value: this.api.api.restApiId, description: 'REST API id' },
      StageName: { value: config.stage, description: 'API Gateway stage' },
      CredentialsSecretArn: { value: this.secrets.credentials.secretArn, description: 'Basic credential secret' },
      SigningKeysSecretArn: { value: this.secrets.signingKeys.secretArn, description: 'Provider signing keys secret' },
      EventBusName: { value: this.events.bus.eventBusName, description: 'Bus of the normalised events' },
      EventBusArn: { value: this.events.bus.eventBusArn, description: 'Bus ARN' },
      DedupeTableName: { value: this.dedupe.table.tableName, description: 'Dedupe ledger table' },
      ArchiveName: { value: this.events.archive.archiveName, description: 'Archive of every event, for replay' },
    };
    for (const key of STACK_OUTPUT_KEYS) new CfnOutput(this, key, outputs[key]);
    for (const [key, output] of Object.entries(this.monitoring.outputs())) new CfnOutput(this, key, output);
  }
}
