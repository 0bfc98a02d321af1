/**
 * One configured route: an EventBridge rule on the Hookguard bus (its pattern narrowed to `source: hookguard`), its
 * target, and a dead-letter queue catching what the target still refuses after the route's retries.
 */
import { ArnFormat, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { CANARY_SOURCE } from '../../lambda/core/canary';
import { EVENT_SOURCE } from '../../lambda/core/event';
import type { RouteConfig } from '../config/types';
import { PropsProblems, show, VALID_LOG_RETENTION_DAYS } from './props-validation';

/** How long undelivered events wait in a dead-letter queue: SQS's maximum, to leave time for a replay. */
const DEAD_LETTER_RETENTION = Duration.days(14);

/** Receives of an SQS route's message before it moves to that queue's own DLQ. */
export const ROUTE_QUEUE_MAX_RECEIVE_COUNT = 5;

/** Props of {@link EventRoute}. */
export interface EventRouteProps {
  /** The bus the rule listens on. */
  readonly eventBus: events.IEventBus;
  /** The route as configured (`events.routes[]`). */
  readonly route: RouteConfig;
  /** Prefix of names the construct makes up, e.g. `hookguard-dev` (log group `/aws/events/hookguard-dev-<route>`). */
  readonly namePrefix: string;
  /** Days a `logs` target's log group keeps events. */
  readonly logRetentionDays: number;
  /**
   * What happens to created queues and log groups when they leave the stack.
   * @default RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE: kept on deletion, removed when a failed create rolls back
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Let canary events (`hookguard smoke`, Source `hookguard.canary`) through too. Off by default: the pattern's
   * `source: ["hookguard"]` keeps canaries out of every configured route, so they never reach a consumer.
   * @default false
   */
  readonly includeCanaries?: boolean;
}

/** A CloudWatch Logs target without the custom resource the aws-events-targets version installs. */
class LogGroupTarget implements events.IRuleTarget {
  constructor(
    private readonly logGroupArn: string,
    private readonly deadLetterQueue: sqs.IQueue,
    private readonly retryAttempts: number,
    private readonly maxEventAge: Duration,
  ) {}

  bind(): events.RuleTargetConfig {
    return {
      // Logs targets take the bare group ARN: the `:*` suffix of `logGroupArn` silently breaks delivery.
      arn: this.logGroupArn,
      deadLetterConfig: { arn: this.deadLetterQueue.queueArn },
      retryPolicy: { maximumRetryAttempts: this.retryAttempts, maximumEventAgeInSeconds: this.maxEventAge.toSeconds() },
    };
  }
}

/**
 * A route's rule, target and DLQ.
 *
 * @example
 * new EventRoute(this, 'Suppression', {
 *   eventBus: bus.bus,
 *   namePrefix: 'hookguard-dev',
 *   logRetentionDays: 30,
 *   route: { name: 'suppression', eventPattern: { 'detail-type': ['email.bounced'] }, target: { type: 'sqs' },
 *     retryAttempts: 8, maxEventAgeHours: 24 },
 * });
 */
export class EventRoute extends Construct {
  /** The rule. */
  public readonly rule: events.Rule;
  /** Where events go that the target did not accept within the retry policy. */
  public readonly deadLetterQueue: sqs.Queue;
  /** The event pattern as deployed (with `source: ["hookguard"]`). */
  public readonly eventPattern: Readonly<Record<string, unknown>>;
  /** `sqs` targets: the queue the stack created. */
  public readonly queue?: sqs.Queue;
  /** `sqs` targets: the queue's own DLQ, for messages its consumer keeps failing on. */
  public readonly queueDeadLetterQueue?: sqs.Queue;
  /** `logs` targets: the log group the stack created. */
  public readonly logGroup?: logs.LogGroup;

  constructor(scope: Construct, id: string, props: EventRouteProps) {
    super(scope, id);
    validate(this, props);
    const { route } = props;
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE;
    const retryAttempts = route.retryAttempts;
    const maxEventAge = Duration.hours(route.maxEventAgeHours);

    this.deadLetterQueue = this.secureQueue('DeadLetterQueue', removalPolicy, {
      retentionPeriod: DEAD_LETTER_RETENTION,
    });
    acknowledgeEndOfLine(
      this.deadLetterQueue,
      `Dead-letter queue of route "${route.name}": EventBridge sends it what the target refused; nothing reads it automatically.`,
    );
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: `This queue is route "${route.name}"'s EventBridge dead-letter queue (the check only recognises SQS and Lambda DLQs).`,
    });

    // Source is always set: real events only, unless canaries are asked for (they never are by the configuration).
    this.eventPattern = {
      ...route.eventPattern,
      source: props.includeCanaries ? [EVENT_SOURCE, CANARY_SOURCE] : [EVENT_SOURCE],
    };
    this.rule = new events.Rule(this, 'Rule', {
      eventBus: props.eventBus,
      description: route.description ?? `Hookguard route ${route.name}`,
      // Keys are EventBridge's own (`detail-type`, `detail`...); the L2 passes them through unchanged.
      eventPattern: this.eventPattern as events.EventPattern,
    });

    const target = route.target;
    switch (target.type) {
      case 'sqs': {
        const queueDeadLetterQueue = this.secureQueue('QueueDeadLetterQueue', removalPolicy, {
          retentionPeriod: DEAD_LETTER_RETENTION,
        });
        acknowledgeEndOfLine(
          queueDeadLetterQueue,
          `Dead-letter queue of route "${route.name}"'s queue: holds messages its consumer kept failing on.`,
        );
        const queue = this.secureQueue('Queue', removalPolicy, {
          queueName: target.queueName,
          deadLetterQueue: { queue: queueDeadLetterQueue, maxReceiveCount: ROUTE_QUEUE_MAX_RECEIVE_COUNT },
        });
        this.rule.addTarget(
          new targets.SqsQueue(queue, { deadLetterQueue: this.deadLetterQueue, retryAttempts, maxEventAge }),
        );
        this.queue = queue;
        this.queueDeadLetterQueue = queueDeadLetterQueue;
        break;
      }
      case 'lambda': {
        const fn = lambda.Function.fromFunctionAttributes(this, 'TargetFunction', {
          functionArn: target.functionArn,
          // Same account and region (checked above when both are known), so the stack can add the invoke permission.
          sameEnvironment: true,
        });
        this.rule.addTarget(
          new targets.LambdaFunction(fn, { deadLetterQueue: this.deadLetterQueue, retryAttempts, maxEventAge }),
        );
        break;
      }
      case 'eventBus': {
        const bus = events.EventBus.fromEventBusArn(this, 'TargetBus', target.eventBusArn);
        // EventBridge takes no retry policy for bus targets; it retries them for 24 hours on its own.
        this.rule.addTarget(new targets.EventBus(bus, { deadLetterQueue: this.deadLetterQueue }));
        break;
      }
      case 'logs': {
        const logGroup = new logs.LogGroup(this, 'LogGroup', {
          logGroupName: target.logGroupName ?? `/aws/events/${props.namePrefix}-${route.name}`,
          retention: props.logRetentionDays as logs.RetentionDays,
          removalPolicy,
        });
        const logGroupArn = Stack.of(this).formatArn({
          service: 'logs',
          resource: 'log-group',
          resourceName: logGroup.logGroupName,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        });
        new logs.ResourcePolicy(this, 'LogGroupPolicy', {
          policyStatements: [
            new iam.PolicyStatement({
              principals: [new iam.ServicePrincipal('events.amazonaws.com')],
              actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
              resources: [logGroup.logGroupArn],
              conditions: { ArnEquals: { 'aws:SourceArn': this.rule.ruleArn } },
            }),
          ],
        });
        this.deadLetterQueue.addToResourcePolicy(
          new iam.PolicyStatement({
            principals: [new iam.ServicePrincipal('events.amazonaws.com')],
            actions: ['sqs:SendMessage'],
            resources: [this.deadLetterQueue.queueArn],
            conditions: { ArnEquals: { 'aws:SourceArn': this.rule.ruleArn } },
          }),
        );
        this.rule.addTarget(new LogGroupTarget(logGroupArn, this.deadLetterQueue, retryAttempts, maxEventAge));
        this.logGroup = logGroup;
        break;
      }
    }
  }

  /** An SQS queue encrypted at rest (SQS-managed keys, which EventBridge can write to) that refuses plain HTTP. */
  private secureQueue(id: string, removalPolicy: RemovalPolicy, props: sqs.QueueProps): sqs.Queue {
    return new sqs.Queue(this, id, {
      ...props,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      removalPolicy,
    });
  }
}

/** A dead-letter queue is the end of the line: giving it a redrive policy of its own would only move the problem. */
function acknowledgeEndOfLine(queue: sqs.Queue, reason: string): void {
  Validations.of(queue).acknowledge({ id: 'Serverless-SQSRedrivePolicy', reason });
}

const ROUTE_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const LAMBDA_ARN =
  /^arn:aws[a-z-]*:lambda:([a-z]{2}(?:-[a-z]+)+-\d):(\d{12}):function:[A-Za-z0-9_-]{1,140}(?::[A-Za-z0-9$_-]+)?$/;
const EVENT_BUS_ARN = /^arn:aws[a-z-]*:events:[a-z]{2}(?:-[a-z]+)+-\d:\d{12}:event-bus\/[A-Za-z0-9._/-]{1,256}$/;

function validate(scope: Construct, props: EventRouteProps): void {
  const problems = new PropsProblems('EventRoute');
  const { route } = props;
  problems.matches('route.name', route.name, ROUTE_NAME, 'letters, digits, - or _ (1 to 64)');
  problems.matches('namePrefix', props.namePrefix, /^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, ., - or _');
  problems.integer('route.retryAttempts', route.retryAttempts, { min: 0, max: 185 });
  problems.integer('route.maxEventAgeHours', route.maxEventAgeHours, { min: 1, max: 24 });
  const pattern: unknown = route.eventPattern;
  if (typeof pattern !== 'object' || pattern === null || Array.isArray(pattern) || Object.keys(pattern).length === 0) {
    problems.add(`route.eventPattern must be a non-empty object, got ${show(pattern)}`);
  } else if ('source' in pattern) {
    problems.add(`route.eventPattern.source is set by Hookguard ("${EVENT_SOURCE}"), got ${show(pattern.source)}`);
  }
  const target = route.target;
  switch (target.type) {
    case 'sqs':
      if (target.queueName !== undefined) {
        problems.matches('route.target.queueName', target.queueName, /^[A-Za-z0-9_-]{1,80}$/, 'an SQS queue name');
      }
      break;
    case 'lambda': {
      const match = LAMBDA_ARN.exec(target.functionArn);
      if (!Token.isUnresolved(target.functionArn) && match === null) {
        problems.add(`route.target.functionArn must be a Lambda function ARN, got ${show(target.functionArn)}`);
      } else if (match) {
        // Rules invoke functions of their own account and region only (other accounts go through a bus).
        const stack = Stack.of(scope);
        const [, region, account] = match;
        if (!Token.isUnresolved(stack.region) && region !== stack.region) {
          problems.add(`route.target.functionArn is in ${region}, the stack in ${stack.region}`);
        }
        if (!Token.isUnresolved(stack.account) && account !== stack.account) {
          problems.add(`route.target.functionArn is in account ${account}, the stack in ${stack.account}`);
        }
      }
      break;
    }
    case 'eventBus':
      problems.matches('route.target.eventBusArn', target.eventBusArn, EVENT_BUS_ARN, 'an event bus ARN');
      break;
    case 'logs':
      problems.oneOf('logRetentionDays', props.logRetentionDays, VALID_LOG_RETENTION_DAYS);
      if (target.logGroupName !== undefined) {
        problems.matches(
          'route.target.logGroupName',
          target.logGroupName,
          /^[A-Za-z0-9_./#-]{1,512}$/,
          'a log group name',
        );
      }
      break;
    default:
      problems.add(
        `route.target.type must be sqs, lambda, eventBus or logs, got ${show((target as { type: unknown }).type)}`,
      );
  }
  problems.throwIfAny();
}
