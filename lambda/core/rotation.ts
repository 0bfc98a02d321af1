/**
 * Rotation of the Basic credential secret, following the Secrets Manager rotation-function contract: four steps
 * (createSecret, setSecret, testSecret, finishSecret), each idempotent, because Secrets Manager retries a failed
 * step and may invoke a step again after it succeeded. Pure logic over small ports; `rotation/handler.ts` wires AWS.
 */
import { randomBytes } from 'node:crypto';
import type { EventBusPort, Logger } from '../ports';
import { silentLogger } from '../ports';
import { parseBasicCredentialSecret } from './basic-auth';
import { EVENT_SOURCE } from './event';
import type { ProviderId } from './provider-ids';
import type { ProviderSync, ProviderSyncReport, SyncOperation } from './provider-sync';
import type { BasicCredentialSecret } from './secret-formats';

/** The four steps Secrets Manager invokes, in order. */
export const ROTATION_STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;
export type RotationStep = (typeof ROTATION_STEPS)[number];

/** Narrows a string to a {@link RotationStep}. */
export function isRotationStep(value: unknown): value is RotationStep {
  return typeof value === 'string' && (ROTATION_STEPS as readonly string[]).includes(value);
}

/** EventBridge `DetailType` of the event published when a rotation finishes. */
export const CREDENTIALS_ROTATED_DETAIL_TYPE = 'credentials.rotated';

/**
 * EventBridge `DetailType` of the event published when a rotation step could not update or verify every managed
 * provider (docs/provider-sync.md).
 */
export const CREDENTIALS_SYNC_FAILED_DETAIL_TYPE = 'credentials.sync-failed';

/** Length of generated passwords: 40 symbols of 62, about 238 bits. */
export const PASSWORD_LENGTH = 40;

/** Shortest password testSecret accepts (about 190 bits when alphanumeric and random). */
export const MIN_PASSWORD_LENGTH = 32;

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
// The largest multiple of 62 that fits in a byte: bytes at or above it are dropped so every symbol is equally likely.
const UNBIASED_BYTE_LIMIT = 256 - (256 % ALPHABET.length);
const STRONG_PASSWORD = new RegExp(`^[A-Za-z0-9]{${MIN_PASSWORD_LENGTH},}$`);

/**
 * A uniformly random alphanumeric password (URL-safe, so it can sit in `https://user:pass@host/...`), drawn from
 * `random` with rejection sampling: a plain `byte % 62` would make the first 8 symbols more likely.
 *
 * @example
 * generatePassword(); // 'q3ZT0...' (40 characters)
 */
export function generatePassword(
  length: number = PASSWORD_LENGTH,
  random: (size: number) => Buffer = randomBytes,
): string {
  if (!Number.isSafeInteger(length) || length < 1)
    throw new RangeError(`length [${length}] must be a positive integer`);
  let password = '';
  while (password.length < length) {
    for (const byte of random(length - password.length + 8)) {
      if (byte >= UNBIASED_BYTE_LIMIT) continue;
      password += ALPHABET[byte % ALPHABET.length];
      if (password.length === length) break;
    }
  }
  return password;
}

/** Whether a password is one testSecret accepts: alphanumeric and at least {@link MIN_PASSWORD_LENGTH} long. */
export function isStrongPassword(password: string): boolean {
  return STRONG_PASSWORD.test(password);
}

/** The labels of the secret's versions, as DescribeSecret reports them. */
export interface RotationSecretState {
  readonly arn: string;
  readonly rotationEnabled: boolean;
  /** Version id -> staging labels, for every version that has labels. */
  readonly versionStages: Readonly<Record<string, readonly string[]>>;
}

/** The Secrets Manager operations rotation needs (adapter: `adapters/rotation-aws.ts`). */
export interface RotationSecretStore {
  describe(secretId: string): Promise<RotationSecretState>;
  /**
   * The value of the version carrying `stage` (and being `versionId`, when given); null when there is no such
   * version or it has no value.
   */
  getValue(
    secretId: string,
    selector: { readonly stage: 'AWSCURRENT' | 'AWSPENDING'; readonly versionId?: string },
  ): Promise<string | null>;
  /** Stores `value` as version `versionId` labelled AWSPENDING. Idempotent for the same id and value. */
  putPendingValue(secretId: string, versionId: string, value: string, rotationToken?: string): Promise<void>;
  /** Moves AWSCURRENT from `fromVersionId` to `toVersionId` (Secrets Manager then labels the old one AWSPREVIOUS). */
  moveCurrent(secretId: string, toVersionId: string, fromVersionId: string): Promise<void>;
}

/** Flushes the API Gateway authorizer result cache of the stage (adapter: `adapters/rotation-aws.ts`). */
export interface AuthorizerCacheFlusher {
  flushAuthorizerCache(): Promise<void>;
}

/** The rotation failed in a way that needs a retry or an operator; messages never contain secret values. */
export class RotationError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'RotationError';
  }
}

/** Detail of the `credentials.rotated` event: where to fetch the new credential, never the credential itself. */
export interface CredentialsRotatedDetail {
  readonly secretArn: string;
  readonly versionId: string;
  readonly rotatedAt: string;
  /** The Hookguard stage (API Gateway stage) whose credential rotated. */
  readonly stage: string;
}

/** One provider a rotation step could not update or verify, in the `credentials.sync-failed` event. */
export interface ProviderSyncFailure {
  readonly provider: ProviderId;
  /** What failed: `sendgrid: apply answered HTTP 503`; never a credential, an API key or a provider's answer. */
  readonly error?: string;
  readonly status?: number;
  /** What verify found wrong, one line per webhook. */
  readonly problems?: readonly string[];
  /** True when the next attempt may succeed by itself (429, 5xx, a subscription awaiting confirmation). */
  readonly retryable: boolean;
}

/**
 * Detail of the `credentials.sync-failed` event: which managed providers a rotation step could not update (setSecret)
 * or verify and clean up (testSecret). No secret in it. The rotation stopped before finishSecret: AWSCURRENT is
 * unchanged, and the pending credential stays accepted for the providers that already carry it.
 */
export interface CredentialsSyncFailedDetail {
  readonly secretArn: string;
  /** The pending version the step pushed or checked. */
  readonly versionId: string;
  readonly stage: string;
  readonly step: 'setSecret' | 'testSecret';
  readonly operation: SyncOperation;
  readonly failedAt: string;
  readonly failed: readonly ProviderSyncFailure[];
  /** The managed providers for which this operation succeeded. */
  readonly succeeded: readonly ProviderId[];
}

/** Where a rotation records which provider failed to sync (`ProviderSyncFailed` [Stage, Provider]). */
export interface ProviderSyncMetrics {
  providerSyncFailed(provider: ProviderId): void;
}

/** Dependencies of {@link createCredentialRotation}. */
export interface CredentialRotationDeps {
  readonly store: RotationSecretStore;
  readonly flusher: AuthorizerCacheFlusher;
  /** The account's default event bus (the event is an operational signal, not an email event). */
  readonly bus: EventBusPort;
  /** The Hookguard stage name, put in the event. */
  readonly stageName: string;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** @default generatePassword */
  readonly generatePassword?: () => string;
  /** @default silentLogger */
  readonly logger?: Logger;
  /**
   * The managed providers' sync engine, created when a step needs it (it reads the provider-API-keys secret).
   * Absent, or with no provider: setSecret and testSecret touch no provider (operators update them by hand).
   */
  readonly providerSync?: () => Promise<ProviderSync>;
  /** Records `ProviderSyncFailed` per failed provider. @default none */
  readonly syncMetrics?: ProviderSyncMetrics;
}

/** One invocation of the rotation function. */
export interface RotationRequest {
  readonly step: RotationStep;
  readonly secretId: string;
  /** The ClientRequestToken: the id of the version being rotated in. */
  readonly token: string;
  /** Passed on to PutSecretValue when Secrets Manager sends one (cross-account rotation). */
  readonly rotationToken?: string;
}

/** Runs rotation steps. */
export interface CredentialRotation {
  run(request: RotationRequest): Promise<void>;
}

/**
 * Creates the rotation logic.
 *
 * - Every step first checks the contract: rotation enabled, the token is a version of the secret, and it is
 *   labelled AWSPENDING; a version already AWSCURRENT means the step has nothing left to do.
 * - createSecret keeps the user name and stores a fresh random password as AWSPENDING under the token (skipped if
 *   that version already exists, so a retry never changes a value another container may have read).
 * - setSecret pushes the pending credential to every managed provider (`providerSync().apply`). Providers not
 *   managed are updated by operators from the `credentials.rotated` event while AWSPREVIOUS stays accepted for the
 *   grace period.
 * - testSecret checks the pending value parses and its password is strong, then reads every managed provider back
 *   (`verify`: each carries the pending credential and is active) and removes superseded webhooks (`retire`).
 * - A managed provider that cannot be updated or verified fails the step, after every other provider was tried:
 *   `ProviderSyncFailed` per provider, a `credentials.sync-failed` event naming them on the default bus, and a
 *   {@link RotationError} (so `RotationFailed` and Secrets Manager's own failure record). AWSCURRENT is unchanged;
 *   the pending version keeps its label and value, so the authorizer keeps accepting the credential the updated
 *   providers already carry, and a retry pushes the same value (docs/provider-sync.md).
 * - finishSecret moves AWSCURRENT to the token (the old version becomes AWSPREVIOUS), then flushes the authorizer
 *   cache and publishes `credentials.rotated`. A retry after a partial finish (labels moved, flush or publish
 *   failed) finds the token already AWSCURRENT and still flushes and publishes, so the signal is never lost;
 *   consumers may see it twice and should key on `versionId`.
 *
 * @example
 * await createCredentialRotation(deps).run({ step: 'createSecret', secretId, token });
 */
export function createCredentialRotation(deps: CredentialRotationDeps): CredentialRotation {
  const now = deps.now ?? (() => new Date());
  const newPassword = deps.generatePassword ?? (() => generatePassword());
  const logger = deps.logger ?? silentLogger;

  async function createSecret(secretId: string, token: string, rotationToken: string | undefined): Promise<void> {
    const current = parseBasicCredentialSecret(
      (await deps.store.getValue(secretId, { stage: 'AWSCURRENT' })) ?? undefined,
    );
    if (current === null) throw new RotationError('The AWSCURRENT credential is not a {"username","password"} value');
    if ((await deps.store.getValue(secretId, { stage: 'AWSPENDING', versionId: token })) !== null) {
      logger.info('createSecret: the pending version already exists', { versionId: token });
      return;
    }
    const pending: BasicCredentialSecret = { username: current.username, password: newPassword() };
    await deps.store.putPendingValue(secretId, token, JSON.stringify(pending), rotationToken);
    logger.info('createSecret: stored a new pending credential', { versionId: token });
  }

  async function pendingCredential(secretId: string, token: string, step: string): Promise<BasicCredentialSecret> {
    const text = await deps.store.getValue(secretId, { stage: 'AWSPENDING', versionId: token });
    if (text === null) throw new RotationError(`Version ${token} has no AWSPENDING value to ${step}`);
    const pending = parseBasicCredentialSecret(text);
    if (pending === null) throw new RotationError(`Version ${token} is not a {"username","password"} value`);
    return pending;
  }

  /** The sync engine, or null when no provider is managed. */
  async function managedSync(): Promise<ProviderSync | null> {
    if (deps.providerSync === undefined) return null;
    const sync = await deps.providerSync();
    return sync.providers.length > 0 ? sync : null;
  }

  /** Records, announces and throws for a sync operation that did not succeed everywhere. */
  async function syncFailed(
    step: 'setSecret' | 'testSecret',
    state: RotationSecretState,
    token: string,
    report: ProviderSyncReport,
  ): Promise<never> {
    const failures = report.results.filter((result) => !result.ok);
    for (const failure of failures) deps.syncMetrics?.providerSyncFailed(failure.provider);
    const detail: CredentialsSyncFailedDetail = {
      secretArn: state.arn,
      versionId: token,
      stage: deps.stageName,
      step,
      operation: report.operation,
      failedAt: now().toISOString(),
      failed: failures.map((result) => ({
        provider: result.provider,
        ...(result.error === undefined ? {} : { error: result.error }),
        ...(result.status === undefined ? {} : { status: result.status }),
        ...(result.problems.length > 0 ? { problems: result.problems } : {}),
        retryable: result.retryable,
      })),
      succeeded: report.results.filter((result) => result.ok).map((result) => result.provider),
    };
    try {
      const published = await deps.bus.putEvents([
        {
          source: EVENT_SOURCE,
          detailType: CREDENTIALS_SYNC_FAILED_DETAIL_TYPE,
          detail: JSON.stringify(detail),
          time: now(),
        },
      ]);
      const rejected = published.failed[0];
      if (rejected !== undefined) {
        logger.error('The credentials.sync-failed event was not accepted by EventBridge', { code: rejected.errorCode });
      }
    } catch (error) {
      // The step fails anyway (the metric and the log say so); a lost event must not hide the sync failure.
      logger.error('The credentials.sync-failed event could not be published', {
        error: error instanceof Error ? error.name : 'unknown',
      });
    }
    const names = failures
      .map((result) => `${result.provider} (${result.error ?? result.problems.join('; ')})`)
      .join(', ');
    throw new RotationError(
      `${step}: ${failures.length} of ${report.results.length} managed providers failed to ${report.operation}: ` +
        `${names}. AWSCURRENT is unchanged and the pending credential stays accepted; the next attempt retries them`,
    );
  }

  async function setSecret(secretId: string, token: string, state: RotationSecretState): Promise<void> {
    const sync = await managedSync();
    if (sync === null) {
      logger.info('setSecret: no managed provider; operators update providers from the credentials.rotated event', {
        versionId: token,
      });
      return;
    }
    const pending = await pendingCredential(secretId, token, 'push');
    const report = await sync.apply(pending);
    if (!report.ok) return syncFailed('setSecret', state, token, report);
    logger.info('setSecret: every managed provider carries the pending credential', {
      versionId: token,
      providers: sync.providers,
      changes: report.results.reduce((total, result) => total + result.changes.length, 0),
    });
  }

  async function testSecret(secretId: string, token: string, state: RotationSecretState): Promise<void> {
    const pending = await pendingCredential(secretId, token, 'test');
    if (!isStrongPassword(pending.password)) {
      throw new RotationError(
        `Version ${token} has a weak password: it must be at least ${MIN_PASSWORD_LENGTH} alphanumeric characters`,
      );
    }
    logger.info('testSecret: the pending credential is valid', { versionId: token });
    const sync = await managedSync();
    if (sync === null) return;
    const verified = await sync.verify(pending);
    if (!verified.ok) return syncFailed('testSecret', state, token, verified);
    // Only now, with the new webhooks active, may the superseded ones go (SNS: the old subscription).
    const retired = await sync.retire(pending);
    if (!retired.ok) return syncFailed('testSecret', state, token, retired);
    logger.info('testSecret: every managed provider carries the pending credential; superseded webhooks removed', {
      versionId: token,
      providers: sync.providers,
      retired: retired.results.reduce((total, result) => total + result.changes.length, 0),
    });
  }

  async function finishSecret(secretId: string, token: string, state: RotationSecretState): Promise<void> {
    const currentVersionId = Object.keys(state.versionStages).find((id) =>
      state.versionStages[id]?.includes('AWSCURRENT'),
    );
    if (currentVersionId !== token) {
      if (currentVersionId === undefined) throw new RotationError('The secret has no AWSCURRENT version');
      await deps.store.moveCurrent(secretId, token, currentVersionId);
      logger.info('finishSecret: AWSCURRENT moved', { versionId: token, previousVersionId: currentVersionId });
    }
    await deps.flusher.flushAuthorizerCache();
    const rotatedAt = now();
    const detail: CredentialsRotatedDetail = {
      secretArn: state.arn,
      versionId: token,
      rotatedAt: rotatedAt.toISOString(),
      stage: deps.stageName,
    };
    const result = await deps.bus.putEvents([
      {
        source: EVENT_SOURCE,
        detailType: CREDENTIALS_ROTATED_DETAIL_TYPE,
        detail: JSON.stringify(detail),
        time: rotatedAt,
      },
    ]);
    const failed = result.failed[0];
    if (failed !== undefined) {
      throw new RotationError(`The credentials.rotated event was not accepted by EventBridge (${failed.errorCode})`);
    }
    logger.info('finishSecret: authorizer cache flushed and credentials.rotated published', { versionId: token });
  }

  return {
    async run({ step, secretId, token, rotationToken }) {
      const state = await deps.store.describe(secretId);
      if (!state.rotationEnabled) throw new RotationError('Rotation is not enabled on the secret');
      const stages = state.versionStages[token];
      if (stages === undefined) throw new RotationError(`Version ${token} is not a version of the secret`);
      const alreadyCurrent = stages.includes('AWSCURRENT');
      if (!alreadyCurrent && !stages.includes('AWSPENDING')) {
        throw new RotationError(`Version ${token} is not labelled AWSPENDING`);
      }
      if (alreadyCurrent && step !== 'finishSecret') {
        logger.info(`${step}: version is already AWSCURRENT, nothing to do`, { versionId: token });
        return;
      }
      switch (step) {
        case 'createSecret':
          return createSecret(secretId, token, rotationToken);
        case 'setSecret':
          return setSecret(secretId, token, state);
        case 'testSecret':
          return testSecret(secretId, token, state);
        case 'finishSecret':
          return finishSecret(secretId, token, state);
      }
    },
  };
}
