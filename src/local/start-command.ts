/**
 * `npm start`: parses the command line, starts the local runtime, prints the banner and one line per request and
 * per event. Separate from `main.ts` (which owns the process: signals, exit codes) so tests can run it in-process.
 */
import { relative } from 'node:path';
import { ConsoleLogger, clockTime } from './console-logger';
import { formatEventLine, formatProviderUrls, formatRequestLine } from './console-output';
import { COMMON_OPTIONS, COMMON_OPTIONS_HELP, describeError, parseCommandLine, resolveCommonOptions } from './options';
import { type LocalRuntime, type LocalRuntimeOptions, startLocalRuntime } from './runtime';

/** Where the command writes: `out` for its readable lines, `err` for warnings and errors. */
export interface CommandIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** `npm start --help`. */
export const START_USAGE = [
  'Usage: npm start -- [options]',
  '',
  'Runs the Hookguard API locally on 127.0.0.1: the same routes, Basic auth and verifier pipeline as the deployed',
  'stack, with dedupe in an embedded DynamoDB under the data directory and events appended to an events file.',
  '',
  'Options:',
  ...COMMON_OPTIONS_HELP,
  '  --events-out <file> where every published event goes (default <data-dir>/events.jsonl)',
  "  --verbose           also log the pipeline's debug and info entries",
].join('\n');

/** The result of {@link runStartCommand}: a running runtime, or an exit code when it did not start. */
export type StartResult = { readonly runtime: LocalRuntime } | { readonly exitCode: number };

/**
 * Starts the runtime from a command line. Errors are printed as one line on `io.err` and give exit code 1.
 *
 * @param overrides options for tests (a providers map, a clock); the command line decides the rest.
 */
export async function runStartCommand(
  argv: readonly string[],
  io: CommandIo,
  overrides: Partial<LocalRuntimeOptions> = {},
): Promise<StartResult> {
  let runtime: LocalRuntime;
  try {
    const { values } = parseCommandLine(
      argv,
      { ...COMMON_OPTIONS, 'events-out': { type: 'string' }, verbose: { type: 'boolean' } },
      false,
    );
    const options = resolveCommonOptions(values, io.env);
    if (options.help) {
      io.out(START_USAGE);
      return { exitCode: 0 };
    }
    const stamp = (line: string) => `${clockTime(new Date())} ${line}`;
    runtime = await startLocalRuntime({
      configPath: options.configPath,
      stage: options.stage,
      port: options.port,
      dataDir: options.dataDir,
      secretsPath: options.secretsPath,
      ...(values['events-out'] ? { eventsOut: values['events-out'] } : {}),
      output: (line) => io.out(stamp(line)),
      logger: new ConsoleLogger(io.err, values.verbose ? 'debug' : 'warn'),
      onRequest: (report) => {
        io.out(stamp(formatRequestLine(report)));
        for (const event of report.outcome?.events ?? []) io.out(stamp(formatEventLine(event, report.statusCode)));
      },
      ...overrides,
    });
  } catch (error) {
    io.err(`hookguard: ${describeError(error)}`);
    return { exitCode: 1 };
  }
  await printBanner(runtime, io);
  return { runtime };
}

function displayPath(path: string): string {
  const shown = relative(process.cwd(), path);
  return shown === '' || shown.startsWith('..') ? path : shown;
}

async function printBanner(runtime: LocalRuntime, io: CommandIo): Promise<void> {
  const lines = [
    `Hookguard local runtime (stage ${runtime.stage.stage}) listening on ${runtime.url}`,
    `  data: ${displayPath(runtime.paths.dataDir)}  secrets: ${displayPath(runtime.paths.secrets)}${runtime.secretsCreated ? ' (created)' : ''}  events: ${displayPath(runtime.paths.eventsOut)}`,
  ];
  if (runtime.generatedKeysFor.length > 0) {
    lines.push(`  generated signing keys for: ${runtime.generatedKeysFor.join(', ')}`);
  }
  if (runtime.generatedPathToken) {
    lines.push('  generated a path token: webhooks are at /webhooks/<token>/<provider> (docs/path-token.md)');
  }
  const urls = await runtime.providerUrls();
  lines.push('', 'Webhook URLs (credentials included: treat them as secrets):');
  lines.push(...formatProviderUrls(urls));
  if (runtime.routes.length > 0) {
    lines.push('', 'Routes:');
    for (const route of runtime.routes) lines.push(`  ${route.name.padEnd(18)} -> ${route.destination}`);
  }
  const example = urls[0]?.provider ?? '<provider>';
  lines.push('', `Try: npx hookguard send ${example} --all    Stop: Ctrl-C`, '');
  for (const line of lines) io.out(line);
}
