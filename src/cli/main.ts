/**
 * The operator CLI, `npx hookguard <command>`. Exit code 0 when it worked, 1 with a one-line message otherwise.
 * Each command is its own module, registered with one line in {@link COMMANDS}.
 */
import type { CliDeps, CliIo } from './cli-context';
import { describeCommandError } from './command-kit';
import { runRotateCommand } from './rotate-command';
import { runSendCommand } from './send-command';
import { runKeysCommand } from './keys-command';
import { runListenCommand } from './listen-command';
import { runProvidersCommand } from './providers-command';
import { runRangesCommand } from './ranges-command';
import { runReplayCommand } from './replay-command';
import { runSmokeCommand } from './smoke-command';
import { runStatusCommand } from './status-command';
import { runTailCommand } from './tail-command';
import { runUrlsCommand } from './urls-command';

/** A command: its one-line summary for `hookguard --help`, and how it runs (resolving the exit code). */
export interface CliCommand {
  readonly summary: string;
  readonly run: (argv: readonly string[], io: CliIo, deps: CliDeps) => Promise<number>;
}

/**
 * Every command. A Map, so a name like `constructor` or `__proto__` is simply unknown (an object literal would find
 * `Object.prototype`'s members).
 */
export const COMMANDS: ReadonlyMap<string, CliCommand> = new Map<string, CliCommand>([
  ['send', { summary: 'post a realistic, signed provider request (<provider> <event-type>, or --all)', run: runSendCommand }],
  ['urls', { summary: 'the webhook URL of every enabled provider (--provider, --json, --deployed)', run: runUrlsCommand }],
  ['tail', { summary: 'follow events as they are published, one line each (filters, --json, --deployed)', run: runTailCommand }],
  ['replay', { summary: 'publish events of a time range again, or redrive a route\'s dead letters', run: runReplayCommand }],
  ['listen', { summary: 'forward matching events to a local URL, with retries (--forward-to <url>)', run: runListenCommand }],
  ['keys', { summary: 'set (format-checked), list (fingerprints) and rotate-help for provider signing keys', run: runKeysCommand }],
  ['rotate', { summary: 'a new Basic credential (--revoke-previous, --deployed)', run: runRotateCommand }],
  ['smoke', { summary: 'prove a stage end to end: perimeter, signatures, canary (--json, --deployed)', run: runSmokeCommand }],
  ['providers', { summary: "sync managed providers' webhooks with the current credential (sync [--dry-run] --deployed)", run: runProvidersCommand }],
  ['status', { summary: 'traffic, alarms, DLQs, credential and canary of a stage (--json, --deployed)', run: runStatusCommand }],
  ['ranges', { summary: 'source allow-lists in force; refresh the published ones now (refresh --deployed [--confirm])', run: runRangesCommand }],
]);

/** `hookguard --help`. */
export function cliUsage(): string {
  return [
    'Usage: npx hookguard <command> [options]',
    '',
    'Commands:',
    ...[...COMMANDS].map(([name, command]) => `  ${name.padEnd(12)} ${command.summary}`),
    '',
    'Every command takes --config, --stage, --data-dir, --secrets, --port and --help; the deployed ones --deployed,',
    '--region, --profile. npx hookguard <command> --help for more; docs/cli.md for everything.',
  ].join('\n');
}

/** `hookguard --help` as a constant, for tests and docs. */
export const CLI_USAGE = cliUsage();

/**
 * Runs one command line; resolves the exit code. Never throws: errors are printed as one line on `io.err`.
 *
 * @example
 * const code = await runCli(['urls', '--stage', 'dev'], { out: console.log, err: console.error, env: process.env });
 */
export async function runCli(argv: readonly string[], io: CliIo, deps: CliDeps = {}): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.err : io.out)(cliUsage());
    return name === undefined ? 1 : 0;
  }
  const command = COMMANDS.get(name);
  if (command === undefined) {
    io.err(`hookguard: unknown command "${name}" (expected ${[...COMMANDS.keys()].join(', ')})`);
    return 1;
  }
  try {
    return await command.run(rest, io, deps);
  } catch (error) {
    io.err(`hookguard ${name}: ${describeCommandError(error)}`);
    return 1;
  }
}

/** How long a command may take to clean up after Ctrl-C before the process exits anyway. */
const STOP_GRACE_MS = 10_000;

/**
 * The process entry used by `bin/hookguard.js`. A closed stdout (`hookguard urls | head -1`) ends the output
 * quietly instead of an EPIPE stack trace; Ctrl-C and SIGTERM abort `io.signal`, so a following command (tail,
 * listen, replay) removes what it created before exiting; a second Ctrl-C exits at once.
 */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<number> {
  // The AWS SDK warns about Node 20 on every call; the warning says nothing about what the user asked for.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const stop = new AbortController();
  let stdoutClosed = false;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    stdoutClosed = true;
    stop.abort();
  });
  const onSignal = (signal: NodeJS.Signals) => {
    if (stop.signal.aborted) {
      process.stderr.write(`hookguard: ${signal} again, exiting without cleaning up\n`);
      process.exit(130);
    }
    stop.abort();
    setTimeout(() => process.exit(130), STOP_GRACE_MS).unref();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await runCli(argv, {
      out: (line) => {
        if (!stdoutClosed) process.stdout.write(`${line}\n`);
      },
      err: (line) => process.stderr.write(`${line}\n`),
      env: process.env,
      isTTY: process.stdout.isTTY === true,
      signal: stop.signal,
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
