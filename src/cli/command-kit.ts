/**
 * What every `hookguard` command shares, in one place so each command module stays small: the `--deployed`,
 * `--region`, `--profile` and `--json` options, the AWS target a deployed command talks to (with an error naming
 * what is missing instead of the SDK's bare "Region is missing"), colour (only on a TTY, never with `NO_COLOR`),
 * progress lines, JSON output, and one-line error messages.
 *
 * A new command: parse with `parseCommandLine(argv, { ...COMMON_OPTIONS, ...DEPLOYED_OPTIONS, ...JSON_OPTION })`,
 * print its help with `COMMON_OPTIONS_HELP` and `DEPLOYED_OPTIONS_HELP`, get `awsTarget(values, stage, io)` when
 * `values.deployed`, build SDK clients with `awsClientConfig(target)`, and register one line in `main.ts`.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { ParseArgsConfig } from 'node:util';
import type { StageConfig } from '../../lib/config/types';
import { describeError, UsageError } from '../local/options';

/** `--deployed`, `--region`, `--profile`: the options of every command that can act on a deployed stage. */
export const DEPLOYED_OPTIONS = {
  deployed: { type: 'boolean' },
  region: { type: 'string' },
  profile: { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

/** Help lines of {@link DEPLOYED_OPTIONS}. */
export const DEPLOYED_OPTIONS_HELP = [
  '  --deployed          act on the deployed stack Hookguard-<stage> instead of the local runtime',
  "  --region <region>   AWS region of the stack (default: the stage's env.region, then AWS_REGION / the profile's)",
  '  --profile <name>    AWS profile from your shared config files (default: AWS_PROFILE or the default chain)',
];

/** `--json`: machine-readable output on stdout. */
export const JSON_OPTION = { json: { type: 'boolean' } } as const satisfies ParseArgsConfig['options'];

/** Help line of {@link JSON_OPTION}. */
export const JSON_OPTION_HELP = '  --json              print JSON (one document per line) for scripts';

/** Where a deployed command's SDK clients point. */
export interface AwsTarget {
  readonly region: string;
  /** Named profile of the shared config files; undefined: the SDK's default chain (AWS_PROFILE, env, SSO...). */
  readonly profile?: string;
}

/** SDK client configuration for a target. */
export function awsClientConfig(target: AwsTarget): { region: string; profile?: string } {
  return { region: target.region, ...(target.profile === undefined ? {} : { profile: target.profile }) };
}

/** No region or no credentials for a deployed command; the message says which and how to give it. */
export class AwsTargetError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'AwsTargetError';
  }
}

/**
 * Resolves the region and profile a deployed command uses: `--region`, then the stage's `env.region`, then the
 * SDK's own chain for the profile (AWS_REGION, AWS_DEFAULT_REGION, the profile's `region` in ~/.aws/config).
 *
 * @throws {AwsTargetError} naming the missing region and every way to give one.
 */
export async function awsTarget(
  values: { region?: string | undefined; profile?: string | undefined },
  stage: StageConfig,
  env: Readonly<Record<string, string | undefined>> = {},
): Promise<AwsTarget> {
  const profile = values.profile ?? (env.AWS_PROFILE || undefined);
  if (values.region !== undefined) {
    if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(values.region)) {
      throw new UsageError(`--region must be an AWS region such as eu-west-1, got "${values.region}"`);
    }
    return { region: values.region, ...(profile === undefined ? {} : { profile }) };
  }
  if (stage.env?.region !== undefined) return { region: stage.env.region, ...(profile === undefined ? {} : { profile }) };
  // The SDK's region chain (environment, then the profile's config) without any request: a client resolves it.
  const probe = new EventBridgeClient(profile === undefined ? {} : { profile });
  try {
    const region = await probe.config.region();
    if (region) return { region, ...(profile === undefined ? {} : { profile }) };
  } catch {
    // "Region is missing": answered below with what the user can do about it.
  } finally {
    probe.destroy();
  }
  throw new AwsTargetError(
    `No AWS region for stage ${stage.stage}: pass --region <region>, set env.region for the stage in the ` +
      `configuration, set AWS_REGION, or give ${profile === undefined ? 'your profile' : `profile ${profile}`} a region`,
  );
}

/**
 * One line for an AWS SDK error: missing credentials and unknown profiles say how to give them; other errors keep
 * their name and message (AWS messages name resources, never secret values).
 */
export function describeAwsError(error: unknown, target?: AwsTarget): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const profile = target?.profile;
  if (error.name === 'CredentialsProviderError' || /Could not load credentials|Profile .* could not be found/i.test(error.message)) {
    return profile === undefined
      ? 'No AWS credentials: pass --profile <name>, set AWS_PROFILE, or sign in (aws sso login / aws configure)'
      : `No AWS credentials for profile ${profile}: check ~/.aws/config and ~/.aws/credentials, or sign in (aws sso login --profile ${profile})`;
  }
  if (/Region is missing/i.test(error.message)) {
    return 'No AWS region: pass --region <region>, set env.region for the stage, or set AWS_REGION';
  }
  return undefined;
}

/** One line for an error that stops a command (AWS targets first, then the shared rules of `describeError`). */
export function describeCommandError(error: unknown): string {
  return describeAwsError(error) ?? describeError(error);
}

/** Whether colour may be used: stdout is a terminal and `NO_COLOR` is not set (https://no-color.org). */
export function colourEnabled(io: { readonly isTTY?: boolean; readonly env: Readonly<Record<string, string | undefined>> }): boolean {
  return io.isTTY === true && (io.env.NO_COLOR === undefined || io.env.NO_COLOR === '');
}

/** ANSI styles that are identity functions when colour is off. */
export interface Style {
  readonly bold: (text: string) => string;
  readonly dim: (text: string) => string;
  readonly red: (text: string) => string;
  readonly green: (text: string) => string;
  readonly yellow: (text: string) => string;
  readonly cyan: (text: string) => string;
}

/** The styles for an output. */
export function styleFor(io: { readonly isTTY?: boolean; readonly env: Readonly<Record<string, string | undefined>> }): Style {
  const on = colourEnabled(io);
  const wrap = (open: number, close: number) => (text: string) => (on ? `\x1b[${open}m${text}\x1b[${close}m` : text);
  return {
    bold: wrap(1, 22),
    dim: wrap(2, 22),
    red: wrap(31, 39),
    green: wrap(32, 39),
    yellow: wrap(33, 39),
    cyan: wrap(36, 39),
  };
}

/** Prints one JSON document as one line (NDJSON when called repeatedly). */
export function printJson(io: { readonly out: (line: string) => void }, value: unknown): void {
  io.out(JSON.stringify(value));
}

/**
 * Progress of something slow, on stderr (so `--json` output stays clean): each distinct state once, and nothing
 * repeated while the state does not change.
 */
export function progressReporter(io: { readonly err: (line: string) => void }): (line: string) => void {
  let last: string | undefined;
  return (line) => {
    if (line === last) return;
    last = line;
    io.err(line);
  };
}

/** Resolves after `ms`, or at once when the signal aborts (never rejects). */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve();
      return;
    }
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Parses a point in time for `--since` / `--until`: an ISO 8601 date-time, or a duration back from now such as
 * `30s`, `15m`, `2h`, `7d`.
 *
 * @throws {UsageError} naming the option and the accepted forms.
 */
export function parseTimeOption(value: string, option: string, now: Date): Date {
  const relative = /^(\d+)(s|m|h|d)$/.exec(value);
  if (relative) {
    const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[relative[2] as 's' | 'm' | 'h' | 'd'];
    return new Date(now.getTime() - Number(relative[1]) * unit);
  }
  const time = /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(time)) {
    throw new UsageError(`${option} must be an ISO 8601 time (2026-01-31T12:00:00Z) or a duration (30m, 2h, 7d), got "${value}"`);
  }
  return new Date(time);
}

/**
 * Parses `--pattern`: an EventBridge event pattern as JSON text.
 *
 * @throws {UsageError} when it is not a JSON object (the pattern's own rules are checked by its compiler).
 */
export function parsePatternOption(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new UsageError('--pattern must be an EventBridge event pattern in JSON, e.g. \'{"detail":{"eventType":["bounced"]}}\'');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UsageError('--pattern must be a JSON object (an EventBridge event pattern)');
  }
  return value as Record<string, unknown>;
}
