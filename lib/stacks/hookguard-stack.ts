/**
 * One deployable Hookguard stage: `Hookguard-<stage>`, the {@link Hookguard} construct built from the stage's
 * configuration, and the outputs the operator CLI reads.
 */
import { Annotations, CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config/types';
import type { CredentialRotation } from '../constructs/credential-rotation';
import type { DedupeTable } from '../constructs/dedupe-table';
import type { EventRoute } from '../constructs/event-route';
import { Hookguard } from '../constructs/hookguard';
import { placeholderFindings } from '../ops/placeholders';
import type { HookguardMonitoring } from '../constructs/monitoring';
import type { WebhookApi } from '../constructs/webhook-api';
import type { WebhookEventBus } from '../constructs/webhook-event-bus';
import type { WebhookFirewall } from '../constructs/webhook-firewall';
import type { WebhookFunction } from '../constructs/webhook-function';
import type { WebhookSecrets } from '../constructs/webhook-secrets';

export { VERIFIER_TIMEOUT } from '../constructs/hookguard';

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
  'CanaryQueueUrl',
  'EventBusDeadLetterQueueUrl',
  'PathTokenSecretArn',
  'ProviderApiKeysSecretArn',
  'IpRangesFunctionName',
] as const;

/** Props of {@link HookguardStack}. */
export interface HookguardStackProps extends StackProps {
  /** The stage's validated configuration (`loadConfig().stages[name]`). */
  readonly config: StageConfig;
}

/**
 * The standalone app's stack of one stage: a {@link Hookguard} construct plus the outputs the operator CLI reads.
 *
 * The construct's id is `Default`, which CDK leaves out of logical ids, so every resource keeps the logical id it
 * had when the stack built them itself: an existing `Hookguard-<stage>` deployment updates in place.
 *
 * @example
 * const config = loadConfig();
 * new HookguardStack(app, stackNameOf('dev'), { config: config.stages.dev });
 */
export class HookguardStack extends Stack {
  /** The stage's Hookguard. */
  public readonly hookguard: Hookguard;
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
    this.hookguard = Hookguard.fromStageConfig(this, 'Default', config);
    ({
      secrets: this.secrets,
      dedupe: this.dedupe,
      events: this.events,
      routes: this.routes,
      authorizerFunction: this.authorizerFunction,
      verifierFunction: this.verifierFunction,
      rotationFunction: this.rotationFunction,
      api: this.api,
      firewall: this.firewall,
      rotation: this.rotation,
      monitoring: this.monitoring,
    } = this.hookguard);

    const outputs: Record<(typeof STACK_OUTPUT_KEYS)[number], { value: string; description: string }> = {
      ApiUrl: {
        value: this.api.url,
        description: 'Base URL: providers post to <ApiUrl>webhooks/<provider> (webhooks/<token>/<provider> with a path token)',
      },
      RestApiId: { value: this.api.api.restApiId, description: 'REST API id' },
      StageName: { value: config.stage, description: 'API Gateway stage' },
      CredentialsSecretArn: { value: this.secrets.credentials.secretArn, description: 'Basic credential secret' },
      SigningKeysSecretArn: { value: this.secrets.signingKeys.secretArn, description: 'Provider signing keys secret' },
      EventBusName: { value: this.events.bus.eventBusName, description: 'Bus of the normalised events' },
      EventBusArn: { value: this.events.bus.eventBusArn, description: 'Bus ARN' },
      DedupeTableName: { value: this.dedupe.table.tableName, description: 'Dedupe ledger table' },
      ArchiveName: { value: this.events.archive.archiveName, description: 'Archive of every event, for replay' },
      CanaryQueueUrl: {
        value: this.events.canaryQueue?.queueUrl ?? 'none',
        description: 'Queue hookguard smoke reads canary events from',
      },
      PathTokenSecretArn: {
        value: this.secrets.pathToken?.secretArn ?? 'none',
        description: 'Path token secret (webhooks at <ApiUrl>webhooks/<token>/<provider>), or none (docs/path-token.md)',
      },
      EventBusDeadLetterQueueUrl: {
        value: this.events.deadLetterQueue.queueUrl,
        description: "The bus's dead-letter queue (events it could not deliver; redrive: docs/first-deploy.md)",
      },
      ProviderApiKeysSecretArn: {
        value: this.secrets.providerApiKeys?.secretArn ?? 'none',
        description: 'Provider API keys of managed providers (docs/provider-sync.md); none when no provider is managed',
      },
      IpRangesFunctionName: {
        value: this.hookguard.ipRangeRefresher?.function.function.functionName ?? 'none',
        description: 'Refresher of the published IP ranges (hookguard ranges --deployed invokes it); none without "published"',
      },
    };
    for (const key of STACK_OUTPUT_KEYS) new CfnOutput(this, key, outputs[key]);
    for (const [key, output] of Object.entries(this.monitoring.outputs())) new CfnOutput(this, key, output);
    for (const finding of placeholderFindings(props.config)) {
      Annotations.of(this).addWarningV2(
        `hookguard:placeholder:${finding.path.replace(/\[(\d+)\]/g, '.$1')}`,
        `Placeholder ${finding.path} = ${finding.value}: ${finding.problem}`,
      );
    }
  }
}
