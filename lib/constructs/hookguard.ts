/**
 * Hookguard as one construct: everything a stage runs on (WAF, API, authorizer, verifier, rotation, secrets, dedupe
 * ledger, bus, archive, routes), for use inside any CDK stack. The standalone app's `Hookguard-<stage>` stacks are
 * thin users of it. Props are one stage's configuration, with the keys of a stage in `hookguard.config.json`,
 * validated by the configuration's own code.
 */
import { securityPolicyFor } from './tls-policy';
import * as path from 'node:path';
import { Annotations, Duration, Stack, Tags } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { EVENT_SOURCE } from '../../lambda/core/event';
import { managedSnsTopics } from '../../lambda/core/managed-accounts';
import type { ProviderId } from '../../lambda/core/provider-ids';
import { pathTokenGeneration } from '../../lambda/core/webhook-path';
import { ConfigError, parseConfig } from '../config/load';
import { toRuntimeSettings } from '../config/runtime';
import type { ProviderConfig, StageConfig } from '../config/types';
import { CredentialRotation } from './credential-rotation';
import { DedupeTable } from './dedupe-table';
import { EventRoute } from './event-route';
import type { HookguardSettings } from './hookguard-settings';
import { HookguardMonitoring, monitoringPropsOf } from './monitoring-wiring';
import { InvalidPropsError, show } from './props-validation';
import { chooseCanaryProvider, ScheduledCanary } from './scheduled-canary';
import { WebhookApi } from './webhook-api';
import { WebhookEventBus } from './webhook-event-bus';
import { WebhookFirewall } from './webhook-firewall';
import { IpRangeRefresher, publishedFirewallCidrs, publishedProviders } from './ip-range-refresher';
import { WebhookFunction } from './webhook-function';
import { WebhookSecrets } from './webhook-secrets';

/** API Gateway gives up on an integration after 29 s; the verifier must answer (even with an error) before that. */
export const VERIFIER_TIMEOUT = Duration.seconds(25);

/** Props that stand for an already validated and completed stage ({@link Hookguard.fromStageConfig}). */
const RESOLVED_PROPS = new WeakMap<HookguardProps, StageConfig>();

/** Route names: letters, digits, `-` and `_` (they name the rule's construct and the `logs` target's group). */
const ROUTE_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** Props of {@link Hookguard}: one stage's configuration plus its name. */
export interface HookguardProps extends HookguardSettings {
  /**
   * The stage name (letters, digits or `-`, starting with a letter, up to 31): the API Gateway stage, and the part of
   * every fixed resource name (`hookguard-<stage>` bus, archive and web ACL, `hookguard/<stage>/...` secrets,
   * `alias/hookguard-<stage>` key) that keeps two Hookguard constructs apart. Unique per account and region.
   */
  readonly stage: string;
}

/**
 * One Hookguard stage inside your own stack.
 *
 * @example
 * import { Hookguard } from 'hookguard';
 *
 * const hooks = new Hookguard(this, 'Webhooks', {
 *   stage: 'prod',
 *   providers: { sendgrid: {}, postmark: { allowedCidrs: ['3.134.147.250/32'] } },
 * });
 * hooks.addRoute('bounces', { 'detail-type': ['email.bounced'] }, new targets.SqsQueue(queue));
 */
export class Hookguard extends Construct {
  /** The stage's configuration after defaults and validation. */
  public readonly config: StageConfig;
  /** The stage name. */
  public readonly stageName: string;

  /** The KMS key and both secrets (Basic credential, provider signing keys). */
  public readonly secrets: WebhookSecrets;
  /** The dedupe ledger. */
  public readonly dedupe: DedupeTable;
  /** Bus and archive. */
  public readonly events: WebhookEventBus;
  /** The configured routes (from `events.routes`), by name. */
  public readonly routes: ReadonlyMap<string, EventRoute>;
  /** The Basic-credential authorizer function. */
  public readonly authorizerFunction: WebhookFunction;
  /** The verifier function (signature, dedupe, normalisation, publishing). */
  public readonly verifierFunction: WebhookFunction;
  /** The credential rotation function. */
  public readonly rotationFunction: WebhookFunction;
  /** API, stage, authorizer, gateway responses, logs. */
  public readonly api: WebhookApi;
  /** The web ACL on the stage, its IP sets and logging. */
  public readonly firewall: WebhookFirewall;
  /** The credential's rotation schedule. */
  public readonly rotation: CredentialRotation;
  /** Alarm topic, alarms, composite health alarm, dashboard and credential watch. */
  public readonly monitoring: HookguardMonitoring;
  /** The scheduled end-to-end canary (absent when `monitoring.canary` is off or no provider can carry it). */
  public readonly canary?: ScheduledCanary;
  /** The refresher of the published IP ranges; only when a provider's `allowedCidrs` hold `"published"`. */
  public readonly ipRangeRefresher?: IpRangeRefresher;

  /** The bus every normalised event is published to (`hookguard-<stage>`). */
  public readonly eventBus: events.EventBus;
  /** The archive of every Hookguard event on the bus, for replay. */
  public readonly archive: events.Archive;
  /** The REST API. */
  public readonly restApi: apigw.RestApi;
  /** The API's stage (named after the Hookguard stage). */
  public readonly apiStage: apigw.Stage;
  /** Base URL webhooks are posted under (`<url>webhooks/<provider>`): the custom domain's, or the execute-api URL. */
  public readonly url: string;
  /** The dedupe ledger table. */
  public readonly dedupeTable: dynamodb.Table;
  /** The Basic credential secret (`hookguard/<stage>/basic-credentials`), rotated automatically. */
  public readonly credentialsSecret: secretsmanager.Secret;
  /** The provider signing keys secret (`hookguard/<stage>/signing-keys`), filled in by operators. */
  public readonly signingKeysSecret: secretsmanager.Secret;
  /**
   * The path token secret (`hookguard/<stage>/path-token`, `{"token": "..."}`: read it with `parsePathTokenSecret`)
   * when the stage has `pathToken` on; webhooks are then at `<url>webhooks/<token>/<provider>` (`webhookPath`).
   */
  public readonly pathTokenSecret?: secretsmanager.Secret;
  /** The customer-managed key of both secrets, the bus and the archive. */
  public readonly encryptionKey: kms.Key;
  /** The web ACL associated with the API stage. */
  public readonly webAcl: wafv2.CfnWebACL;
  /** The stage's alarm topic (`hookguard-<stage>-alarms`, KMS-encrypted): every alarm notifies it. */
  public readonly alarmTopic: sns.Topic;

  private readonly codeRoutes = new Map<string, events.Rule>();

  constructor(scope: Construct, id: string, props: HookguardProps) {
    super(scope, id);
    const resolved = RESOLVED_PROPS.get(props);
    const twin = stageTakenProblem(this, props.stage);
    if (resolved && twin) throw new InvalidPropsError(`Hookguard ${this.node.path}`, [twin]);
    const config = resolved ?? resolveProps(this, props, twin);
    this.config = config;
    this.stageName = config.stage;
    Tags.of(this).add('app', 'hookguard');
    Tags.of(this).add('stage', config.stage);

    const entry = (name: string) => path.join(__dirname, '..', '..', 'lambda', name, 'handler.ts');
    const name = `hookguard-${config.stage}`;
    const providers = Object.entries(config.providers) as Array<[ProviderId, ProviderConfig]>;
    const gracePeriodSeconds = String(config.auth.gracePeriodHours * 3600);

    // Path token (docs/path-token.md): its secret here, its route segment in the API below.
    const tokenGeneration = pathTokenGeneration(config.pathToken);
    // Provider sync (docs/provider-sync.md): the providers whose webhooks the rotation updates through their APIs.
    const managed = providers.filter(([, settings]) => settings.managed !== undefined);
    const ses = config.providers['amazon-ses'];
    const sesTopics = ses?.managed ? managedSnsTopics(ses.managed) : [];

    this.secrets = new WebhookSecrets(this, 'Secrets', {
      stage: config.stage,
      username: config.auth.username,
      ...(tokenGeneration === null ? {} : { pathTokenGeneration: tokenGeneration }),
      ...(managed.length > 0 ? { providerApiKeys: true } : {}),
    });
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
      ...(this.secrets.pathTokenReference === undefined ? {} : { pathToken: this.secrets.pathTokenReference }),
      verifier: this.verifierFunction.function,
      authorizer: this.authorizerFunction.function,
      authorizerCacheTtlSeconds: config.auth.authorizerCacheTtlSeconds,
      throttling: config.throttling,
      logRetentionDays: config.logRetentionDays,
      customDomain: config.customDomain,
      securityPolicy: securityPolicyFor(Object.keys(config.providers) as ProviderId[], config.tlsPolicy),
      detailedMetrics: config.monitoring.detailedMetrics,
      traceSampling: config.monitoring.tracing,
    });

    this.firewall = new WebhookFirewall(this, 'Firewall', {
      name,
      resourceArn: this.api.stage.stageArn,
      providers: providers.map(([provider, settings]) => ({
        id: provider,
        // "published" becomes the embedded known list: a new stage starts protected (docs/ip-ranges.md).
        ...publishedFirewallCidrs(provider, settings.allowedCidrs),
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
      // With managed providers a step calls every provider's API (in parallel, each call retried on 429/5xx and
      // bounded by a 10 s timeout) and may wait for an SNS subscription to be confirmed.
      timeout: managed.length > 0 ? Duration.minutes(5) : Duration.seconds(60),
      environment: {
        REST_API_ID: this.api.api.restApiId,
        STAGE_NAME: config.stage,
        ...(managed.length > 0 && this.secrets.providerApiKeys
          ? {
              // No secret here: the accounts' selectors only; the API keys stay in their secret.
              MANAGED_PROVIDERS: JSON.stringify(Object.fromEntries(managed.map(([id, settings]) => [id, settings.managed]))),
              PROVIDER_API_KEYS_SECRET_ARN: this.secrets.providerApiKeys.secretArn,
              HOOKGUARD_PUBLIC_URL: this.api.url,
              // The synced URLs must carry the path token the gateway serves (docs/path-token.md).
              ...(this.secrets.pathToken ? { PATH_TOKEN_SECRET_ARN: this.secrets.pathToken.secretArn } : {}),
            }
          : {}),
      },
    });
    if (managed.length > 0 && this.secrets.pathToken) this.secrets.grantReadPathToken(this.rotationFunction.function);
    this.rotation = new CredentialRotation(this, 'CredentialRotation', {
      secrets: this.secrets,
      rotationFunction: this.rotationFunction,
      restApi: this.api.api,
      stageName: config.stage,
      rotationDays: config.auth.rotationDays,
      ...(managed.length > 0 ? { managedProviders: { snsTopicArns: sesTopics } } : {}),
    });

    this.monitoring = new HookguardMonitoring(this, 'Monitoring', monitoringPropsOf(this, config));

    // The scheduled end-to-end canary (issue 14 §4): through the public URL, as one of the enabled providers.
    if (config.alerting.canary.enabled) {
      const choice = chooseCanaryProvider(config.providers, config.alerting.canary.provider);
      const providerSettings = 'provider' in choice ? toRuntimeSettings(config).providers[choice.provider] : undefined;
      if ('provider' in choice && providerSettings !== undefined) {
        this.canary = new ScheduledCanary(this, 'Canary', {
          stage: config.stage,
          bus: this.events.bus,
          deadLetterQueue: this.events.deadLetterQueue,
          baseUrl: this.api.url,
          provider: choice.provider,
          providerSettings,
          secrets: this.secrets,
          intervalMinutes: config.alerting.canary.intervalMinutes,
          logRetentionDays: config.logRetentionDays,
        });
        this.monitoring.addCanaryAlarm({ intervalMinutes: config.alerting.canary.intervalMinutes });
      } else if (config.alerting.canary.provider !== undefined) {
        throw new InvalidPropsError(`Hookguard ${this.node.path}`, ['problem' in choice ? choice.problem : 'no canary provider']);
      } else {
        Annotations.of(this).addWarningV2(
          'hookguard:canary:no-provider',
          `monitoring.canary is on, but this stage has no scheduled canary: ${'problem' in choice ? choice.problem : ''}`,
        );
      }
    }

    // "published" allow-lists: the scheduled refresher, its alarms (docs/ip-ranges.md).
    const published = publishedProviders(config.providers);
    if (published.length > 0) {
      this.ipRangeRefresher = new IpRangeRefresher(this, 'IpRanges', {
        stage: config.stage,
        firewall: this.firewall,
        providers: published,
        settings: config.ipRanges,
        logRetentionDays: config.logRetentionDays,
      });
      this.monitoring.addIpRangesAlarms(published.map((entry) => entry.provider), this.ipRangeRefresher.function.function);
    }

    this.eventBus = this.events.bus;
    this.archive = this.events.archive;
    this.restApi = this.api.api;
    this.apiStage = this.api.stage;
    this.url = this.api.url;
    this.dedupeTable = this.dedupe.table;
    this.credentialsSecret = this.secrets.credentials;
    this.signingKeysSecret = this.secrets.signingKeys;
    this.pathTokenSecret = this.secrets.pathToken;
    this.encryptionKey = this.secrets.encryptionKey;
    this.webAcl = this.firewall.webAcl;
    this.alarmTopic = this.monitoring.topic;
  }

  /**
   * A Hookguard from a stage that `loadConfig` or `parseConfig` has already validated and completed (the standalone
   * app's stacks are built this way from `hookguard.config.json`).
   *
   * @example
   * const config = loadConfig('hookguard.config.json');
   * Hookguard.fromStageConfig(stack, 'Webhooks', stageOf(config, 'prod'));
   */
  static fromStageConfig(scope: Construct, id: string, config: StageConfig): Hookguard {
    const props: HookguardProps = { stage: config.stage, providers: config.providers };
    RESOLVED_PROPS.set(props, config);
    return new Hookguard(scope, id, props);
  }

  /**
   * A route defined in code: an EventBridge rule on the Hookguard bus with `source: ["hookguard"]` added to
   * `pattern`, delivering to `target`. Give the target a dead-letter queue and a retry policy (e.g.
   * `new targets.SqsQueue(queue, { deadLetterQueue, retryAttempts: 8 })`): cdk-nag's Serverless pack asks for one.
   *
   * @param name letters, digits, `-` or `_`; unique among this construct's routes (configured ones included).
   * @param pattern an EventBridge event pattern, e.g. `{ 'detail-type': ['email.bounced'] }`; without `source`.
   * @param target where matching events go.
   * @returns the rule, to add more targets to.
   * @throws InvalidPropsError naming every problem with the arguments.
   */
  addRoute(name: string, pattern: events.EventPattern, target: events.IRuleTarget): events.Rule {
    const problems: string[] = [];
    if (!ROUTE_NAME.test(name)) problems.push(`name must be letters, digits, - or _ (1 to 64), got ${show(name)}`);
    else if (this.routes.has(name) || this.codeRoutes.has(name)) {
      problems.push(`name ${show(name)} is already a route of this Hookguard`);
    }
    if (typeof pattern !== 'object' || pattern === null || Object.keys(pattern).length === 0) {
      problems.push(`pattern must be a non-empty event pattern, got ${show(pattern)}`);
    } else if (pattern.source !== undefined) {
      problems.push(`pattern.source is set by Hookguard ("${EVENT_SOURCE}"), got ${show(pattern.source)}`);
    }
    if (problems.length > 0) throw new InvalidPropsError(`Hookguard.addRoute`, problems);
    const rule = new events.Rule(this, `CodeRoute-${name}`, {
      eventBus: this.eventBus,
      description: `Hookguard route ${name}`,
      eventPattern: { ...pattern, source: [EVENT_SOURCE] },
      targets: [target],
    });
    this.codeRoutes.set(name, rule);
    return rule;
  }

  /**
   * Lets a principal put events on the Hookguard bus (and nothing else), including the use of the bus's key through
   * EventBridge: for tests that inject events, or producers of your own that follow the event contract.
   */
  grantPutEvents(grantee: iam.IGrantable): void {
    this.events.grantPublish(grantee);
  }

  /**
   * Lets a principal read the Basic credential (every staged version), e.g. a job that registers the webhook URLs
   * with the providers. Decryption is allowed only through Secrets Manager.
   */
  grantReadCredentials(grantee: iam.IGrantable): void {
    this.secrets.grantReadCredentials(grantee);
  }

  /**
   * Lets a principal read the path token (anything that builds webhook URLs: the canary, the provider sync). Does
   * nothing when the stage has no path token.
   */
  grantReadPathToken(grantee: iam.IGrantable): void {
    this.secrets.grantReadPathToken(grantee);
  }

  /** Lets a principal read the provider signing keys. Decryption is allowed only through Secrets Manager. */
  grantReadSigningKeys(grantee: iam.IGrantable): void {
    this.secrets.grantReadSigningKeys(grantee);
  }

  /**
   * Lets a principal write the provider signing keys (`PutSecretValue` after reading the current value, so that it
   * can merge one provider's keys without clobbering the others'), e.g. an automation that provisions webhooks.
   */
  grantWriteSigningKeys(grantee: iam.IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue'],
        resources: [this.signingKeysSecret.secretArn],
      }),
    );
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
        resources: [this.encryptionKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(this).region}.amazonaws.com` } },
      }),
    );
  }
}

/**
 * Validates the props with the configuration's own code (`parseConfig`, as if they were `stages.<stage>` of
 * `hookguard.config.json`) plus what only a construct can get wrong, and throws once naming every problem.
 */
function resolveProps(scope: Hookguard, props: HookguardProps, twin: string | undefined): StageConfig {
  const problems: string[] = twin ? [twin] : [];
  const { stage, ...settings } = props as HookguardProps & { readonly env?: unknown };
  if (typeof stage !== 'string') {
    throw new InvalidPropsError('Hookguard', [`stage must be a stage name, got ${show(stage)}`]);
  }
  if (settings.env !== undefined) {
    problems.push('env is not a Hookguard prop: the construct deploys to the account and region of its stack');
  }
  const { env: _env, ...stageSettings } = settings;
  const parse = (name: string): StageConfig | undefined => {
    try {
      return parseConfig({ stages: { [name]: stageSettings } }, 'Hookguard props').stages[name];
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      const prefix = `stages.${name}`;
      for (const problem of error.problems) {
        if (name !== stage && problem.path === prefix) continue;
        const where = problem.path === prefix ? 'stage' : problem.path.replace(`${prefix}.`, '');
        problems.push(`${where}: ${problem.message}`);
      }
      return undefined;
    }
  };
  let config = parse(stage);
  // A bad stage name stops the parser before the settings: read them under a valid name to report their problems too.
  if (problems.some((problem) => problem.startsWith('stage: '))) config = parse('placeholder');
  if (problems.length > 0 || config === undefined) {
    throw new InvalidPropsError(`Hookguard ${scope.node.path}`, problems);
  }
  return config;
}

/** Each Hookguard of a stack needs its own stage: the stage names the bus, secrets, key alias and web ACL. */
function stageTakenProblem(scope: Hookguard, stage: string): string | undefined {
  const twin = Stack.of(scope)
    .node.findAll()
    .find((other) => other !== scope && other instanceof Hookguard && other.stageName === stage);
  return twin === undefined
    ? undefined
    : `stage ${show(stage)} is already used by ${twin.node.path}: each Hookguard needs a stage of its own (it names the bus, secrets, key alias and web ACL)`;
}
