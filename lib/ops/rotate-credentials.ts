/**
 * Emergency (or manual) rotation of a deployed stage's Basic credential: start the rotation now, wait for it to
 * finish, optionally revoke the previous credential at once, and flush the API Gateway authorizer cache. Takes
 * injected SDK clients, so the `scripts/rotate-credentials.ts` command and the operator CLI share it.
 */
import { randomUUID } from 'node:crypto';
import { type APIGatewayClient, FlushStageAuthorizersCacheCommand } from '@aws-sdk/client-api-gateway';
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import {
  DescribeSecretCommand,
  type DescribeSecretCommandOutput,
  RotateSecretCommand,
  type SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';

/** Options of {@link rotateCredentials}. */
export interface RotateCredentialsOptions {
  /** Needs DescribeSecret, RotateSecret (+ lambda:InvokeFunction on the rotation function), UpdateSecretVersionStage. */
  readonly secretsManager: SecretsManagerClient;
  /** Needs apigateway:DELETE on the stage's authorizer cache. */
  readonly apiGateway: APIGatewayClient;
  /** ARN or name of the credential secret (stack output `CredentialsSecretArn`). */
  readonly secretId: string;
  /** Stack output `RestApiId`. */
  readonly restApiId: string;
  /** Stack output `StageName`. */
  readonly stageName: string;
  /**
   * Remove the AWSPREVIOUS label once the rotation finished, so the old credential stops working now instead of
   * after the grace period. Every provider fails until it is given the new credential.
   * @default false
   */
  readonly revokePrevious?: boolean;
  /**
   * After the flush, wait this long and flush again. Set it to the secret cache TTL (`SECRET_CACHE_TTL_SECONDS`) when
   * revoking: a warm authorizer container may still hold the old values for that long and re-cache an Allow for them.
   * @default 0 (one flush)
   */
  readonly settleSeconds?: number;
  /**
   * When a failed rotation left AWSPENDING on a version that is not AWSCURRENT: run that rotation's four steps again
   * (the same version and value, every step idempotent) by invoking the rotation function, instead of refusing.
   * With managed providers this is the way out of a failed rotation: some providers may already carry the pending
   * credential, so it must not be abandoned (docs/provider-sync.md).
   * @default false: refuse, naming the pending version
   */
  readonly resumePending?: boolean;
  /** Needed by `resumePending`: lambda:InvokeFunction on the secret's rotation function. */
  readonly lambda?: LambdaClient;
  /** @default 5 */
  readonly pollIntervalSeconds?: number;
  /** Longest wait for the rotation to finish before giving up. @default 300 */
  readonly timeoutSeconds?: number;
  /** @default setTimeout-based sleep */
  readonly sleep?: (milliseconds: number) => Promise<void>;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** Progress lines for a human (never secrets). @default none */
  readonly onProgress?: (message: string) => void;
}

/** What {@link rotateCredentials} did: version ids and counts, never a secret value. */
export interface RotateCredentialsReport {
  readonly secretArn: string;
  /** The new AWSCURRENT version. */
  readonly versionId: string;
  /** The version that was AWSCURRENT before (AWSPREVIOUS now, unless revoked). */
  readonly previousVersionId: string | null;
  /** The version whose AWSPREVIOUS label was removed, when revoking. */
  readonly revokedVersionId: string | null;
  /** How many times the authorizer cache was flushed. */
  readonly flushes: number;
}

/** The rotation could not be started or did not finish; the message says what to check. */
export class CredentialRotationCommandError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CredentialRotationCommandError';
  }
}

function versionWith(output: DescribeSecretCommandOutput, stage: string): string | undefined {
  const stages = output.VersionIdsToStages ?? {};
  return Object.keys(stages).find((versionId) => stages[versionId]?.includes(stage));
}

function checkSeconds(name: string, value: number, minimum: number): void {
  if (!Number.isFinite(value) || value < minimum) {
    throw new RangeError(`${name} [${value}] must be a finite number >= ${minimum}`);
  }
}

const ROTATION_STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;

/**
 * Runs the four steps of the rotation of `versionId` again through the rotation function, as Secrets Manager invokes
 * them ({ Step, SecretId, ClientRequestToken }), stopping at the first step that fails.
 */
async function resumeRotation(
  options: RotateCredentialsOptions,
  functionArn: string | undefined,
  secretArn: string,
  versionId: string,
  progress: (message: string) => void,
): Promise<void> {
  if (options.lambda === undefined) throw new CredentialRotationCommandError('Resuming a rotation needs a Lambda client');
  if (functionArn === undefined) {
    throw new CredentialRotationCommandError(`${secretArn} has no rotation function to resume the rotation with`);
  }
  progress(`Resuming the rotation of version ${versionId} (it stays the pending version; no new value)`);
  for (const step of ROTATION_STEPS) {
    const output = await options.lambda.send(
      new InvokeCommand({
        FunctionName: functionArn,
        InvocationType: 'RequestResponse',
        Payload: Buffer.from(JSON.stringify({ Step: step, SecretId: secretArn, ClientRequestToken: versionId })),
      }),
    );
    if (output.FunctionError !== undefined) {
      // The function's error message (RotationError) names providers and statuses, never a secret.
      let message = output.FunctionError;
      try {
        const payload = JSON.parse(Buffer.from(output.Payload ?? new Uint8Array()).toString('utf8')) as {
          errorMessage?: unknown;
        };
        if (typeof payload.errorMessage === 'string') message = payload.errorMessage;
      } catch {
        // keep the error type
      }
      throw new CredentialRotationCommandError(`The rotation's ${step} failed again: ${message}`);
    }
    progress(`${step}: done`);
  }
}

/**
 * Rotates the credential secret now (`RotateSecret` with `RotateImmediately`; with `resumePending`, a failed
 * rotation's steps again instead), polls DescribeSecret until the new version is AWSCURRENT (bounded by
 * `timeoutSeconds`), removes AWSPREVIOUS when `revokePrevious`, and flushes the
 * stage's authorizer cache (again after `settleSeconds`, when given).
 *
 * How long a revoked credential can still work: a warm authorizer container serves its cached values for up to
 * `SECRET_CACHE_TTL_SECONDS`, and an Allow it returns in that time is cached by API Gateway for the authorizer TTL.
 * So after one flush: at most secret cache TTL + authorizer cache TTL (60 s + 300 s with the defaults); with
 * `settleSeconds` >= the secret cache TTL: at most `settleSeconds`. While Secrets Manager is unreachable, containers
 * keep their last values, so revocation only takes effect once they can reload.
 *
 * @example
 * const report = await rotateCredentials({ secretsManager, apiGateway, secretId, restApiId, stageName, revokePrevious: true });
 */
export async function rotateCredentials(options: RotateCredentialsOptions): Promise<RotateCredentialsReport> {
  const pollIntervalSeconds = options.pollIntervalSeconds ?? 5;
  const timeoutSeconds = options.timeoutSeconds ?? 300;
  const settleSeconds = options.settleSeconds ?? 0;
  checkSeconds('pollIntervalSeconds', pollIntervalSeconds, 0);
  checkSeconds('timeoutSeconds', timeoutSeconds, 0);
  checkSeconds('settleSeconds', settleSeconds, 0);
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const now = options.now ?? (() => new Date());
  const progress = options.onProgress ?? (() => {});
  const { secretsManager, secretId } = options;
  const describe = () => secretsManager.send(new DescribeSecretCommand({ SecretId: secretId }));

  const before = await describe();
  const secretArn = before.ARN ?? secretId;
  if (before.RotationEnabled !== true) {
    throw new CredentialRotationCommandError(
      `Rotation is not configured on ${secretArn}; deploy the stack, which attaches the rotation function`,
    );
  }
  const previousVersionId = versionWith(before, 'AWSCURRENT') ?? null;
  const stuckPending = versionWith(before, 'AWSPENDING');
  let versionId: string;
  if (stuckPending !== undefined && stuckPending !== previousVersionId) {
    if (options.resumePending !== true) {
      throw new CredentialRotationCommandError(
        `A rotation is already under way or failed: version ${stuckPending} is labelled AWSPENDING. Check the ` +
          `rotation function's logs; once the cause is fixed, resume it (--resume). Managed providers may already ` +
          `carry that credential: remove the label (UpdateSecretVersionStage AWSPENDING RemoveFromVersionId ` +
          `${stuckPending}) only after putting every provider back on the current credential (docs/provider-sync.md)`,
      );
    }
    await resumeRotation(options, before.RotationLambdaARN, secretArn, stuckPending, progress);
    versionId = stuckPending;
  } else {
    const started = await secretsManager.send(
      new RotateSecretCommand({ SecretId: secretId, RotateImmediately: true, ClientRequestToken: randomUUID() }),
    );
    if (started.VersionId === undefined) throw new CredentialRotationCommandError('RotateSecret returned no version id');
    versionId = started.VersionId;
    progress(`Rotation started: new version ${versionId}`);
  }

  const deadline = now().getTime() + timeoutSeconds * 1000;
  let state = await describe();
  while (!(state.VersionIdsToStages?.[versionId] ?? []).includes('AWSCURRENT')) {
    if (now().getTime() >= deadline) {
      throw new CredentialRotationCommandError(
        `Rotation of ${secretArn} did not finish within ${timeoutSeconds} s (version ${versionId} is not AWSCURRENT); ` +
          `check the rotation function's logs. Nothing was revoked or flushed`,
      );
    }
    await sleep(pollIntervalSeconds * 1000);
    state = await describe();
  }
  progress(`Rotation finished: version ${versionId} is AWSCURRENT`);

  let revokedVersionId: string | null = null;
  if (options.revokePrevious === true) {
    const previous = versionWith(state, 'AWSPREVIOUS');
    if (previous !== undefined && previous !== versionId) {
      await secretsManager.send(
        new UpdateSecretVersionStageCommand({
          SecretId: secretId,
          VersionStage: 'AWSPREVIOUS',
          RemoveFromVersionId: previous,
        }),
      );
      revokedVersionId = previous;
      progress(`Revoked the previous credential: removed AWSPREVIOUS from version ${previous}`);
    } else {
      progress('No AWSPREVIOUS version to revoke');
    }
  }

  const flush = () =>
    options.apiGateway.send(
      new FlushStageAuthorizersCacheCommand({ restApiId: options.restApiId, stageName: options.stageName }),
    );
  await flush();
  let flushes = 1;
  progress(`Flushed the authorizer cache of ${options.restApiId}/${options.stageName}`);
  if (settleSeconds > 0) {
    progress(`Waiting ${settleSeconds} s for warm containers' credential caches to expire, then flushing again`);
    await sleep(settleSeconds * 1000);
    await flush();
    flushes += 1;
    progress(`Flushed the authorizer cache of ${options.restApiId}/${options.stageName} again`);
  }
  return { secretArn, versionId, previousVersionId, revokedVersionId, flushes };
}
