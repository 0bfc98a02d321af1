/**
 * The custom event bus Hookguard publishes normalised events to, the archive that keeps every one of them for
 * replay (after a consumer bug, or to backfill a new route), the bus's own dead-letter queue, and the canary
 * destination `hookguard smoke` reads canary events back from.
 */
import { ArnFormat, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { CANARY_EVENT_PATTERN } from '../../lambda/core/canary';
import { EVENT_SOURCE } from '../../lambda/core/event';
import { PropsProblems } from './props-validation';

/**
 * How long a canary waits in the canary queue: `hookguard smoke` reads it within seconds; one nobody reads (a smoke
 * run interrupted) is gone an hour later.
 */
export const CANARY_RETENTION = Duration.hours(1);

/** Props of {@link WebhookEventBus}. */
export interface WebhookEventBusProps {
  /** Bus name, e.g. `hookguard-dev` (letters, digits, `.`, `-`, `_`; up to 256). */
  readonly eventBusName: string;
  /** Archive name, e.g. `hookguard-dev` (letters, digits, `.`, `-`, `_`; up to 48). */
  readonly archiveName: string;
  /** Days the archive keeps events; 0 keeps them forever. */
  readonly archiveRetentionDays: number;
  /**
   * Customer-managed key for the bus and the archive.
   * @default - events encrypted with an AWS owned key
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * What happens to the bus, the archive and the bus's dead-letter queue when they leave the stack.
   * @default RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE: kept on deletion, removed when a failed create rolls back
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Create the canary destination: a rule matching canary events only (`source: ["hookguard.canary"]`) into a small
   * SQS queue that `hookguard smoke --deployed` reads. Costs nothing while idle (SQS bills requests: a smoke run
   * makes a few dozen, $0.40 per million after the free tier; the rule is free).
   * @default true
   */
  readonly canaryDestination?: boolean;
}

/**
 * Bus plus archive of every `source: hookguard` event.
 *
 * @example
 * const bus = new WebhookEventBus(this, 'Events', { eventBusName: 'hookguard-dev', archiveName: 'hookguard-dev',
 *   archiveRetentionDays: 30 });
 * bus.grantPublish(verifier.function);
 */
export class WebhookEventBus extends Construct {
  /** The bus. */
  public readonly bus: events.EventBus;
  /** The archive of every Hookguard event on the bus. */
  public readonly archive: events.Archive;
  /**
   * The bus's dead-letter queue: events EventBridge could not deliver to any target for a reason of the bus itself
   * (the customer-managed key disabled or its policy broken). SQS-managed encryption, which EventBridge can write to.
   */
  public readonly deadLetterQueue: sqs.Queue;
  /** The canary destination's queue (absent when `canaryDestination` is false). */
  public readonly canaryQueue?: sqs.Queue;
  /** The rule that sends canary events, and nothing else, to {@link canaryQueue}. */
  public readonly canaryRule?: events.Rule;
  private readonly encryptionKey?: kms.IKey;

  constructor(scope: Construct, id: string, props: WebhookEventBusProps) {
    super(scope, id);
    const problems = new PropsProblems('WebhookEventBus');
    problems.matches('eventBusName', props.eventBusName, /^[A-Za-z0-9._-]{1,256}$/, 'a bus name');
    problems.matches('archiveName', props.archiveName, /^[A-Za-z0-9._-]{1,48}$/, 'an archive name (up to 48)');
    problems.integer('archiveRetentionDays', props.archiveRetentionDays, { min: 0, max: 36_500 });
    problems.throwIfAny();
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE;
    this.encryptionKey = props.encryptionKey;
    const stack = Stack.of(this);
    // Built from the name, not the bus: the queue policy must not make the bus depend on it (the bus names the queue).
    const busArn = stack.formatArn({
      service: 'events',
      resource: 'event-bus',
      resourceName: props.eventBusName,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });

    // AWS recommends a bus-level DLQ for buses with a customer-managed key: an event that fails on a KMS error
    // (key disabled, policy broken) lands here instead of being dropped (EventBridge User Guide, "Encrypting events").
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy,
    });
    this.deadLetterQueue.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['sqs:SendMessage'],
        resources: [this.deadLetterQueue.queueArn],
        conditions: { ArnEquals: { 'aws:SourceArn': busArn } },
      }),
    );
    Validations.of(this.deadLetterQueue).acknowledge(
      {
        id: 'AwsSolutions-SQS3',
        reason: "This queue is the event bus's dead-letter queue (the check only recognises SQS and Lambda DLQs).",
      },
      {
        id: 'Serverless-SQSRedrivePolicy',
        reason: 'A dead-letter queue is the end of the line; redrive is manual (docs/first-deploy.md).',
      },
    );

    this.bus = new events.EventBus(this, 'Bus', {
      eventBusName: props.eventBusName,
      description: 'Hookguard normalised email events',
      kmsKey: props.encryptionKey,
      deadLetterQueue: this.deadLetterQueue,
    });
    this.bus.applyRemovalPolicy(removalPolicy);

    // The archive names its bus by an ARN built from the bus name, not by reference: with a key, the archive writes
    // the bus ARN into the key policy, and a reference would make key and bus depend on each other.
    const busByName = events.EventBus.fromEventBusName(this, 'BusByName', props.eventBusName);
    this.archive = new events.Archive(this, 'Archive', {
      archiveName: props.archiveName,
      description: 'Every Hookguard event, for replay',
      sourceEventBus: busByName,
      eventPattern: { source: [EVENT_SOURCE] },
      // 0 is the service's "keep forever".
      retention: Duration.days(props.archiveRetentionDays),
      kmsKey: props.encryptionKey,
    });
    this.archive.applyRemovalPolicy(removalPolicy);
    this.archive.node.addDependency(this.bus);

    if (props.canaryDestination ?? true) {
      // Nothing worth keeping: destroyed with the stack.
      this.canaryQueue = new sqs.Queue(this, 'CanaryQueue', {
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: CANARY_RETENTION,
        removalPolicy: RemovalPolicy.DESTROY,
      });
      Validations.of(this.canaryQueue).acknowledge(
        {
          id: 'AwsSolutions-SQS3',
          reason: 'Canary read-back queue: hookguard smoke reads and deletes each canary; an unread one expires in an hour.',
        },
        {
          id: 'Serverless-SQSRedrivePolicy',
          reason: 'Canary read-back queue: nothing consumes it but hookguard smoke, and a canary is worth nothing after the run.',
        },
      );
      this.canaryRule = new events.Rule(this, 'CanaryRule', {
        eventBus: this.bus,
        description: 'Hookguard canary events (hookguard smoke) to the canary queue; nothing else',
        eventPattern: { source: [...CANARY_EVENT_PATTERN.source] },
      });
      this.canaryRule.addTarget(
        new targets.SqsQueue(this.canaryQueue, { deadLetterQueue: this.deadLetterQueue, retryAttempts: 2 }),
      );
    }
  }

  /**
   * Lets a function put events on this bus (and only this bus); with a customer-managed key, also lets it have
   * EventBridge encrypt them with that key.
   */
  grantPublish(grantee: iam.IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['events:PutEvents'], resources: [this.bus.eventBusArn] }),
    );
    if (this.encryptionKey) {
      grantee.grantPrincipal.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
          resources: [this.encryptionKey.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `events.${Stack.of(this).region}.amazonaws.com` } },
        }),
      );
    }
  }
}
