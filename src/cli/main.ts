/**
 * The operator CLI, `npx hookguard <command>`: `send`, `urls`, `rotate`. Exit code 0 when it worked, 1 with a
 * one-line message otherwise.
 */
import { describeError } from '../local/options';
import type { CliDeps, CliIo } from './cli-context';
import { runRotateCommand } from './rotate-command';
import { runSendCommand } from './send-command';
import { runUrlsCommand } from './urls-command';

/** `hookguard --help`. */
export const CLI_USAGE = [
  'Usage: npx hookguard <command> [options]',
  '',
  'Commands:',
  '  send <provider> <event-type>   post a realistic, signed provider request (--all: every event it can simulate)',
  '  urls                           the webhook URL of every enabled provider (--deployed: of the deployed stack)',
  '  rotate                         a new Basic credential (--revoke-previous, --deployed)',
  '',
  'Every command takes --config, --stage, --data-dir, --secrets, --port; npx hookguard <command> --help for more.',
].join('\n');

const COMMANDS: Readonly<Record<string, (argv: readonly string[], io: CliIo, deps: CliDeps) => Promise<number>>> = {
  send: runSendCommand,
  urls: runUrlsCommand,
  rotate: runRotateCommand,
};

/**
 * Runs one command line; resolves the exit code. Never throws: errors are printed as one line on `io.err`.
 *
 * @example
 * const code = await runCli(['urls', '--stage', 'dev'], { out: console.log, err: console.error, env: process.env });
 */
export async function runCli(argv: readonly string[], io: CliIo, deps: CliDeps = {}): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    (command === undefined ? io.err : io.out)(CLI_USAGE);
    return command === undefined ? 1 : 0;
  }
  const run = COMMANDS[command];
  if (run === undefined) {
    io.err(`hookguard: unknown command "${command}" (expected ${Object.keys(COMMANDS).join(', ')})`);
    return 1;
  }
  try {
    return await run(rest, io, deps);
  } catch (error) {
    io.err(`hookguard ${command}: ${describeError(error)}`);
    return 1;
  }
}

/** The process entry used by `bin/hookguard.js`. */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<number> {
  // The AWS SDK warns about Node 20 on every call; the warning says nothing about what the user asked for.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  return runCli(argv, {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    env: process.env,
  });
}
