/**
 * Emergency (or manual) rotation of a deployed stage's Basic credential: start the rotation now, wait for it to
 * finish, optionally revoke the previous credential at once, and flush the API Gateway authorizer cache. Takes
 * injected SDK clients, so the `scripts/rotate-credentials.ts` command and the operator CLI share it.
 */
import { randomUUID } from 'node:crypto';
import { type APIGatewayClient, FlushStageAuthorizersCacheCommand } from '@aws-sdk/client-api-gateway';
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

/**
 * Rotates the credential secret now (`RotateSecret` with `RotateImmediately`), polls DescribeSecret until the new
 * version is AWSCURRENT (bounded by `timeoutSeconds`), removes AWSPREVIOUS when `revokePrevious`, and flushes the
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
  if (stuckPending !== undefined && stuckPending !== previousVersionId) {
    throw new CredentialRotationCommandError(
      `A rotation is already under way or failed: version ${stuckPending} is labelled AWSPENDING. Check the rotation ` +
        `function's logs; once it is not running, remove that label (UpdateSecretVersionStage AWSPENDING ` +
        `RemoveFromVersionId ${stuckPending}) and run this again`,
    );
  }

  const started = await secretsManager.send(
    new RotateSecretCommand({ SecretId: secretId, RotateImmediately: true, ClientRequestToken: randomUUID() }),
  );
  const versionId = started.VersionId;
  if (versionId === undefined) throw new CredentialRotationCommandError('RotateSecret returned no version id');
  progress(`Rotation started: new version ${versionId}`);

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
