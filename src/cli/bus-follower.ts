/**
 * Following a deployed event bus from a laptop: a temporary EventBridge rule with the filter's pattern sends
 * matching events to a temporary SQS queue, which the CLI long-polls. Both are deleted when following stops
 * (Ctrl-C included); ones left behind by a killed CLI carry their creation time in their name and are deleted by
 * the next `tail` after {@link STALE_AFTER_MS}.
 *
 * Why SQS and not CloudWatch Logs: EventBridge can deliver to a log group only with an account-wide CloudWatch Logs
 * resource policy (at most 10 per region), which a temporary tail should not change; an SQS queue carries its own
 * policy, scoped to the one rule (aws:SourceArn).
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html
 *
 * Cost (us-east-1 list prices): matching and delivering to SQS is free for EventBridge (the events were already paid
 * for when published); SQS bills requests at $0.40 per million: one 20-second long poll per 20 s while idle
 * (4,320 a day, under $0.002) plus a send, a receive and a delete per event. The queue keeps messages 1 hour at most.
 */
import {
  DeleteRuleCommand,
  EventBridgeClient,
  ListRulesCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ListQueuesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { randomBytes } from 'node:crypto';
import type { EventEnvelope } from '../local/local-event-bus';
import { type AwsTarget, awsClientConfig } from './command-kit';
import { isEnvelope } from './event-filters';

/** Temporary rules and queues older than this are taken for leftovers of a killed CLI and deleted. */
export const STALE_AFTER_MS = 24 * 3_600_000;

/** How long the temporary queue keeps an undelivered message (SQS minimum is 60 s). */
const QUEUE_RETENTION_SECONDS = 3_600;

/** What the follower is told about its resources, for the progress line. */
export interface BusFollowerProgress {
  (line: string): void;
}

/** Options of {@link followDeployedBus}. */
export interface FollowBusOptions {
  readonly target: AwsTarget;
  readonly stage: string;
  readonly busName: string;
  /** The bus ARN (gives the account for the rule ARN). */
  readonly busArn: string;
  /** The EventBridge pattern of the temporary rule. */
  readonly pattern: Record<string, unknown>;
  readonly signal?: AbortSignal;
  readonly progress?: BusFollowerProgress;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** Long-poll wait, seconds (20 is SQS's maximum). @default 20 */
  readonly waitSeconds?: number;
}

/** The name prefix of a stage's temporary tail resources. */
export function tailResourcePrefix(stage: string): string {
  return `hookguard-${stage}-tail-`.slice(0, 40);
}

function createdAtOf(name: string, prefix: string): number | null {
  const stamp = name.slice(prefix.length).split('-')[0] ?? '';
  const time = Number.parseInt(stamp, 36);
  return Number.isFinite(time) && time > 0 ? time : null;
}

/**
 * Deletes temporary tail rules and queues of the stage older than {@link STALE_AFTER_MS}.
 *
 * @returns how many rules and queues were deleted.
 */
export async function sweepStaleTailResources(
  eventBridge: EventBridgeClient,
  sqs: SQSClient,
  options: { readonly stage: string; readonly busName: string; readonly now: Date },
): Promise<{ rules: number; queues: number }> {
  const prefix = tailResourcePrefix(options.stage);
  const isStale = (name: string) => {
    const created = createdAtOf(name, prefix);
    return created !== null && options.now.getTime() - created > STALE_AFTER_MS;
  };
  let rules = 0;
  const listed = await eventBridge.send(new ListRulesCommand({ NamePrefix: prefix, EventBusName: options.busName }));
  for (const rule of listed.Rules ?? []) {
    if (rule.Name === undefined || !isStale(rule.Name)) continue;
    await eventBridge.send(new RemoveTargetsCommand({ Rule: rule.Name, EventBusName: options.busName, Ids: ['tail'] }));
    await eventBridge.send(new DeleteRuleCommand({ Name: rule.Name, EventBusName: options.busName }));
    rules++;
  }
  let queues = 0;
  const queueList = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: prefix }));
  for (const url of queueList.QueueUrls ?? []) {
    const name = url.slice(url.lastIndexOf('/') + 1);
    if (!isStale(name)) continue;
    await sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
    queues++;
  }
  return { rules, queues };
}

/**
 * Yields every event the bus delivers to a temporary rule with the pattern, until the signal aborts; then deletes
 * the rule and the queue (also when the consumer stops early or an error ends it).
 */
export async function* followDeployedBus(options: FollowBusOptions): AsyncGenerator<EventEnvelope> {
  const now = options.now ?? (() => new Date());
  const progress = options.progress ?? (() => undefined);
  const config = awsClientConfig(options.target);
  const eventBridge = new EventBridgeClient(config);
  const sqs = new SQSClient(config);
  const name = `${tailResourcePrefix(options.stage)}${now().getTime().toString(36)}-${randomBytes(3).toString('hex')}`;
  const account = options.busArn.split(':')[4] ?? '';
  const ruleArn = `arn:aws:events:${options.target.region}:${account}:rule/${options.busName}/${name}`;
  let queueUrl: string | undefined;
  let ruleCreated = false;
  let targetAdded = false;
  try {
    const swept = await sweepStaleTailResources(eventBridge, sqs, {
      stage: options.stage,
      busName: options.busName,
      now: now(),
    });
    if (swept.rules + swept.queues > 0) {
      progress(`Deleted ${swept.rules} rule(s) and ${swept.queues} queue(s) left behind by an earlier tail`);
    }
    progress(`Creating temporary queue and rule ${name} (deleted when tail stops)...`);
    const created = await sqs.send(
      new CreateQueueCommand({
        QueueName: name,
        Attributes: {
          MessageRetentionPeriod: String(QUEUE_RETENTION_SECONDS),
          SqsManagedSseEnabled: 'true',
          Policy: JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { Service: 'events.amazonaws.com' },
                Action: 'sqs:SendMessage',
                Resource: `arn:aws:sqs:${options.target.region}:${account}:${name}`,
                Condition: { ArnEquals: { 'aws:SourceArn': ruleArn } },
              },
            ],
          }),
        },
      }),
    );
    queueUrl = created.QueueUrl;
    if (queueUrl === undefined) throw new Error(`SQS created queue ${name} without a URL`);
    const attributes = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
    );
    const queueArn = attributes.Attributes?.QueueArn ?? `arn:aws:sqs:${options.target.region}:${account}:${name}`;
    await eventBridge.send(
      new PutRuleCommand({
        Name: name,
        EventBusName: options.busName,
        EventPattern: JSON.stringify(options.pattern),
        State: 'ENABLED',
        Description: 'hookguard tail: temporary, deleted when tail stops (or by the next tail after 24 h)',
      }),
    );
    ruleCreated = true;
    await eventBridge.send(
      new PutTargetsCommand({ Rule: name, EventBusName: options.busName, Targets: [{ Id: 'tail', Arn: queueArn }] }),
    );
    targetAdded = true;
    progress(`Following bus ${options.busName} (Ctrl-C to stop)`);

    while (!options.signal?.aborted) {
      let received;
      try {
        received = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: options.waitSeconds ?? 20,
          }),
          options.signal ? { abortSignal: options.signal } : {},
        );
      } catch (error) {
        if (options.signal?.aborted) break;
        throw error;
      }
      const messages = received.Messages ?? [];
      // Deleted before they are shown: a tail is a view, and a consumer that stops early must not leave them.
      const handles = messages
        .map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle }))
        .filter((entry): entry is { Id: string; ReceiptHandle: string } => entry.ReceiptHandle !== undefined);
      if (handles.length > 0) await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: handles }));
      for (const message of messages) {
        let value: unknown;
        try {
          value = JSON.parse(message.Body ?? '');
        } catch {
          value = undefined;
        }
        if (isEnvelope(value)) yield value;
      }
    }
  } finally {
    // Cleanup runs even when aborted: these calls get no abort signal.
    const problems: string[] = [];
    const attempt = async (what: string, call: () => Promise<unknown>) => {
      try {
        await call();
      } catch (error) {
        problems.push(`${what}: ${(error as Error).name}`);
      }
    };
    if (targetAdded) {
      await attempt('rule target', () =>
        eventBridge.send(new RemoveTargetsCommand({ Rule: name, EventBusName: options.busName, Ids: ['tail'] })),
      );
    }
    if (ruleCreated) {
      await attempt('rule', () => eventBridge.send(new DeleteRuleCommand({ Name: name, EventBusName: options.busName })));
    }
    if (queueUrl !== undefined) {
      const url = queueUrl;
      await attempt('queue', () => sqs.send(new DeleteQueueCommand({ QueueUrl: url })));
    }
    if (queueUrl !== undefined || ruleCreated) progress(
      problems.length === 0
        ? `Deleted temporary rule and queue ${name}`
        : `Could not delete everything of ${name} (${problems.join(', ')}); the next tail deletes it after 24 h`,
    );
    eventBridge.destroy();
    sqs.destroy();
  }
}
