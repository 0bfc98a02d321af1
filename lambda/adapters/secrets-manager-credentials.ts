/**
 * The Basic credentials accepted now, read from the Secrets Manager secret the rotation Lambda maintains.
 */
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  type GetSecretValueCommandOutput,
  ResourceNotFoundException,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { parseBasicCredentialSecret } from '../core/basic-auth';
import type { ExpiringCredential } from '../core/credential-cache';
import { ConfigurationError, DependencyError } from '../errors';
import type { AcceptedCredential, CredentialSource, CredentialStage, Logger } from '../ports';
import { silentLogger } from '../ports';

/** Options of {@link SecretsManagerCredentialSource}. */
export interface SecretsManagerCredentialSourceOptions {
  /** Needs secretsmanager:DescribeSecret and GetSecretValue on the secret (and kms:Decrypt on its key). */
  readonly client: SecretsManagerClient;
  /** ARN (preferred) or name of the Basic credential secret. */
  readonly secretId: string;
  /** How long AWSPREVIOUS stays accepted after a rotation ends, seconds; 0 refuses it at once. */
  readonly gracePeriodSeconds: number;
  /**
   * The clock.
   * @default () => new Date()
   */
  readonly now?: () => Date;
  /**
   * Told (without values) about unreadable non-current versions, which are skipped.
   * @default silentLogger
   */
  readonly logger?: Logger;
}

/**
 * Reads the accepted Basic credentials from Secrets Manager, freshly on every call (wrap it in
 * `CachedCredentialSource`): AWSCURRENT; AWSPENDING while a rotation is under way (the new value is accepted as
 * soon as it exists, so nothing breaks while containers catch up); AWSPREVIOUS until `gracePeriodSeconds` after the
 * rotation ended, so providers keep working until operators have updated them.
 *
 * Calls: one DescribeSecret (it lists every version's stages and the last rotation date), then one GetSecretValue
 * per accepted version, by VersionId, so that all values come from the same snapshot of the labels even if a
 * rotation moves them meanwhile.
 *
 * When did the rotation end? The later of DescribeSecret's `LastRotatedDate` and the AWSCURRENT version's
 * `CreatedDate` (which GetSecretValue returns anyway). `LastRotatedDate` is when a rotation last completed, the
 * right start for a rotation's grace period, but it is not updated when an operator puts a new AWSCURRENT value
 * by hand (and it is null when rotation is off); the current version's creation date covers those cases, and
 * during a rotation it is slightly earlier than the end, which only shortens the grace by the rotation's duration.
 * Taking the later of the two never extends the grace beyond the last moment AWSCURRENT can have moved. With
 * neither date known, AWSPREVIOUS is refused (fail closed).
 *
 * Failures: a missing or malformed AWSCURRENT is a {@link ConfigurationError}; an unreadable or malformed
 * AWSPENDING / AWSPREVIOUS version (a failed rotation can leave an empty AWSPENDING) is skipped and logged;
 * any Secrets Manager error is a {@link DependencyError}.
 *
 * @example
 * const source = new SecretsManagerCredentialSource({ client, secretId: arn, gracePeriodSeconds: 86_400 });
 */
export class SecretsManagerCredentialSource implements CredentialSource {
  private readonly client: SecretsManagerClient;
  private readonly secretId: string;
  private readonly gracePeriodMs: number;
  private readonly now: () => Date;
  private readonly logger: Logger;

  constructor(options: SecretsManagerCredentialSourceOptions) {
    if (!Number.isFinite(options.gracePeriodSeconds) || options.gracePeriodSeconds < 0) {
      throw new RangeError(`gracePeriodSeconds [${options.gracePeriodSeconds}] must be a finite number >= 0`);
    }
    if (options.secretId === '') throw new RangeError('secretId must not be empty');
    this.client = options.client;
    this.secretId = options.secretId;
    this.gracePeriodMs = options.gracePeriodSeconds * 1000;
    this.now = options.now ?? (() => new Date());
    this.logger = options.logger ?? silentLogger;
  }

  /** Loads the credentials accepted now; AWSPREVIOUS carries `expiresAt`, the end of its grace period. */
  async acceptedCredentials(): Promise<readonly AcceptedCredential[]> {
    const described = await this.call('DescribeSecret', () =>
      this.client.send(new DescribeSecretCommand({ SecretId: this.secretId })),
    );
    const stages = described.VersionIdsToStages ?? {};
    const versionWith = (stage: CredentialStage) =>
      Object.keys(stages).find((versionId) => stages[versionId]?.includes(stage));
    const currentId = versionWith('AWSCURRENT');
    if (currentId === undefined) throw new ConfigurationError('The credential secret has no AWSCURRENT version');
    const pendingId = versionWith('AWSPENDING');
    const previousId = versionWith('AWSPREVIOUS');

    const [current, pending] = await Promise.all([
      this.read(currentId),
      pendingId !== undefined && pendingId !== currentId ? this.read(pendingId) : Promise.resolve(null),
    ]);
    const currentValue = current === null ? null : parseBasicCredentialSecret(current.SecretString);
    if (current === null || currentValue === null) {
      throw new ConfigurationError('The AWSCURRENT credential is missing or not a {"username","password"} JSON value');
    }
    const accepted: ExpiringCredential[] = [{ version: currentId, stage: 'AWSCURRENT', ...currentValue }];
    if (pendingId !== undefined && pendingId !== currentId) this.accept(accepted, pendingId, 'AWSPENDING', pending);

    const graceEndsAt = this.graceEnd(described.LastRotatedDate, current.CreatedDate);
    if (previousId !== undefined && previousId !== currentId && previousId !== pendingId && graceEndsAt !== null) {
      if (this.now().getTime() < graceEndsAt.getTime()) {
        this.accept(accepted, previousId, 'AWSPREVIOUS', await this.read(previousId), graceEndsAt);
      }
    }
    return accepted;
  }

  private graceEnd(lastRotatedDate: Date | undefined, currentCreatedDate: Date | undefined): Date | null {
    const times = [lastRotatedDate, currentCreatedDate]
      .filter((date): date is Date => date instanceof Date && !Number.isNaN(date.getTime()))
      .map((date) => date.getTime());
    return times.length === 0 ? null : new Date(Math.max(...times) + this.gracePeriodMs);
  }

  private accept(
    accepted: ExpiringCredential[],
    versionId: string,
    stage: CredentialStage,
    value: GetSecretValueCommandOutput | null,
    expiresAt?: Date,
  ): void {
    const parsed = value === null ? null : parseBasicCredentialSecret(value.SecretString);
    if (parsed === null) {
      this.logger.warn('Skipping an unreadable credential version', { versionId, stage });
      return;
    }
    accepted.push(
      expiresAt === undefined
        ? { version: versionId, stage, ...parsed }
        : { version: versionId, stage, ...parsed, expiresAt },
    );
  }

  /** One version's value, or null when the version has no value (Secrets Manager answers ResourceNotFound). */
  private async read(versionId: string): Promise<GetSecretValueCommandOutput | null> {
    try {
      return await this.client.send(new GetSecretValueCommand({ SecretId: this.secretId, VersionId: versionId }));
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return null;
      throw new DependencyError('Secrets Manager GetSecretValue failed for the credential secret', { cause: error });
    }
  }

  private async call<T>(operation: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw new DependencyError(`Secrets Manager ${operation} failed for the credential secret`, { cause: error });
    }
  }
}
