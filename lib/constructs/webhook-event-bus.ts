/**
 * The custom event bus Hookguard publishes normalised events to, and the archive that keeps every one of them for
 * replay (after a consumer bug, or to backfill a new route).
 */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { EVENT_SOURCE } from '../../lambda/core/event';
import { PropsProblems } from './props-validation';

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
   * What happens to the bus and the archive when they leave the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
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
  private readonly encryptionKey?: kms.IKey;

  constructor(scope: Construct, id: string, props: WebhookEventBusProps) {
    super(scope, id);
    const problems = new PropsProblems('WebhookEventBus');
    problems.matches('eventBusName', props.eventBusName, /^[A-Za-z0-9._-]{1,256}$/, 'a bus name');
    problems.matches('archiveName', props.archiveName, /^[A-Za-z0-9._-]{1,48}$/, 'an archive name (up to 48)');
    problems.integer('archiveRetentionDays', props.archiveRetentionDays, { min: 0, max: 36_500 });
    problems.throwIfAny();
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.encryptionKey = props.encryptionKey;

    this.bus = new events.EventBus(this, 'Bus', {
      eventBusName: props.eventBusName,
      description: 'Hookguard normalised email events',
      kmsKey: props.encryptionKey,
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
