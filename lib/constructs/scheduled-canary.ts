/**
 * The scheduled end-to-end canary of a stage (issue 14 §4): a function that EventBridge Scheduler invokes every
 * `monitoring.canary.intervalMinutes`, which posts one canary request through the stage's public URL (WAF,
 * authorizer, verifier, dedupe ledger, bus) and waits for its events on a queue of its own; the metrics it writes
 * (`CanaryDelivered`, `CanaryLatency`) feed the canary alarm and the dashboard's canary widget.
 *
 * Why EventBridge Scheduler and not a scheduled rule: AWS calls scheduled rules a legacy feature and recommends
 * Scheduler for invoking targets on a schedule (EventBridge User Guide, "Creating a scheduled rule (legacy)":
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-rule-schedule.html); its invocations are free
 * up to 14 million a month (https://aws.amazon.com/eventbridge/pricing/), a canary every minute makes 44,640.
 *
 * Why a queue of its own: `hookguard smoke` reads and then deletes everything it received from the stack's canary
 * queue; two readers of one queue would take each other's canaries. The scheduled canary's events carry the
 * recipient {@link SCHEDULED_CANARY_RECIPIENT}, which this construct's rule matches (on top of the canary Source);
 * the smoke command's rule, matching every canary, also sees them and ignores them (they are not its keys).
 */
import * as path from 'node:path';
import { Aws, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { CANARY_SOURCE, SCHEDULED_CANARY_RECIPIENT } from '../../lambda/core/canary';
import type { ProviderId } from '../../lambda/core/provider-ids';
import type { ProviderSettings } from '../../lambda/core/settings';
import { CANARY_UNSIGNABLE, canaryIneligibility, canarySigns, chooseCanaryProvider } from '../config/canary-provider';
import { PropsProblems, VALID_LOG_RETENTION_DAYS } from './props-validation';
import { CANARY_RETENTION } from './webhook-event-bus';
import { WebhookFunction } from './webhook-function';
import type { WebhookSecrets } from './webhook-secrets';

/** How long one run waits for its events after the stage answered 200 (the smoke command's deployed default). */
export const CANARY_WAIT_SECONDS = 30;

export { CANARY_UNSIGNABLE, canaryIneligibility, canarySigns, chooseCanaryProvider };

/** Props of {@link ScheduledCanary}. */
export interface ScheduledCanaryProps {
  /** The stage name (the metrics' `Stage`). */
  readonly stage: string;
  /** The bus the verifier publishes to; the canary's rule is created on it. */
  readonly bus: events.IEventBus;
  /** Where the rule's failed deliveries go (the bus's dead-letter queue, watched by the deadLetters alarm). */
  readonly deadLetterQueue: sqs.IQueue;
  /** The stage's public base URL: webhooks are posted to `<baseUrl>webhooks/<provider>` (custom domain or stage URL). */
  readonly baseUrl: string;
  /** The provider the canary posts as ({@link chooseCanaryProvider}). */
  readonly provider: ProviderId;
  /** That provider's runtime settings (auth mode, Mandrill's signed URL...), as the verifier has them. */
  readonly providerSettings: ProviderSettings;
  /** The stage's secrets: the canary reads the current credential, and the provider's signing key when it signs. */
  readonly secrets: WebhookSecrets;
  /** Minutes between two runs (1 to 60). */
  readonly intervalMinutes: number;
  /** Days the function's log group keeps logs. */
  readonly logRetentionDays: number;
}

/**
 * The scheduled canary: function, schedule, and the canary queue with its rule.
 *
 * @example
 * const canary = new ScheduledCanary(this, 'Canary', { stage: 'prod', bus, deadLetterQueue, baseUrl: api.url,
 *   provider: 'mailgun', providerSettings, secrets, intervalMinutes: 5, logRetentionDays: 30 });
 * monitoring.addCanaryAlarm({ intervalMinutes: 5 });
 */
export class ScheduledCanary extends Construct {
  /** The canary function. */
  public readonly function: WebhookFunction;
  /** The schedule that invokes it. */
  public readonly schedule: scheduler.Schedule;
  /** The queue its events arrive in (scheduled canaries only). */
  public readonly queue: sqs.Queue;
  /** The rule that sends scheduled canary events, and nothing else, to {@link queue}. */
  public readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: ScheduledCanaryProps) {
    super(scope, id);
    const problems = new PropsProblems('ScheduledCanary');
    problems.integer('intervalMinutes', props.intervalMinutes, { min: 1, max: 60 });
    problems.oneOf('logRetentionDays', props.logRetentionDays, VALID_LOG_RETENTION_DAYS);
    const why = canaryIneligibility(props.provider, { auth: props.providerSettings.auth, allowedCidrs: [] });
    if (why !== undefined) problems.add(`provider ${props.provider} cannot carry the canary: ${why}`);
    problems.throwIfAny();

    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // An event that arrives after its run gave up is deleted by the next run (a late arrival), or expires.
      retentionPeriod: CANARY_RETENTION,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(this.queue).acknowledge(
      {
        id: 'AwsSolutions-SQS3',
        reason: 'Scheduled canary read-back queue: the canary function reads and deletes each event; nothing else consumes it.',
      },
      {
        id: 'Serverless-SQSRedrivePolicy',
        reason: 'Scheduled canary read-back queue: a canary event is worth nothing after its run, and expires in an hour.',
      },
    );
    this.rule = new events.Rule(this, 'Rule', {
      eventBus: props.bus,
      description: 'Hookguard scheduled canary events to the scheduled canary queue; nothing else',
      eventPattern: { source: [CANARY_SOURCE], detail: { recipient: [SCHEDULED_CANARY_RECIPIENT] } },
    });
    this.rule.addTarget(new targets.SqsQueue(this.queue, { deadLetterQueue: props.deadLetterQueue, retryAttempts: 2 }));

    const signs = canarySigns(props.provider, props.providerSettings);
    this.function = new WebhookFunction(this, 'Function', {
      entry: path.join(__dirname, '..', '..', 'lambda', 'canary', 'handler.ts'),
      stageName: props.stage,
      description: `Hookguard ${props.stage}: scheduled end-to-end canary through the public URL`,
      logRetentionDays: props.logRetentionDays,
      noDeadLetterQueueReason:
        'Invoked by a schedule without retries: a failed run is the signal (no CanaryDelivered), and the next run is the retry.',
      // The POST (API Gateway answers within 29 s), then the wait for the events, plus the secret reads.
      timeout: Duration.seconds(30 + CANARY_WAIT_SECONDS + 10),
      memorySize: 256,
      environment: {
        CANARY_BASE_URL: props.baseUrl,
        CANARY_PROVIDER: props.provider,
        CANARY_PROVIDER_SETTINGS: JSON.stringify(props.providerSettings),
        CANARY_QUEUE_URL: this.queue.queueUrl,
        CANARY_WAIT_SECONDS: String(CANARY_WAIT_SECONDS),
        CREDENTIALS_SECRET_ARN: props.secrets.credentials.secretArn,
        ...(signs ? { SIGNING_KEYS_SECRET_ARN: props.secrets.signingKeys.secretArn } : {}),
        ...(props.secrets.pathToken ? { PATH_TOKEN_SECRET_ARN: props.secrets.pathToken.secretArn } : {}),
      },
    });
    props.secrets.grantReadCredentials(this.function.function);
    if (signs) props.secrets.grantReadSigningKeys(this.function.function);
    props.secrets.grantReadPathToken(this.function.function);
    this.function.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage'],
        resources: [this.queue.queueArn],
      }),
    );

    // The schedule's own role, allowed to invoke this function and nothing else: the stock LambdaInvoke target also
    // grants `<function>:*` (every version and alias), which the canary does not use.
    const role = new iam.Role(this, 'ScheduleRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
      description: `Hookguard ${props.stage}: EventBridge Scheduler invokes the canary`,
    });
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.function.function.functionArn] }),
    );
    const functionArn = this.function.function.functionArn;
    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      description: `Hookguard ${props.stage}: run the canary every ${props.intervalMinutes} minute(s)`,
      schedule: scheduler.ScheduleExpression.rate(Duration.minutes(props.intervalMinutes)),
      target: {
        bind: () => ({
          arn: functionArn,
          role,
          // No retry: a retried run would measure the retry, not the stage; the next scheduled run comes soon enough.
          retryPolicy: { maximumRetryAttempts: 0 },
        }),
      },
    });
  }
}
