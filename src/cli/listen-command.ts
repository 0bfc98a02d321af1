/**
 * `hookguard listen --forward-to <url>`: forwards every matching event to an app on this machine, like
 * `stripe listen`. It attaches to a local runtime already running on the data directory (following its events
 * file), or starts one in this process; no configuration change either way.
 */
import { join } from 'node:path';
import { DataDirInUseError } from '../local/data-dir-lock';
import type { EventEnvelope } from '../local/local-event-bus';
import { COMMON_OPTIONS, COMMON_OPTIONS_HELP, parseCommandLine, resolveCommonOptions, UsageError } from '../local/options';
import { redactUrl } from '../local/route-destinations';
import { LOCAL_DEFAULTS, type LocalRuntime, startLocalRuntime } from '../local/runtime';
import { type CliDeps, type CliIo, loadStage } from './cli-context';
import { pause, progressReporter, styleFor } from './command-kit';
import { buildEventFilter, FILTER_OPTIONS, FILTER_OPTIONS_HELP } from './event-filters';
import { followEventsFile } from './events-file';

/** `hookguard listen --help`. */
export const LISTEN_USAGE = [
  'Usage: npx hookguard listen --forward-to <url> [filters] [options]',
  '',
  'POSTs every matching event (the whole EventBridge envelope as JSON) to <url>, one at a time in order. Attaches to',
  'the local runtime running on the data directory, or starts one here (Ctrl-C stops both). A refused or failed',
  'delivery is retried with backoff (0.5 s doubling, at most 8 s between tries), then reported and skipped.',
  'Local only: to receive deployed events on a laptop, add a route with an http target or use tail --deployed.',
  '',
  'Options:',
  '  --forward-to <url>  where to POST each event (http or https)',
  ...FILTER_OPTIONS_HELP,
  '  --retries <n>       retries after the first attempt (default 5, at most 20)',
  '  --events <file>     events file of a running runtime (default <data-dir>/events.jsonl)',
  ...COMMON_OPTIONS_HELP,
].join('\n');

const LISTEN_OPTIONS = {
  ...COMMON_OPTIONS,
  ...FILTER_OPTIONS,
  'forward-to': { type: 'string' },
  retries: { type: 'string' },
  events: { type: 'string' },
} as const;

/** Options of {@link forwardEvent}. */
export interface ForwardOptions {
  readonly url: string;
  readonly retries: number;
  readonly fetch: typeof fetch;
  readonly signal?: AbortSignal;
  /** Delay before retry n (1-based), ms. @default 500 ms doubling up to 8 s */
  readonly backoffMs?: (retry: number) => number;
  /** @default 10_000 */
  readonly timeoutMs?: number;
}

/** The result of one forwarded event. */
export interface ForwardResult {
  readonly delivered: boolean;
  readonly attempts: number;
  /** The last HTTP status, or the network problem. */
  readonly outcome: string;
}

/** POSTs one envelope with bounded retries: a 2xx is delivered; anything else is retried until the retries run out. */
export async function forwardEvent(envelope: EventEnvelope, options: ForwardOptions): Promise<ForwardResult> {
  const backoff = options.backoffMs ?? ((retry: number) => Math.min(8_000, 500 * 2 ** (retry - 1)));
  let outcome = 'not attempted';
  for (let attempt = 1; attempt <= options.retries + 1; attempt++) {
    if (attempt > 1) {
      await pause(backoff(attempt - 1), options.signal);
      if (options.signal?.aborted) return { delivered: false, attempts: attempt - 1, outcome };
    }
    try {
      const response = await options.fetch(options.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'hookguard-listen',
          'x-hookguard-event-id': envelope.id,
        },
        body: JSON.stringify(envelope),
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
      await response.arrayBuffer().catch(() => undefined);
      outcome = String(response.status);
      if (response.ok) return { delivered: true, attempts: attempt, outcome };
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      outcome = cause ?? (error instanceof Error ? error.name : 'error');
    }
  }
  return { delivered: false, attempts: options.retries + 1, outcome };
}

function parseRetries(value: string | undefined): number {
  if (value === undefined) return 5;
  if (!/^\d{1,2}$/.test(value) || Number(value) > 20) {
    throw new UsageError(`--retries must be a whole number from 0 to 20, got "${value}"`);
  }
  return Number(value);
}

/** Runs `listen`; resolves the exit code once stopped. */
export async function runListenCommand(argv: readonly string[], io: CliIo, deps: CliDeps): Promise<number> {
  const { values } = parseCommandLine(argv, LISTEN_OPTIONS, false);
  if (values.help) {
    io.out(LISTEN_USAGE);
    return 0;
  }
  const forwardTo = values['forward-to'];
  if (forwardTo === undefined) throw new UsageError('listen needs --forward-to <url>, e.g. http://localhost:8080/webhooks');
  let url: URL;
  try {
    url = new URL(forwardTo);
  } catch {
    throw new UsageError(`--forward-to must be an http(s) URL, got "${redactUrl(forwardTo)}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`--forward-to must be an http(s) URL, got "${url.protocol}"`);
  }
  const retries = parseRetries(values.retries);
  const filter = buildEventFilter(values);
  const options = resolveCommonOptions(values, io.env);
  const { stage } = loadStage(options, deps);
  const progress = progressReporter(io);
  const style = styleFor(io);

  let runtime: LocalRuntime | undefined;
  let eventsPath = values.events ?? join(options.dataDir, LOCAL_DEFAULTS.eventsFile);
  if (values.events === undefined) {
    try {
      runtime = await startLocalRuntime({
        stageConfig: stage,
        port: options.port,
        dataDir: options.dataDir,
        secretsPath: options.secretsPath,
        ...(deps.providers ? { providers: deps.providers } : {}),
      });
      eventsPath = runtime.paths.eventsOut;
      progress(`Started the local runtime (stage ${stage.stage}) on ${runtime.url}; npx hookguard urls shows its webhook URLs`);
    } catch (error) {
      if (!(error instanceof DataDirInUseError)) throw error;
      progress(`Attached to the local runtime running on ${options.dataDir} (pid ${error.pid})`);
    }
  }

  const shown = redactUrl(url.toString());
  progress(`Forwarding ${filter.filtered ? 'matching ' : ''}events to ${shown}; Ctrl-C to stop`);
  let failures = 0;
  try {
    for await (const envelope of followEventsFile(eventsPath, io.signal ? { signal: io.signal } : {})) {
      if (!filter.matches(envelope)) continue;
      const result = await forwardEvent(envelope, {
        url: url.toString(),
        retries,
        fetch: deps.fetch ?? fetch,
        ...(io.signal ? { signal: io.signal } : {}),
      });
      const detail = envelope.detail as { provider?: unknown; messageId?: unknown };
      const what = `${envelope['detail-type']} ${String(detail.provider ?? '-')} ${envelope.id}`;
      if (result.delivered) {
        io.out(`${style.green('-->')} ${result.outcome} ${what}${result.attempts > 1 ? ` (attempt ${result.attempts})` : ''}`);
      } else {
        failures++;
        io.out(`${style.red('xx>')} ${result.outcome} ${what}: not delivered after ${result.attempts} attempt(s), skipped`);
      }
    }
  } finally {
    await runtime?.close();
  }
  if (failures > 0) io.err(`${failures} event(s) could not be forwarded`);
  return 0;
}
