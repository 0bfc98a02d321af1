/**
 * Command-line options shared by `npm start` and `npx hookguard`, and the one-line error messages both print.
 */
import { join } from 'node:path';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { ConfigError, DEFAULT_CONFIG_FILE } from '../../lib/config';
import { LOCAL_DEFAULTS } from './runtime';

/** A command line that cannot be run; printed as one line with exit code 1. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Options every command takes. */
export const COMMON_OPTIONS = {
  config: { type: 'string' },
  stage: { type: 'string' },
  secrets: { type: 'string' },
  'data-dir': { type: 'string' },
  port: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

/** The help text of the common options. */
export const COMMON_OPTIONS_HELP = [
  '  --config <file>     configuration file (default hookguard.config.json)',
  '  --stage <name>      stage of the configuration (default dev)',
  '  --data-dir <dir>    local data directory (default .hookguard)',
  '  --secrets <file>    local secrets file (default <data-dir>/secrets.json)',
  '  --port <n>          local runtime port (default $PORT or 3000)',
  '  -h, --help          this help',
];

/** Resolved common options. */
export interface CommonOptions {
  readonly configPath: string;
  readonly stage: string;
  readonly dataDir: string;
  readonly secretsPath: string;
  readonly port: number;
  readonly help: boolean;
}

/**
 * Parses a command line strictly (unknown options are errors, naming the option).
 *
 * @throws {UsageError}
 */
export function parseCommandLine<T extends NonNullable<ParseArgsConfig['options']>>(
  argv: readonly string[],
  options: T,
  allowPositionals: boolean,
) {
  try {
    return parseArgs({ args: [...argv], options, allowPositionals, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message.split('\n', 1)[0] ?? 'Invalid command line');
  }
}

/**
 * Reads a port: an integer from 0 to 65535.
 *
 * @throws {UsageError} naming where the value came from.
 */
export function parsePort(value: string, source: string): number {
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) {
    throw new UsageError(`${source} must be a port number from 0 to 65535, got "${value}"`);
  }
  return Number(value);
}

/** Resolves the common options: flags first, then `PORT` from the environment, then the defaults. */
export function resolveCommonOptions(
  values: {
    config?: string | undefined;
    stage?: string | undefined;
    secrets?: string | undefined;
    'data-dir'?: string | undefined;
    port?: string | undefined;
    help?: boolean | undefined;
  },
  env: Readonly<Record<string, string | undefined>>,
): CommonOptions {
  const dataDir = values['data-dir'] ?? LOCAL_DEFAULTS.dataDir;
  let port: number = LOCAL_DEFAULTS.port;
  if (values.port !== undefined) port = parsePort(values.port, '--port');
  else if (env.PORT !== undefined && env.PORT !== '') port = parsePort(env.PORT, 'PORT');
  return {
    configPath: values.config ?? DEFAULT_CONFIG_FILE,
    stage: values.stage ?? LOCAL_DEFAULTS.stage,
    dataDir,
    secretsPath: values.secrets ?? join(dataDir, LOCAL_DEFAULTS.secretsFile),
    port,
    help: values.help ?? false,
  };
}

const BUILT_IN_ERRORS = new Set(['TypeError', 'RangeError', 'ReferenceError', 'SyntaxError']);

/**
 * One line for an error that stops a command: what is wrong and, for a configuration, every problem. Never a stack.
 */
export function describeError(error: unknown): string {
  if (error instanceof ConfigError) {
    const problems = error.problems.map((problem) => `${problem.path}: ${problem.message}`).join('; ');
    return `Invalid configuration ${error.source} (${error.problems.length} problem${error.problems.length === 1 ? '' : 's'}): ${problems}`;
  }
  if (error instanceof Error) {
    const message = error.message.replace(/\s*\n\s*/g, '; ');
    // A bug's built-in error type says more than its bare message; our own errors are written to stand alone.
    return BUILT_IN_ERRORS.has(error.name) ? `${error.name}: ${message}` : message;
  }
  return String(error);
}
