/**
 * The scheduled watch function: once an hour it reads the Basic credential secret's rotation facts (never its value)
 * and writes the rotation state as CloudWatch embedded metrics (`CredentialAgeHours`,
 * `CredentialRotationOverdueHours`, `PreviousCredentialHoursLeft`). The "rotation overdue" and "provider still on the
 * previous credential" alarms read them: no CloudWatch metric says how old a secret is or when its grace period ends.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { readSecretRotationInfo } from '../adapters/secret-rotation-info';
import {
  credentialRotationState,
  type RotationPolicy,
  rotationStateRecord,
  type SecretRotationInfo,
} from '../core/credential-watch';

/** What the handler needs; tests pass fakes, the Lambda {@link defaultDeps}. */
export interface WatchHandlerDeps {
  readonly readInfo: () => Promise<SecretRotationInfo>;
  readonly policy: RotationPolicy;
  readonly stage: string;
  /** Where the EMF record goes (stdout: Lambda sends it to CloudWatch Logs, which extracts the metrics). */
  readonly write: (line: string) => void;
  readonly now: () => Date;
}

/**
 * Creates the handler; `deps` may be a factory, called on the first invocation.
 *
 * @example
 * export const handler = createHandler(() => defaultDeps());
 */
export function createHandler(deps: WatchHandlerDeps | (() => WatchHandlerDeps)) {
  let resolved: WatchHandlerDeps | null = typeof deps === 'function' ? null : deps;
  return async function watchCredentials(): Promise<{ readonly previousAccepted: boolean; readonly overdue: boolean }> {
    resolved ??= (deps as () => WatchHandlerDeps)();
    const now = resolved.now();
    const state = credentialRotationState(await resolved.readInfo(), now, resolved.policy);
    resolved.write(JSON.stringify(rotationStateRecord(state, resolved.stage, now)));
    return { previousAccepted: state.previousAccepted, overdue: state.overdueHours > 0 };
  };
}

function numberEnv(env: NodeJS.ProcessEnv, name: string, min: number): number {
  const value = Number(env[name]);
  if (env[name] === undefined || env[name] === '' || !Number.isFinite(value) || value < min) {
    throw new Error(`Environment variable ${name} must be a number of at least ${min}`);
  }
  return value;
}

/** The Lambda's dependencies from `CREDENTIALS_SECRET_ARN`, `HOOKGUARD_STAGE`, `ROTATION_DAYS`, `GRACE_PERIOD_HOURS`. */
export function defaultDeps(env: NodeJS.ProcessEnv = process.env): WatchHandlerDeps {
  const secretId = env.CREDENTIALS_SECRET_ARN;
  const stage = env.HOOKGUARD_STAGE;
  if (!secretId || !stage) throw new Error('CREDENTIALS_SECRET_ARN and HOOKGUARD_STAGE are required');
  const client = new SecretsManagerClient({});
  return {
    readInfo: () => readSecretRotationInfo(client, secretId),
    policy: { rotationDays: numberEnv(env, 'ROTATION_DAYS', 1), gracePeriodHours: numberEnv(env, 'GRACE_PERIOD_HOURS', 0) },
    stage,
    write: (line) => process.stdout.write(`${line}\n`),
    now: () => new Date(),
  };
}

/** The Lambda entry point. */
export const handler = createHandler(() => defaultDeps());
