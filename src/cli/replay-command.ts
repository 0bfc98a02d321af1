/**
 * `hookguard replay`: publishes events of a time range again, or redrives a route's dead letters. Replayed events
 * are delivered again by design: consumers see them a second time and deduplicate by `detail.eventId`.
 *
 * - Local: events of the events file go to the stage's routes (their local targets); `--dead-letters <route>` sends
 *   the route's dead-letter file to the route's target again (what still fails goes back to the file).
 * - Deployed: an EventBridge archive replay (StartReplay, then DescribeReplay until it finishes; Ctrl-C cancels it);
 *   `--dead-letters <route>` redrives the route's queue's dead-letter queue with SQS's message move task, and
 *   re-publishes the events in the route's EventBridge dead-letter queue (SQS cannot move those: its move task only
 *   takes dead-letter queues of other SQS queues, https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_StartMessageMoveTask.html).
 */
import {
  CancelReplayCommand,
  DescribeArchiveCommand,
  DescribeReplayCommand,
  EventBridgeClient,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  type Rule,
  StartReplayCommand,
} from '@aws-sdk/client-eventbridge';
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListMessageMoveTasksCommand,
  ReceiveMessageCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { readFile, rename, rm } from 'node:fs/promises';
import { isDeepStrictEqual } from 'node:util';
import { join } from 'node:path';
import { EVENT_SOURCE } from '../../lambda/core/event';
import type { RouteConfig } from '../../lib/config/types';
import { JsonLinesFile } from '../local/json-lines-file';
import type { EventEnvelope } from '../local/local-event-bus';
import { COMMON_OPTIONS, COMMON_OPTIONS_HELP, parseCommandLine, resolveCommonOptions, UsageError } from '../local/options';
import { buildLocalRoutes } from '../local/route-destinations';
import { LOCAL_DEFAULTS } from '../local/runtime';
import { type CliDeps, type CliIo, loadStage } from './cli-context';
import {
  type AwsTarget,
  awsClientConfig,
  awsTarget,
  DEPLOYED_OPTIONS,
  DEPLOYED_OPTIONS_HELP,
  JSON_OPTION,
  parseTimeOption,
  pause,
  printJson,
  progressReporter,
} from './command-kit';
import { deployedStackOutputs, requireOutputs } from './deployed-resources';
import { buildEventFilter, FILTER_OPTIONS, FILTER_OPTIONS_HELP, isEnvelope } from './event-filters';
import { readEventsFile } from './events-file';

/** `hookguard replay --help`. */
export const REPLAY_USAGE = [
  'Usage: npx hookguard replay --since <time> [--until <time>] [--route <name>] [filters] [--deployed] [options]',
  '       npx hookguard replay --dead-letters <route> [--deployed] [options]',
  '',
  'Publishes events again, by design: every consumer that gets them sees them a second time (deduplicate by',
  'detail.eventId). Replayed envelopes carry "replay-name", as EventBridge marks replayed events.',
  "Locally: events of the events file in the range go to the stage's routes (their local targets).",
  'Deployed: an EventBridge archive replay of the range into the bus (events:StartReplay, DescribeReplay,',
  'DescribeArchive, ListRules; Ctrl-C cancels it with CancelReplay); --route limits it to those routes\' rules.',
  "--dead-letters <route>: locally the route's dead-letter file; deployed the route's SQS dead-letter queues",
  "(the route queue's DLQ with SQS's message move task; EventBridge's own DLQ by publishing its events again).",
  '',
  'Options:',
  '  --since <time>      start of the range: ISO time or a duration back from now (30m, 2h, 7d)',
  '  --until <time>      end of the range (default now)',
  '  --route <name>      only deliver to this route (repeatable)',
  ...FILTER_OPTIONS_HELP.map((line) => (line.startsWith('  --pattern') ? `${line} (local only)` : line)),
  '  --dead-letters <r>  redrive route r\'s dead letters instead',
  '  --events <file>     local events file (default <data-dir>/events.jsonl)',
  '  --json              print the result as one JSON object',
  ...DEPLOYED_OPTIONS_HELP,
  ...COMMON_OPTIONS_HELP,
].join('\n');

const REPLAY_OPTIONS = {
  ...COMMON_OPTIONS,
  ...DEPLOYED_OPTIONS,
  ...JSON_OPTION,
  ...FILTER_OPTIONS,
  since: { type: 'string' },
  until: { type: 'string' },
  route: { type: 'string', multiple: true },
  'dead-letters': { type: 'string' },
  events: { type: 'string' },
} as const;

const REPUBLISHED_NOTE = 'Replayed events are published again, by design: consumers see them twice and deduplicate by detail.eventId.';

function routeNamed(routes: readonly RouteConfig[], name: string, stage: string): RouteConfig {
  const route = routes.find((candidate) => candidate.name === name);
  if (route === undefined) {
    const names = routes.map((candidate) => candidate.name);
    throw new UsageError(`Stage ${stage} has no route "${name}"${names.length > 0 ? ` (routes: ${names.join(', ')})` : ''}`);
  }
  return route;
}

/** Runs `replay`; resolves the exit code. */
export async function runReplayCommand(argv: readonly string[], io: CliIo, deps: CliDeps): Promise<number> {
  const { values } = parseCommandLine(argv, REPLAY_OPTIONS, false);
  if (values.help) {
    io.out(REPLAY_USAGE);
    return 0;
  }
  const options = resolveCommonOptions(values, io.env);
  const { stage } = loadStage(options, deps);
  const routes = stage.events.routes;
  const now = deps.now ?? (() => new Date());
  const progress = progressReporter(io);
  const report = (summary: Record<string, unknown>, line: string) => {
    if (values.json) printJson(io, summary);
    else io.out(line);
  };

  const deadLetters = values['dead-letters'];
  if (deadLetters !== undefined) {
    if (values.since !== undefined || values.until !== undefined || values.route !== undefined) {
      throw new UsageError('--dead-letters redrives everything the route dead-lettered: no --since, --until or --route');
    }
    const route = routeNamed(routes, deadLetters, stage.stage);
    if (values.deployed) {
      const target = await awsTarget(values, stage, io.env);
      const outputs = requireOutputs(await deployedStackOutputs(target, stage.stage), stage.stage, ['EventBusName']);
      const result = await redriveDeployed(target, outputs.EventBusName, route, progress, io.signal, deps.pollMs);
      report(
        { route: route.name, ...result },
        `Redrove route ${route.name}: ${result.moved} message(s) moved back to its queue, ${result.republished} ` +
          `event(s) published again from its EventBridge dead-letter queue. ${REPUBLISHED_NOTE}`,
      );
      return 0;
    }
    const result = await redriveLocal(options.dataDir, route, stage, io);
    report(
      { route: route.name, ...result },
      result.redriven === 0
        ? `Route ${route.name} has no dead letters.`
        : `Redrove ${result.redriven} dead letter(s) of route ${route.name}; ${result.stillFailing} failed again and are ` +
            `back in its dead-letter file. ${REPUBLISHED_NOTE}`,
    );
    return 0;
  }

  if (values.since === undefined) throw new UsageError('replay needs --since <time> (or --dead-letters <route>)');
  const since = parseTimeOption(values.since, '--since', now());
  const until = values.until === undefined ? now() : parseTimeOption(values.until, '--until', now());
  if (until.getTime() <= since.getTime()) throw new UsageError('--until must be after --since');
  const chosen = (values.route ?? []).map((name) => routeNamed(routes, name, stage.stage));
  const replayName = `hookguard-${stage.stage}-${now().getTime().toString(36)}`.slice(0, 64);

  if (values.deployed) {
    if (values.pattern !== undefined || values.provider !== undefined || values.type !== undefined || values.recipient !== undefined) {
      throw new UsageError(
        'An EventBridge archive replay cannot filter events by pattern; use --route to replay into chosen routes only ' +
          '(their own patterns still apply), or replay locally',
      );
    }
    const target = await awsTarget(values, stage, io.env);
    const outputs = requireOutputs(await deployedStackOutputs(target, stage.stage), stage.stage, [
      'EventBusName',
      'EventBusArn',
      'ArchiveName',
    ]);
    const result = await replayDeployed({
      target,
      busName: outputs.EventBusName,
      busArn: outputs.EventBusArn,
      archiveName: outputs.ArchiveName,
      replayName,
      since,
      until,
      routes: chosen,
      progress,
      ...(io.signal ? { signal: io.signal } : {}),
      ...(deps.pollMs !== undefined ? { pollMs: deps.pollMs } : {}),
    });
    report(
      { replayName, ...result, since: since.toISOString(), until: until.toISOString() },
      `Replay ${replayName} ${result.state.toLowerCase()}${result.reason ? ` (${result.reason})` : ''}. ${REPUBLISHED_NOTE}`,
    );
    return result.state === 'COMPLETED' ? 0 : 1;
  }

  const filter = buildEventFilter(values);
  const eventsPath = values.events ?? join(options.dataDir, LOCAL_DEFAULTS.eventsFile);
  const { envelopes } = await readEventsFile(eventsPath);
  const selected = envelopes.filter((envelope) => {
    const time = Date.parse(envelope.time);
    return time >= since.getTime() && time <= until.getTime() && filter.matches(envelope);
  });
  const localRoutes = buildLocalRoutes(chosen.length > 0 ? chosen : routes, {
    dataDir: options.dataDir,
    write: io.out,
  });
  const delivered = new Map<string, number>(localRoutes.map((route) => [route.name, 0]));
  progress(`Replaying ${selected.length} event(s) from ${eventsPath} as ${replayName}...`);
  try {
    for (const original of selected) {
      if (io.signal?.aborted) break;
      const envelope = { ...original, 'replay-name': replayName } as EventEnvelope;
      for (const route of localRoutes) {
        if (!route.matches(envelope)) continue;
        await route.destination.deliver(envelope);
        delivered.set(route.name, (delivered.get(route.name) ?? 0) + 1);
      }
    }
  } finally {
    await Promise.allSettled(localRoutes.map((route) => route.destination.close()));
  }
  const perRoute = Object.fromEntries(delivered);
  report(
    { replayName, events: selected.length, routes: perRoute, since: since.toISOString(), until: until.toISOString() },
    `Replayed ${selected.length} event(s) as ${replayName}: ` +
      (localRoutes.length === 0 ? 'the stage has no routes' : [...delivered].map(([name, count]) => `${name} ${count}`).join(', ')) +
      `. ${REPUBLISHED_NOTE}`,
  );
  return 0;
}

/** Redrives a local route's dead-letter file (`routes/<name>.dead-letter.jsonl`). */
async function redriveLocal(
  dataDir: string,
  route: RouteConfig,
  stage: { readonly stage: string },
  io: CliIo,
): Promise<{ redriven: number; stillFailing: number }> {
  const path = join(dataDir, 'routes', `${route.name}.dead-letter.jsonl`);
  if (route.local?.type !== 'http') {
    throw new UsageError(`Route ${route.name} of stage ${stage.stage} delivers to a local ${route.local?.type ?? 'file'}, which never dead-letters`);
  }
  // Taken aside first, so what fails again (appended to the dead-letter path by the route) is not redriven twice.
  const aside = `${path}.redrive-${process.pid}`;
  try {
    await rename(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { redriven: 0, stillFailing: 0 };
    throw error;
  }
  const records = await readRecords(aside);
  const [local] = buildLocalRoutes([route], { dataDir, write: io.out });
  if (local === undefined) return { redriven: 0, stillFailing: 0 };
  try {
    for (const record of records) await local.destination.deliver(record);
  } finally {
    await local.destination.close();
  }
  // A running runtime may have appended to the file it still had open (now `aside`): keep those lines.
  const late = (await readRecords(aside)).slice(records.length);
  const after = await readRecords(path);
  if (late.length > 0) {
    const file = new JsonLinesFile(path);
    await file.append(late.map((event) => ({ reason: 'dead-lettered during redrive', event })));
    await file.close();
  }
  await rm(aside, { force: true });
  return { redriven: records.length, stillFailing: after.length };
}

/** The events of a dead-letter file, which holds `{ reason, event }` records; none when it does not exist. */
async function readRecords(path: string): Promise<EventEnvelope[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const envelopes: EventEnvelope[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const record: unknown = JSON.parse(line);
      const event = (record as { event?: unknown }).event;
      if (isEnvelope(event)) envelopes.push(event);
    } catch {
      // A line that is not a record is left out (the runtime only writes whole records).
    }
  }
  return envelopes;
}

/** Finds a route's rule on the bus: by its description (as the stack sets it), else by its pattern. */
export async function findRouteRule(eventBridge: EventBridgeClient, busName: string, route: RouteConfig): Promise<Rule> {
  const rules: Rule[] = [];
  let token: string | undefined;
  do {
    const page = await eventBridge.send(new ListRulesCommand({ EventBusName: busName, ...(token ? { NextToken: token } : {}) }));
    rules.push(...(page.Rules ?? []));
    token = page.NextToken;
  } while (token);
  const description = route.description ?? `Hookguard route ${route.name}`;
  const byDescription = rules.filter((rule) => rule.Description === description);
  if (byDescription.length === 1) return byDescription[0] as Rule;
  const pattern = { ...route.eventPattern, source: [EVENT_SOURCE] };
  const byPattern = rules.filter((rule) => {
    try {
      return isDeepStrictEqual(JSON.parse(rule.EventPattern ?? 'null'), pattern);
    } catch {
      return false;
    }
  });
  if (byPattern.length === 1) return byPattern[0] as Rule;
  throw new Error(`Cannot find the rule of route ${route.name} on bus ${busName}; is the stack deployed with this configuration?`);
}

interface ReplayOptions {
  readonly target: AwsTarget;
  readonly busName: string;
  readonly busArn: string;
  readonly archiveName: string;
  readonly replayName: string;
  readonly since: Date;
  readonly until: Date;
  readonly routes: readonly RouteConfig[];
  readonly progress: (line: string) => void;
  readonly signal?: AbortSignal;
  /** @default 5000 */
  readonly pollMs?: number;
}

/** Starts an archive replay and follows it until it ends; Ctrl-C cancels it. */
async function replayDeployed(options: ReplayOptions): Promise<{ state: string; reason?: string }> {
  const eventBridge = new EventBridgeClient(awsClientConfig(options.target));
  try {
    const archive = await eventBridge.send(new DescribeArchiveCommand({ ArchiveName: options.archiveName }));
    if (archive.ArchiveArn === undefined) throw new Error(`Archive ${options.archiveName} has no ARN`);
    const filterArns: string[] = [];
    for (const route of options.routes) {
      const rule = await findRouteRule(eventBridge, options.busName, route);
      if (rule.Arn !== undefined) filterArns.push(rule.Arn);
    }
    await eventBridge.send(
      new StartReplayCommand({
        ReplayName: options.replayName,
        Description: 'hookguard replay',
        EventSourceArn: archive.ArchiveArn,
        EventStartTime: options.since,
        EventEndTime: options.until,
        Destination: { Arn: options.busArn, ...(filterArns.length > 0 ? { FilterArns: filterArns } : {}) },
      }),
    );
    const span = options.until.getTime() - options.since.getTime();
    let cancelled = false;
    for (;;) {
      const state = await eventBridge.send(new DescribeReplayCommand({ ReplayName: options.replayName }));
      const current = state.State ?? 'UNKNOWN';
      if (['COMPLETED', 'CANCELLED', 'FAILED'].includes(current)) {
        return { state: current, ...(state.StateReason ? { reason: state.StateReason } : {}) };
      }
      const last = state.EventLastReplayedTime?.getTime();
      const done = last === undefined ? 0 : Math.min(100, Math.max(0, Math.round(((last - options.since.getTime()) / span) * 100)));
      options.progress(`Replay ${options.replayName}: ${current.toLowerCase()}, ${done}% of the range`);
      if (options.signal?.aborted && !cancelled) {
        cancelled = true;
        options.progress(`Cancelling replay ${options.replayName}...`);
        await eventBridge.send(new CancelReplayCommand({ ReplayName: options.replayName }));
      }
      await pause(options.pollMs ?? 5_000, cancelled ? undefined : options.signal);
    }
  } finally {
    eventBridge.destroy();
  }
}

/** Redrives a deployed route's dead-letter queues; see the module comment. */
async function redriveDeployed(
  target: AwsTarget,
  busName: string,
  route: RouteConfig,
  progress: (line: string) => void,
  signal?: AbortSignal,
  pollMs?: number,
): Promise<{ moved: number; republished: number }> {
  const config = awsClientConfig(target);
  const eventBridge = new EventBridgeClient(config);
  const sqs = new SQSClient(config);
  try {
    const rule = await findRouteRule(eventBridge, busName, route);
    const targets = (await eventBridge.send(new ListTargetsByRuleCommand({ Rule: rule.Name, EventBusName: busName }))).Targets ?? [];
    let moved = 0;
    for (const ruleTarget of targets) {
      if (!ruleTarget.Arn?.startsWith('arn:aws:sqs:')) continue;
      const queueUrl = await queueUrlOf(sqs, ruleTarget.Arn);
      const attributes = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['RedrivePolicy'] }));
      const policy = attributes.Attributes?.RedrivePolicy;
      const dlqArn = policy ? (JSON.parse(policy) as { deadLetterTargetArn?: string }).deadLetterTargetArn : undefined;
      if (dlqArn === undefined) continue;
      moved += await moveMessages(sqs, dlqArn, progress, signal, pollMs);
    }
    let republished = 0;
    for (const ruleTarget of targets) {
      const dlqArn = ruleTarget.DeadLetterConfig?.Arn;
      if (dlqArn === undefined) continue;
      republished += await republishDeadLetters(sqs, eventBridge, await queueUrlOf(sqs, dlqArn), busName, progress, signal);
    }
    return { moved, republished };
  } finally {
    eventBridge.destroy();
    sqs.destroy();
  }
}

async function queueUrlOf(sqs: SQSClient, arn: string): Promise<string> {
  const [, , , , account, name] = arn.split(':');
  const result = await sqs.send(new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: account }));
  if (result.QueueUrl === undefined) throw new Error(`No URL for queue ${arn}`);
  return result.QueueUrl;
}

/** SQS's message move task from a dead-letter queue back to its source queue, followed until it ends. */
async function moveMessages(
  sqs: SQSClient,
  dlqArn: string,
  progress: (line: string) => void,
  signal?: AbortSignal,
  pollMs = 3_000,
): Promise<number> {
  const started = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn }));
  for (;;) {
    const tasks = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn, MaxResults: 1 }));
    const task = (tasks.Results ?? []).find((candidate) => candidate.TaskHandle === started.TaskHandle) ?? tasks.Results?.[0];
    const moved = task?.ApproximateNumberOfMessagesMoved ?? 0;
    const total = task?.ApproximateNumberOfMessagesToMove;
    const status = task?.Status ?? 'UNKNOWN';
    if (status === 'COMPLETED') return moved;
    if (status === 'FAILED' || status === 'CANCELLED') {
      throw new Error(`Message move task from ${dlqArn} ${status.toLowerCase()}${task?.FailureReason ? `: ${task.FailureReason}` : ''} after ${moved} message(s)`);
    }
    progress(`Moving messages from ${dlqArn}: ${moved}${total === undefined ? '' : ` of ${total}`} moved`);
    await pause(pollMs, signal);
    if (signal?.aborted) return moved;
  }
}

/**
 * Publishes the events of an EventBridge dead-letter queue again (the message body is the event), deleting each
 * message only after PutEvents accepted its entry.
 */
async function republishDeadLetters(
  sqs: SQSClient,
  eventBridge: EventBridgeClient,
  queueUrl: string,
  busName: string,
  progress: (line: string) => void,
  signal?: AbortSignal,
): Promise<number> {
  let published = 0;
  while (!signal?.aborted) {
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
    const messages = received.Messages ?? [];
    if (messages.length === 0) break;
    const entries: Array<{ handle: string; envelope: EventEnvelope }> = [];
    for (const message of messages) {
      try {
        const value: unknown = JSON.parse(message.Body ?? '');
        if (isEnvelope(value) && message.ReceiptHandle !== undefined) entries.push({ handle: message.ReceiptHandle, envelope: value });
      } catch {
        // Not an event: left in the queue for a person to look at.
      }
    }
    if (entries.length === 0) break;
    const result = await eventBridge.send(
      new PutEventsCommand({
        Entries: entries.map(({ envelope }) => ({
          EventBusName: busName,
          Source: envelope.source,
          DetailType: envelope['detail-type'],
          Detail: JSON.stringify(envelope.detail),
          Time: new Date(envelope.time),
        })),
      }),
    );
    const accepted = entries.filter((_, index) => result.Entries?.[index]?.EventId !== undefined);
    if (accepted.length > 0) {
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: accepted.map(({ handle }, index) => ({ Id: String(index), ReceiptHandle: handle })),
        }),
      );
    }
    published += accepted.length;
    progress(`Published ${published} dead-lettered event(s) again`);
    if (accepted.length < entries.length) {
      throw new Error(`${entries.length - accepted.length} event(s) were refused by PutEvents; they stay in the dead-letter queue`);
    }
  }
  return published;
}
