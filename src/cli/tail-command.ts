/**
 * `hookguard tail`: follows the event stream as it happens, one readable line per event (or whole envelopes with
 * `--json`). Locally it follows the runtime's events file; with `--deployed` it follows the stage's bus through a
 * temporary rule and queue (`bus-follower.ts`), deleted when it stops.
 */
import { join } from 'node:path';
import type { EventEnvelope } from '../local/local-event-bus';
import { COMMON_OPTIONS, COMMON_OPTIONS_HELP, parseCommandLine, resolveCommonOptions, UsageError } from '../local/options';
import { LOCAL_DEFAULTS } from '../local/runtime';
import { followDeployedBus } from './bus-follower';
import { type CliDeps, type CliIo, loadStage } from './cli-context';
import {
  awsTarget,
  DEPLOYED_OPTIONS,
  DEPLOYED_OPTIONS_HELP,
  JSON_OPTION,
  parseTimeOption,
  printJson,
  progressReporter,
  styleFor,
} from './command-kit';
import { deployedStackOutputs, requireOutputs } from './deployed-resources';
import { buildEventFilter, FILTER_OPTIONS, FILTER_OPTIONS_HELP, formatEventSummary } from './event-filters';
import { followEventsFile } from './events-file';

/** `hookguard tail --help`. */
export const TAIL_USAGE = [
  'Usage: npx hookguard tail [filters] [--json] [--deployed] [options]',
  '',
  'Follows the events as they are published: one line per event (time, provider, type, masked recipient, message',
  'id), or with --json each whole EventBridge envelope on one line. Ctrl-C stops.',
  "Locally it follows the runtime's events file. With --deployed it creates a temporary rule on the stage's bus and",
  'a temporary SQS queue for it, long-polls the queue, and deletes both when it stops (ones left by a killed tail',
  'are deleted by the next tail after 24 h). Cost: SQS requests only, under $0.002 a day while idle (docs/cli.md).',
  'Needs events:PutRule/PutTargets/RemoveTargets/DeleteRule/ListRules and sqs:CreateQueue/ReceiveMessage/',
  'DeleteMessage*/DeleteQueue/ListQueues/GetQueueAttributes.',
  '',
  'Options:',
  ...FILTER_OPTIONS_HELP,
  '  --json              print each whole envelope as one JSON line',
  '  --since <time>      local: start with the events of the file since then (ISO time or 30m, 2h, 1d)',
  '  --limit <n>         stop after n events',
  '  --events <file>     local events file (default <data-dir>/events.jsonl)',
  ...DEPLOYED_OPTIONS_HELP,
  ...COMMON_OPTIONS_HELP,
].join('\n');

const TAIL_OPTIONS = {
  ...COMMON_OPTIONS,
  ...DEPLOYED_OPTIONS,
  ...JSON_OPTION,
  ...FILTER_OPTIONS,
  since: { type: 'string' },
  limit: { type: 'string' },
  events: { type: 'string' },
} as const;

/** Parses `--limit`. */
export function parseLimit(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[1-9]\d{0,8}$/.test(value)) throw new UsageError(`--limit must be a positive whole number, got "${value}"`);
  return Number(value);
}

/** Runs `tail`; resolves the exit code once stopped (Ctrl-C, a closed stdout, or --limit). */
export async function runTailCommand(argv: readonly string[], io: CliIo, deps: CliDeps): Promise<number> {
  const { values } = parseCommandLine(argv, TAIL_OPTIONS, false);
  if (values.help) {
    io.out(TAIL_USAGE);
    return 0;
  }
  const options = resolveCommonOptions(values, io.env);
  const { stage } = loadStage(options, deps);
  const filter = buildEventFilter(values);
  const limit = parseLimit(values.limit);
  const now = deps.now ?? (() => new Date());
  const since = values.since === undefined ? undefined : parseTimeOption(values.since, '--since', now());
  const style = styleFor(io);
  const progress = progressReporter(io);
  // Our own controller: --limit stops the follower the same way Ctrl-C does.
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  io.signal?.addEventListener('abort', onAbort, { once: true });

  let source: AsyncGenerator<EventEnvelope>;
  if (values.deployed) {
    if (since !== undefined) throw new UsageError('--since is local only: a deployed bus is followed from now (replay the archive for earlier events)');
    const target = await awsTarget(values, stage, io.env);
    const outputs = requireOutputs(await deployedStackOutputs(target, stage.stage), stage.stage, [
      'EventBusName',
      'EventBusArn',
    ]);
    source = followDeployedBus({
      target,
      stage: stage.stage,
      busName: outputs.EventBusName,
      busArn: outputs.EventBusArn,
      pattern: filter.pattern,
      signal: stop.signal,
      progress,
      now,
    });
  } else {
    const eventsPath = values.events ?? join(options.dataDir, LOCAL_DEFAULTS.eventsFile);
    progress(`Following ${eventsPath}${filter.filtered ? ' (filtered)' : ''}; Ctrl-C to stop`);
    source = followEventsFile(eventsPath, {
      fromStart: since !== undefined,
      signal: stop.signal,
      onWaiting: () => progress(`Waiting for ${eventsPath} (is the local runtime running? npm start)`),
    });
  }

  let shown = 0;
  try {
    for await (const envelope of source) {
      if (!filter.matches(envelope)) continue;
      if (since !== undefined && Date.parse(envelope.time) < since.getTime()) continue;
      if (values.json) printJson(io, envelope);
      else io.out(formatEventSummary(envelope, style));
      shown++;
      if (limit !== undefined && shown >= limit) {
        stop.abort();
        break;
      }
    }
  } finally {
    io.signal?.removeEventListener('abort', onAbort);
    await source.return(undefined);
  }
  return 0;
}
