/**
 * A stage's monitoring: the alarm topic (KMS-encrypted, optional e-mail subscriptions and an existing topic), every
 * default alarm of `lib/config/alerting.ts` on the metric contract of the Lambdas (namespace `Hookguard`, dimension
 * `Stage`) and on the AWS services' own metrics, one composite alarm for the stage's health, the dashboard, and the
 * hourly watch function that turns the credential's rotation state into metrics.
 *
 * Alarm state changes also reach the account's default EventBridge bus as `CloudWatch Alarm State Change` events
 * (source `aws.cloudwatch`), which CloudWatch publishes for every alarm on its own: no resource is needed for that
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-and-eventbridge.html).
 */
import * as path from 'node:path';
import { Aws, Duration, Fn, Lazy, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { WATCH_METRICS } from '../../lambda/core/credential-watch';
import type { ProviderId } from '../../lambda/core/provider-ids';
import { ALARM_IDS, type AlarmId, type AlertingConfig, DEFAULT_ALARMS, MAX_SILENCE_ALARM_HOURS } from '../config/alerting';
import { PropsProblems, show, VALID_LOG_RETENTION_DAYS } from './props-validation';
import { WebhookFunction } from './webhook-function';

/** The namespace of Hookguard's own metrics (the metric contract). */
export const METRIC_NAMESPACE = 'Hookguard';

/** Outcomes of `Requests` that say a request's signature or timestamp did not hold. */
export const FORGERY_OUTCOMES = ['invalid_signature', 'stale_timestamp', 'future_timestamp'] as const;

/** The stack outputs of {@link HookguardMonitoring.outputs} (read by `hookguard status`). */
export const MONITORING_OUTPUT_KEYS = ['AlarmTopicArn', 'DashboardName', 'AlarmNamePrefix', 'DeadLetterQueueUrls'] as const;

/** The runbook section (an anchor in docs/operations.md) of each alarm. */
export const RUNBOOK_ANCHORS: Readonly<Record<AlarmId | 'stageHealth', string>> = {
  stageHealth: 'alarm-stage-health',
  apiErrors: 'alarm-api-errors',
  authorizerErrors: 'alarm-authorizer-errors',
  verifierErrors: 'alarm-verifier-errors',
  verifierThrottles: 'alarm-verifier-throttles',
  verifierDuration: 'alarm-verifier-duration',
  deadLetters: 'alarm-dead-letters',
  forgery: 'alarm-forgery',
  bruteForce: 'alarm-brute-force',
  wafBlocks: 'alarm-waf-blocks',
  rotationFailed: 'alarm-rotation-failed',
  rotationOverdue: 'alarm-rotation-overdue',
  previousCredential: 'alarm-previous-credential',
  silentProvider: 'alarm-silent-provider',
  canary: 'alarm-canary',
  lambdaConcurrency: 'alarm-lambda-concurrency',
  putEventsRetried: 'alarm-put-events-retried',
  putEventsFailed: 'alarm-put-events-failed',
  eventBridgeThrottled: 'alarm-eventbridge-throttled',
  dynamoDbThrottled: 'alarm-dynamodb-throttled',
  ipRangesRefreshFailed: 'alarm-ip-ranges-refresh-failed',
};

/** A provider as monitoring sees it. */
export interface MonitoredProvider {
  readonly id: ProviderId;
  /** The provider's requests carry a signature Hookguard checks (auth `signature` or `both` on a signing provider). */
  readonly signed: boolean;
  /** Hours without an accepted request before the silent-provider alarm fires; absent: no such alarm. */
  readonly silenceAlarmHours?: number;
}

/** A dead-letter queue to watch. */
export interface MonitoredQueue {
  /** Short name for the alarm and the dashboard, e.g. `route-suppression`. */
  readonly name: string;
  readonly queue: sqs.IQueue;
}

/** Props of {@link HookguardMonitoring}. */
export interface HookguardMonitoringProps {
  /** The stage name: the `Stage` dimension of every Hookguard metric. */
  readonly stage: string;
  /** Prefix of alarm, topic and dashboard names, e.g. `hookguard-dev`. */
  readonly namePrefix: string;
  /** Topic, alarm and canary settings (`StageConfig.alerting`). */
  readonly alerting: AlertingConfig;
  readonly providers: readonly MonitoredProvider[];
  /** The REST API's name and stage (the `ApiName` and `Stage` dimensions of AWS/ApiGateway). */
  readonly restApiName: string;
  readonly apiStageName: string;
  readonly authorizer: lambda.IFunction;
  readonly verifier: lambda.IFunction;
  /** The verifier's timeout: the duration alarm fires at a share of it. */
  readonly verifierTimeout: Duration;
  readonly rotation: lambda.IFunction;
  /** The web ACL's name (the `WebACL` dimension of AWS/WAFV2). */
  readonly webAclName: string;
  readonly dedupeTable: dynamodb.ITable;
  /** The Basic credential secret the watch function describes (never reads its value). */
  readonly credentialsSecret: secretsmanager.ISecret;
  readonly rotationDays: number;
  readonly gracePeriodHours: number;
  /** Days the watch function's log group keeps logs. */
  readonly logRetentionDays: number;
  /**
   * Dead-letter queues to alarm on; more can be added with {@link HookguardMonitoring.addDeadLetterQueue}.
   * @default - none
   */
  readonly deadLetterQueues?: readonly MonitoredQueue[];
}

/** One alarm the construct created, for tests, the dashboard and the composite. */
export interface MonitoringAlarm {
  readonly id: AlarmId;
  /** The provider or queue the alarm is about, when there is one per provider or queue. */
  readonly subject?: string;
  readonly alarm: cloudwatch.Alarm;
}

/** The alarm name part of an alarm id: its runbook anchor without `alarm-` (`apiErrors` -> `api-errors`). */
const slug = (id: AlarmId) => RUNBOOK_ANCHORS[id].replace(/^alarm-/, '');

/** A widget whose content is built at synth time, so that alarms and queues added later still appear. */
class DeferredWidget implements cloudwatch.IWidget {
  readonly warnings = undefined;
  readonly warningsV2 = undefined;
  private x = 0;
  private y = 0;

  constructor(
    readonly width: number,
    readonly height: number,
    private readonly build: () => cloudwatch.IWidget,
  ) {}

  position(x: number, y: number): void {
    this.x = x;
    this.y = y;
  }

  toJson(): unknown[] {
    const widget = this.build();
    widget.position(this.x, this.y);
    return widget.toJson();
  }
}

/**
 * Alarm topic, default alarms, composite alarm, dashboard and credential watch of one stage.
 *
 * @example
 * const monitoring = new HookguardMonitoring(this, 'Monitoring', { stage: 'dev', namePrefix: 'hookguard-dev',
 *   alerting: config.alerting, providers, restApiName, apiStageName: 'dev', authorizer, verifier,
 *   verifierTimeout: Duration.seconds(25), rotation, webAclName: 'hookguard-dev', dedupeTable,
 *   credentialsSecret, rotationDays: 30, gracePeriodHours: 72, logRetentionDays: 30 });
 * monitoring.addDeadLetterQueue({ name: 'bus', queue: busDeadLetterQueue });
 */
export class HookguardMonitoring extends Construct {
  /** The stage's alarm topic. */
  public readonly topic: sns.Topic;
  /** The key the topic is encrypted with. */
  public readonly topicKey: kms.Key;
  /** The composite alarm: in ALARM when any alarm of the stage is. */
  public readonly health: cloudwatch.CompositeAlarm;
  public readonly dashboard: cloudwatch.Dashboard;
  /** The hourly credential watch. */
  public readonly watchFunction: WebhookFunction;
  /** Every alarm created so far. */
  public readonly alarms: MonitoringAlarm[] = [];

  private readonly props: HookguardMonitoringProps;
  private readonly actions: cloudwatch.IAlarmAction[];
  private readonly deadLetterQueues: MonitoredQueue[] = [];
  private canaryWatched = false;

  constructor(scope: Construct, id: string, props: HookguardMonitoringProps) {
    super(scope, id);
    validate(props);
    this.props = props;
    const { alerting, stage } = props;

    this.topicKey = new kms.Key(this, 'TopicKey', {
      description: `Hookguard ${stage}: alarm topic encryption`,
      enableKeyRotation: true,
      // Kept on deletion like every retained resource, but not when a failed first create rolls back (issue 13).
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });
    // CloudWatch publishes to encrypted topics only when the key lets it (the AWS managed SNS key does not).
    this.topicKey.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
    );
    this.topic = new sns.Topic(this, 'AlarmTopic', {
      topicName: `${props.namePrefix}-alarms`,
      displayName: `Hookguard ${stage} alarms`,
      masterKey: this.topicKey,
      enforceSSL: true,
    });
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
    );
    for (const email of alerting.alarmEmails) this.topic.addSubscription(new subscriptions.EmailSubscription(email));
    this.actions = [new cloudwatchActions.SnsAction(this.topic)];
    if (alerting.alarmTopicArn) {
      this.actions.push(
        new cloudwatchActions.SnsAction(sns.Topic.fromTopicArn(this, 'ExistingAlarmTopic', alerting.alarmTopicArn)),
      );
    }

    this.watchFunction = this.createWatch();
    this.createDefaultAlarms();
    for (const queue of props.deadLetterQueues ?? []) this.addDeadLetterQueue(queue);

    const alarms = this.alarms;
    this.health = new cloudwatch.CompositeAlarm(this, 'StageHealth', {
      compositeAlarmName: `${props.namePrefix}-health`,
      alarmDescription: this.description('stageHealth', `Hookguard ${stage} is unhealthy: at least one of its alarms is in ALARM.`),
      // Rendered at synth time, so queues added after construction are part of it.
      alarmRule: {
        renderAlarmRule: () =>
          Lazy.string({
            produce: () => cloudwatch.AlarmRule.anyOf(...alarms.map((entry) => entry.alarm)).renderAlarmRule(),
          }),
      },
    });
    for (const action of this.actions) this.health.addAlarmAction(action);

    this.dashboard = this.createDashboard();
  }

  /**
   * Alarms when `queue` holds a message (every route DLQ and the bus DLQ), and shows its depth on the dashboard.
   *
   * @returns the alarm, or undefined when `monitoring.alarms.deadLetters` is off (the queue is still on the dashboard).
   */
  addDeadLetterQueue(monitored: MonitoredQueue): cloudwatch.Alarm | undefined {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(monitored.name)) {
      throw new Error(`HookguardMonitoring: dead-letter queue name must be letters, digits, - or _, got ${show(monitored.name)}`);
    }
    if (this.deadLetterQueues.some((existing) => existing.name === monitored.name)) {
      throw new Error(`HookguardMonitoring: dead-letter queue ${show(monitored.name)} is already monitored`);
    }
    this.deadLetterQueues.push(monitored);
    return this.addAlarm(
      'deadLetters',
      monitored.queue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: this.period('deadLetters') }),
      `Dead-letter queue ${monitored.name} holds undelivered messages: events (or their deliveries) waiting for a redrive.`,
      { subject: monitored.name },
    );
  }

  /**
   * The stack outputs `hookguard status` reads: the alarm topic, the dashboard, the alarm name prefix, and every
   * monitored dead-letter queue as `name=url` pairs (rendered at synth time, so queues added later are listed).
   */
  outputs(): Record<(typeof MONITORING_OUTPUT_KEYS)[number], { value: string; description: string }> {
    const queues = this.deadLetterQueues;
    return {
      AlarmTopicArn: { value: this.topic.topicArn, description: 'SNS topic every alarm of the stage notifies' },
      DashboardName: { value: this.dashboard.dashboardName, description: 'CloudWatch dashboard of the stage' },
      AlarmNamePrefix: { value: `${this.props.namePrefix}-`, description: 'Prefix of every alarm name of the stage' },
      DeadLetterQueueUrls: {
        value: Lazy.string({
          produce: () =>
            queues.length === 0 ? 'none' : Fn.join(',', queues.map((entry) => `${entry.name}=${entry.queue.queueUrl}`)),
        }),
        description: 'Monitored dead-letter queues, name=url, comma-separated',
      },
    };
  }

  /**
   * The canary's alarm and dashboard widget: in ALARM when fewer than one canary (`CanaryDelivered`) is confirmed in
   * each of 2 periods (missing data counts: no canary is the failure it exists to catch). A period is 10 minutes, or
   * two runs when the canary runs less often than every 5 minutes, so that one run's timing never leaves a period
   * empty. Call it from the construct that deploys the scheduled canary function, and only then: without a canary
   * nothing publishes `CanaryDelivered` and the alarm would stay in ALARM.
   *
   * @param options.intervalMinutes minutes between two canary runs (default 5)
   * @returns the alarm, or undefined when `monitoring.alarms.canary` is off.
   */
  addCanaryAlarm(options: { readonly intervalMinutes?: number } = {}): cloudwatch.Alarm | undefined {
    if (this.canaryWatched) throw new Error('HookguardMonitoring: the canary alarm already exists');
    this.canaryWatched = true;
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Canary: delivered, and latency (p50, max)',
        left: [this.hookguardMetric('CanaryDelivered', {}, { label: 'delivered' })],
        right: [
          this.hookguardMetric('CanaryLatency', {}, { statistic: 'p50', label: 'latency p50' }),
          this.hookguardMetric('CanaryLatency', {}, { statistic: 'Maximum', label: 'latency max' }),
        ],
        width: 24,
        height: 6,
      }),
    );
    return this.addAlarm(
      'canary',
      this.hookguardMetric('CanaryDelivered', {}, {
        period: Duration.seconds(Math.max(this.period('canary').toSeconds(), 2 * 60 * (options.intervalMinutes ?? 5))),
      }),
      'The scheduled canary did not arrive: requests may not get through WAF, the authorizer, the verifier, the ledger or the bus.',
      { comparison: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD, missing: cloudwatch.TreatMissingData.BREACHING },
    );
  }

  /**
   * The published IP ranges' alarms (one per provider whose `allowedCidrs` hold `"published"`) and dashboard widget.
   * The refresher records `IpRangesRefreshFailed` [Stage, Provider] on every run: 1 when the provider's list could not
   * be fetched or was refused, 0 after a good run. Missing data is ignored, so an alarm stays in ALARM between runs
   * until a good run clears it. Call it from the construct that deploys the refresher, and only then.
   *
   * @returns the alarms (none when `monitoring.alarms.ipRangesRefreshFailed` is off).
   */
  addIpRangesAlarms(providers: readonly ProviderId[], refresher: lambda.IFunction): cloudwatch.Alarm[] {
    const metric = (provider: ProviderId, options: cloudwatch.MetricOptions = {}) =>
      this.hookguardMetric('IpRangesRefreshFailed', { Provider: provider }, { statistic: 'Maximum', ...options });
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Published IP ranges: refresh failed (1) per provider; refresher errors',
        left: providers.map((provider) => metric(provider, { label: provider })),
        right: [refresher.metricErrors({ statistic: 'Sum', label: 'refresher errors' })],
        width: 24,
        height: 6,
      }),
    );
    return providers.flatMap((provider) => {
      const alarm = this.addAlarm(
        'ipRangesRefreshFailed',
        metric(provider, { period: this.period('ipRangesRefreshFailed') }),
        `The last refresh of ${provider}'s published IP list failed or was refused: the last good list stays in force, and ${provider}'s requests from new addresses are blocked.`,
        { subject: provider, missing: cloudwatch.TreatMissingData.IGNORE },
      );
      return alarm ? [alarm] : [];
    });
  }

  /** The alarms of one id (one per provider or queue for some). */
  alarmsOf(id: AlarmId): MonitoringAlarm[] {
    return this.alarms.filter((entry) => entry.id === id);
  }

  /** A metric of the Hookguard namespace, with the stage dimension. */
  hookguardMetric(metricName: string, dimensions: Record<string, string> = {}, options: cloudwatch.MetricOptions = {}) {
    return new cloudwatch.Metric({
      namespace: METRIC_NAMESPACE,
      metricName,
      dimensionsMap: { Stage: this.props.stage, ...dimensions },
      statistic: 'Sum',
      ...options,
    });
  }

  private period(id: AlarmId): Duration {
    return Duration.seconds(DEFAULT_ALARMS[id].periodSeconds);
  }

  private description(id: AlarmId | 'stageHealth', meaning: string): string {
    const threshold =
      id === 'stageHealth' ? '' : ` Threshold: ${this.props.alerting.alarms[id].threshold} (${DEFAULT_ALARMS[id].unit}).`;
    return `${meaning}${threshold} Runbook: ${this.props.alerting.runbookUrl}#${RUNBOOK_ANCHORS[id]}`;
  }

  /**
   * Creates one alarm of `id` with its configured threshold and periods, unless that alarm is switched off.
   * `threshold` overrides the configured one where the configured value is in another unit (a share of a timeout).
   */
  private addAlarm(
    id: AlarmId,
    metric: cloudwatch.IMetric,
    meaning: string,
    options: {
      readonly subject?: string;
      readonly threshold?: number;
      readonly comparison?: cloudwatch.ComparisonOperator;
      readonly missing?: cloudwatch.TreatMissingData;
      readonly evaluationPeriods?: number;
      readonly datapointsToAlarm?: number;
    } = {},
  ): cloudwatch.Alarm | undefined {
    const setting = this.props.alerting.alarms[id];
    if (!setting.enabled) return undefined;
    const suffix = options.subject ? `-${options.subject}` : '';
    const alarm = new cloudwatch.Alarm(this, `Alarm-${id}${suffix}`, {
      alarmName: `${this.props.namePrefix}-${slug(id)}${suffix}`,
      alarmDescription: this.description(id, meaning),
      metric,
      threshold: options.threshold ?? setting.threshold,
      evaluationPeriods: options.evaluationPeriods ?? setting.evaluationPeriods,
      datapointsToAlarm: options.datapointsToAlarm ?? setting.datapointsToAlarm,
      comparisonOperator: options.comparison ?? cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      // Most metrics are only published when something happens: no data means nothing happened.
      treatMissingData: options.missing ?? cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    for (const action of this.actions) {
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
    }
    this.alarms.push({ id, alarm, ...(options.subject ? { subject: options.subject } : {}) });
    return alarm;
  }

  private createWatch(): WebhookFunction {
    const { props } = this;
    const watch = new WebhookFunction(this, 'Watch', {
      entry: path.join(__dirname, '..', '..', 'lambda', 'watch', 'handler.ts'),
      stageName: props.stage,
      description: `Hookguard ${props.stage}: hourly credential rotation watch (metrics for the rotation alarms)`,
      logRetentionDays: props.logRetentionDays,
      noDeadLetterQueueReason:
        'Invoked hourly by a schedule; a failed run is replaced by the next one an hour later and keeps nothing worth redriving.',
      timeout: Duration.seconds(30),
      memorySize: 128,
      environment: {
        CREDENTIALS_SECRET_ARN: props.credentialsSecret.secretArn,
        ROTATION_DAYS: String(props.rotationDays),
        GRACE_PERIOD_HOURS: String(props.gracePeriodHours),
      },
    });
    // Dates and stages only: no GetSecretValue, no kms:Decrypt.
    watch.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['secretsmanager:DescribeSecret', 'secretsmanager:ListSecretVersionIds'],
        resources: [props.credentialsSecret.secretArn],
      }),
    );
    const schedule = new events.Rule(this, 'WatchSchedule', {
      description: `Hookguard ${props.stage}: run the credential watch every hour`,
      schedule: events.Schedule.rate(Duration.hours(1)),
    });
    schedule.addTarget(new targets.LambdaFunction(watch.function, { retryAttempts: 2 }));
    Validations.of(schedule).acknowledge({
      id: 'Serverless-EventBusDLQ',
      reason: 'An hourly schedule of the credential watch: a missed run is replaced by the next one an hour later.',
    });
    return watch;
  }

  private createDefaultAlarms(): void {
    const { props } = this;
    const apiDimensions = { ApiName: props.restApiName, Stage: props.apiStageName };
    const apiMetric = (metricName: string) =>
      new cloudwatch.Metric({ namespace: 'AWS/ApiGateway', metricName, dimensionsMap: apiDimensions, statistic: 'Sum' });

    this.addAlarm(
      'apiErrors',
      new cloudwatch.MathExpression({
        expression: 'IF(requests >= 10, 100 * errors / requests, 0)',
        usingMetrics: { errors: apiMetric('5XXError'), requests: apiMetric('Count') },
        period: this.period('apiErrors'),
        label: '5XX answers, % of requests',
      }),
      'The API answers too many requests with 5XX (providers retry, but a lasting failure makes them give up).',
    );
    this.addAlarm(
      'authorizerErrors',
      props.authorizer.metricErrors({ statistic: 'Sum', period: this.period('authorizerErrors') }),
      'The authorizer fails (API Gateway answers 500): usually Secrets Manager unreachable with nothing cached.',
    );
    this.addAlarm(
      'verifierErrors',
      props.verifier.metricErrors({ statistic: 'Sum', period: this.period('verifierErrors') }),
      'The verifier crashed or timed out instead of answering (API Gateway answers 502/504).',
    );
    this.addAlarm(
      'verifierThrottles',
      props.verifier.metricThrottles({ statistic: 'Sum', period: this.period('verifierThrottles') }),
      'Lambda throttled the verifier: the account or function concurrency is exhausted; providers get 5XX and retry.',
    );
    const timeoutMs = props.verifierTimeout.toMilliseconds();
    this.addAlarm(
      'verifierDuration',
      props.verifier.metricDuration({ statistic: 'p99', period: this.period('verifierDuration') }),
      `The verifier's p99 duration nears its ${timeoutMs / 1000} s timeout: a dependency is slow.`,
      { threshold: Math.round((timeoutMs * props.alerting.alarms.verifierDuration.threshold) / 100) },
    );

    const signed = props.providers.filter((provider) => provider.signed);
    for (const provider of signed) {
      const usingMetrics: Record<string, cloudwatch.IMetric> = {};
      FORGERY_OUTCOMES.forEach((outcome, index) => {
        usingMetrics[`f${index}`] = this.hookguardMetric('Requests', { Provider: provider.id, Outcome: outcome });
      });
      this.addAlarm(
        'forgery',
        new cloudwatch.MathExpression({
          expression: Object.keys(usingMetrics).map((key) => `FILL(${key}, 0)`).join(' + '),
          usingMetrics,
          period: this.period('forgery'),
          label: `${provider.id}: signature and timestamp failures`,
        }),
        `Requests to ${provider.id} fail their signature or timestamp check: forged or replayed requests, or a wrong signing key.`,
        { subject: provider.id },
      );
    }

    this.addAlarm(
      'bruteForce',
      // A Metrics Insights query: refusals summed over every provider path, including paths that name none.
      new cloudwatch.MathExpression({
        expression:
          `SELECT SUM(AuthorizerDecisions) FROM SCHEMA(${METRIC_NAMESPACE}, CredentialStage, Provider, Stage) ` +
          `WHERE Stage = '${props.stage}' AND CredentialStage = 'unknown'`,
        usingMetrics: {},
        period: this.period('bruteForce'),
        label: 'Requests refused by the authorizer',
      }),
      'Many requests with wrong or missing credentials: someone guessing, or a provider still using a revoked credential.',
    );

    this.addAlarm(
      'wafBlocks',
      new cloudwatch.Metric({
        namespace: 'AWS/WAFV2',
        metricName: 'BlockedRequests',
        dimensionsMap: { WebACL: props.webAclName, Region: Stack.of(this).region, Rule: 'ALL' },
        statistic: 'Sum',
        period: this.period('wafBlocks'),
      }),
      'WAF blocks many requests: an attack, or a provider outside its allow-list, over a rate limit or hit by a managed rule.',
    );

    this.addAlarm(
      'rotationFailed',
      new cloudwatch.MathExpression({
        expression: 'FILL(failed, 0) + FILL(errors, 0)',
        usingMetrics: {
          failed: this.hookguardMetric('RotationFailed'),
          errors: props.rotation.metricErrors({ statistic: 'Sum' }),
        },
        period: this.period('rotationFailed'),
        label: 'Failed rotation steps',
      }),
      'A step of the Basic credential rotation failed; the pending version waits for the next attempt.',
    );
    this.addAlarm(
      'rotationOverdue',
      this.hookguardMetric(WATCH_METRICS.rotationOverdue, {}, { statistic: 'Maximum', period: this.period('rotationOverdue') }),
      'The Basic credential was not rotated on schedule (rotation off, or failing).',
    );

    const hoursLeft = this.hookguardMetric(WATCH_METRICS.previousHoursLeft, {}, { statistic: 'Minimum' });
    for (const provider of props.providers) {
      this.addAlarm(
        'previousCredential',
        new cloudwatch.MathExpression({
          // Previous credential used in the last hour AND its grace period ends within N hours. No data for hoursLeft
          // means no previous credential is accepted any more: filled far above any N.
          expression: `IF(FILL(previous, 0) > 0 AND FILL(hoursLeft, 1000000) <= ${props.alerting.alarms.previousCredential.threshold}, 1, 0)`,
          usingMetrics: {
            previous: this.hookguardMetric('AuthorizerDecisions', { Provider: provider.id, CredentialStage: 'previous' }),
            hoursLeft,
          },
          period: this.period('previousCredential'),
          label: `${provider.id} on the previous credential near the end of its grace period`,
        }),
        `${provider.id} still sends the previous Basic credential and its grace period ends soon: give ${provider.id} the new URL.`,
        { subject: provider.id, threshold: 1 },
      );
    }

    for (const provider of props.providers) {
      if (provider.silenceAlarmHours === undefined) continue;
      this.addAlarm(
        'silentProvider',
        this.hookguardMetric('Requests', { Provider: provider.id, Outcome: 'accepted' }, { period: this.period('silentProvider') }),
        `${provider.id} sent no accepted request for ${provider.silenceAlarmHours} hours: it may have disabled the webhook after failures.`,
        {
          subject: provider.id,
          comparison: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
          missing: cloudwatch.TreatMissingData.BREACHING,
          evaluationPeriods: provider.silenceAlarmHours,
          datapointsToAlarm: provider.silenceAlarmHours,
        },
      );
    }

    // Before a quota binds (docs/scaling.md).
    this.addAlarm(
      'lambdaConcurrency',
      new cloudwatch.Metric({
        namespace: 'AWS/Lambda',
        metricName: 'ClaimedAccountConcurrency',
        statistic: 'Maximum',
        period: this.period('lambdaConcurrency'),
      }),
      `Lambda concurrency claimed in this account and region nears the quota (${props.alerting.lambdaConcurrencyLimit}); past it, the verifier is throttled.`,
      {
        threshold: Math.ceil(
          (props.alerting.lambdaConcurrencyLimit * props.alerting.alarms.lambdaConcurrency.threshold) / 100,
        ),
      },
    );
    this.addAlarm(
      'putEventsRetried',
      this.hookguardMetric('PutEventsEntriesRetried', {}, { period: this.period('putEventsRetried') }),
      'EventBridge rejected PutEvents entries that the verifier had to retry: usually throttling near the PutEvents quota.',
    );
    this.addAlarm(
      'putEventsFailed',
      this.hookguardMetric('PutEventsEntriesFailed', {}, { period: this.period('putEventsFailed') }),
      'PutEvents entries failed after every retry: the requests were answered 503 and their events wait for the provider to retry.',
    );
    this.addAlarm(
      'eventBridgeThrottled',
      new cloudwatch.Metric({
        namespace: 'AWS/Events',
        metricName: 'PutEventsApproximateThrottledCount',
        statistic: 'Sum',
        period: this.period('eventBridgeThrottled'),
      }),
      'EventBridge throttled PutEvents requests in this account and region (the PutEvents quota is shared by the account).',
    );
    this.addAlarm(
      'dynamoDbThrottled',
      new cloudwatch.Metric({
        namespace: 'AWS/DynamoDB',
        metricName: 'WriteThrottleEvents',
        dimensionsMap: { TableName: props.dedupeTable.tableName },
        statistic: 'Sum',
        period: this.period('dynamoDbThrottled'),
      }),
      'DynamoDB throttled writes to the dedupe ledger (a hot partition or the table throughput limit): requests answered 503.',
    );
  }

  private createDashboard(): cloudwatch.Dashboard {
    const { props } = this;
    const stage = props.stage;
    const schema = (dimensions: string) => `SCHEMA(${METRIC_NAMESPACE}, ${dimensions})`;
    const insights = (label: string, query: string, period = Duration.minutes(5)) =>
      new cloudwatch.MathExpression({ expression: query, usingMetrics: {}, label, period });
    const search = (label: string, query: string) =>
      new cloudwatch.MathExpression({ expression: query, usingMetrics: {}, label, period: Duration.minutes(5) });
    const graph = (title: string, left: cloudwatch.IMetric[], width = 8, right: cloudwatch.IMetric[] = []) =>
      new cloudwatch.GraphWidget({ title, left, right, width, height: 6, liveData: true });
    const apiMetric = (metricName: string, statistic: string) =>
      new cloudwatch.Metric({
        namespace: 'AWS/ApiGateway',
        metricName,
        dimensionsMap: { ApiName: props.restApiName, Stage: props.apiStageName },
        statistic,
        label: `${metricName} ${statistic}`,
      });
    const wafSearch = (metricName: string) =>
      search(
        metricName,
        `SEARCH('{AWS/WAFV2,Region,Rule,WebACL} WebACL="${props.webAclName}" MetricName="${metricName}"', 'Sum', 300)`,
      );
    const alarms = this.alarms;
    const queues = this.deadLetterQueues;

    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `${props.namePrefix}`,
      defaultInterval: Duration.hours(3),
    });
    dashboard.addWidgets(
      // First screen: what is wrong (alarms in ALARM sorted first), then whether traffic flows and what fails.
      new DeferredWidget(
        24,
        5,
        () =>
          new cloudwatch.AlarmStatusWidget({
            title: `Hookguard ${stage}: alarms (in ALARM first). Runbook: ${props.alerting.runbookUrl}`,
            alarms: [this.health, ...alarms.map((entry) => entry.alarm)],
            sortBy: cloudwatch.AlarmStatusWidgetSortBy.STATE_UPDATED_TIMESTAMP,
            width: 24,
            height: 5,
          }),
      ),
    );
    dashboard.addWidgets(
      graph('Failed requests by provider and outcome', [
        insights(
          'failed',
          `SELECT SUM(Requests) FROM ${schema('Outcome, Provider, Stage')} WHERE Stage = '${stage}' AND Outcome != 'accepted' AND Outcome != 'duplicate' GROUP BY Provider, Outcome`,
        ),
      ]),
      graph('API answers', [apiMetric('Count', 'Sum')], 8, [apiMetric('4XXError', 'Sum'), apiMetric('5XXError', 'Sum')]),
      graph('Accepted requests by provider', [
        insights(
          'accepted',
          `SELECT SUM(Requests) FROM ${schema('Outcome, Provider, Stage')} WHERE Stage = '${stage}' AND Outcome = 'accepted' GROUP BY Provider`,
        ),
      ]),
    );
    dashboard.addWidgets(
      graph('Events published by provider', [
        insights(
          'published',
          `SELECT SUM(EventsPublished) FROM ${schema('Provider, Stage')} WHERE Stage = '${stage}' GROUP BY Provider`,
        ),
      ]),
      graph('API latency (p50, p99)', [
        apiMetric('Latency', 'p50'),
        apiMetric('Latency', 'p99'),
        apiMetric('IntegrationLatency', 'p99'),
      ]),
      graph('Verifier and authorizer duration (p50, p99)', [
        props.verifier.metricDuration({ statistic: 'p50', label: 'verifier p50' }),
        props.verifier.metricDuration({ statistic: 'p99', label: 'verifier p99' }),
        props.authorizer.metricDuration({ statistic: 'p99', label: 'authorizer p99' }),
      ]),
    );
    dashboard.addWidgets(
      graph('Signature and timestamp failures by provider', [
        insights(
          'forgery',
          `SELECT SUM(Requests) FROM ${schema('Outcome, Provider, Stage')} WHERE Stage = '${stage}' AND (Outcome = 'invalid_signature' OR Outcome = 'stale_timestamp' OR Outcome = 'future_timestamp' OR Outcome = 'unauthorized') GROUP BY Provider, Outcome`,
        ),
      ]),
      graph('Authorizer refusals (unknown credential) by path', [
        insights(
          'refused',
          `SELECT SUM(AuthorizerDecisions) FROM ${schema('CredentialStage, Provider, Stage')} WHERE Stage = '${stage}' AND CredentialStage = 'unknown' GROUP BY Provider`,
        ),
      ]),
      graph('WAF: blocked by rule; counted (managed rules set to Count)', [wafSearch('BlockedRequests')], 8, [
        wafSearch('CountedRequests'),
      ]),
    );
    dashboard.addWidgets(
      graph('Credential stages in use (authorizer decisions)', [
        insights(
          'stages',
          `SELECT SUM(AuthorizerDecisions) FROM ${schema('CredentialStage, Provider, Stage')} WHERE Stage = '${stage}' AND CredentialStage != 'unknown' GROUP BY CredentialStage`,
        ),
      ]),
      graph('Providers on the previous credential', [
        insights(
          'previous',
          `SELECT SUM(AuthorizerDecisions) FROM ${schema('CredentialStage, Provider, Stage')} WHERE Stage = '${stage}' AND CredentialStage = 'previous' GROUP BY Provider`,
        ),
      ]),
      graph(
        'Credential age and grace left (hours)',
        [this.hookguardMetric(WATCH_METRICS.credentialAge, {}, { statistic: 'Maximum', period: Duration.hours(1), label: 'age' })],
        8,
        [
          this.hookguardMetric(WATCH_METRICS.previousHoursLeft, {}, {
            statistic: 'Minimum',
            period: Duration.hours(1),
            label: 'previous accepted for',
          }),
        ],
      ),
    );
    dashboard.addWidgets(
      new DeferredWidget(8, 6, () =>
        graph(
          'Dead-letter queue depths',
          queues.map((entry) =>
            entry.queue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', label: entry.name }),
          ),
        ),
      ),
      graph('PutEvents entries retried / failed; DynamoDB throttles', [
        this.hookguardMetric('PutEventsEntriesRetried', {}, { label: 'retried' }),
        this.hookguardMetric('PutEventsEntriesFailed', {}, { label: 'failed' }),
        new cloudwatch.Metric({
          namespace: 'AWS/DynamoDB',
          metricName: 'WriteThrottleEvents',
          dimensionsMap: { TableName: props.dedupeTable.tableName },
          statistic: 'Sum',
          label: 'dedupe write throttles',
        }),
      ]),
      graph(
        'Lambda errors, throttles, claimed concurrency',
        [
          props.verifier.metricErrors({ statistic: 'Sum', label: 'verifier errors' }),
          props.verifier.metricThrottles({ statistic: 'Sum', label: 'verifier throttles' }),
          props.authorizer.metricErrors({ statistic: 'Sum', label: 'authorizer errors' }),
          props.rotation.metricErrors({ statistic: 'Sum', label: 'rotation errors' }),
        ],
        8,
        [new cloudwatch.Metric({ namespace: 'AWS/Lambda', metricName: 'ClaimedAccountConcurrency', statistic: 'Maximum', label: 'claimed concurrency' })],
      ),
    );
    return dashboard;
  }
}

function validate(props: HookguardMonitoringProps): void {
  const problems = new PropsProblems('HookguardMonitoring');
  problems.matches('stage', props.stage, /^[A-Za-z][A-Za-z0-9-]{0,30}$/, 'a stage name (letters, digits, -)');
  problems.matches('namePrefix', props.namePrefix, /^[A-Za-z0-9_-]{1,200}$/, 'letters, digits, - or _');
  problems.integer('rotationDays', props.rotationDays, { min: 1, max: 1000 });
  problems.integer('gracePeriodHours', props.gracePeriodHours, { min: 0 });
  problems.oneOf('logRetentionDays', props.logRetentionDays, VALID_LOG_RETENTION_DAYS);
  const seen = new Set<string>();
  for (const provider of props.providers) {
    if (seen.has(provider.id)) problems.add(`providers lists ${show(provider.id)} twice`);
    seen.add(provider.id);
    if (provider.silenceAlarmHours !== undefined) {
      problems.integer(`providers.${provider.id}.silenceAlarmHours`, provider.silenceAlarmHours, {
        min: 1,
        max: MAX_SILENCE_ALARM_HOURS,
      });
    }
  }
  for (const id of ALARM_IDS) {
    const setting = props.alerting.alarms[id];
    if (setting === undefined) {
      problems.add(`alerting.alarms.${id} is missing`);
      continue;
    }
    if (!Number.isFinite(setting.threshold) || setting.threshold < 0) {
      problems.add(`alerting.alarms.${id}.threshold must be a number of at least 0, got ${show(setting.threshold)}`);
    }
    problems.integer(`alerting.alarms.${id}.evaluationPeriods`, setting.evaluationPeriods, { min: 1, max: 24 });
    problems.integer(`alerting.alarms.${id}.datapointsToAlarm`, setting.datapointsToAlarm, {
      min: 1,
      max: Math.max(1, setting.evaluationPeriods),
    });
  }
  problems.integer('alerting.lambdaConcurrencyLimit', props.alerting.lambdaConcurrencyLimit, { min: 10 });
  if (props.verifierTimeout.toSeconds() < 1) problems.add('verifierTimeout must be at least 1 second');
  problems.throwIfAny();
}
