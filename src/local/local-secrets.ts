/**
 * The local runtime's adapters over the secrets file: the same ports the Lambdas implement with Secrets Manager.
 * The file is re-read whenever it changes, so `hookguard rotate` takes effect without a restart.
 */
import { statSync } from 'node:fs';
import type { ProviderId } from '../../lambda/core/provider-ids';
import { DependencyError } from '../../lambda/errors';
import type { AcceptedCredential, CredentialSource, Logger, SigningKeySource } from '../../lambda/ports';
import { silentLogger } from '../../lambda/ports';
import { type LocalSecrets, parseCredential, readSecretsFile } from './secrets-file';

/** Options of {@link LocalSecretsStore}. */
export interface LocalSecretsStoreOptions {
  readonly path: string;
  /** Told (without values) when a changed file cannot be read and the last good values stay in use. */
  readonly logger?: Logger;
}

interface Snapshot {
  readonly secrets: LocalSecrets;
  readonly fingerprint: string;
}

/**
 * The secrets file, reloaded when its identity, size or times change (an atomic replacement changes the inode).
 * Like the Secrets Manager adapters, it keeps serving the last good values when a changed file is unreadable or
 * malformed (logging it once per change), and fails closed when it never read a good one.
 */
/**
 * Why the secrets file's permissions are unsafe, or null when only its owner can read it (or the platform has no
 * POSIX modes). The file holds the Basic credential and every signing key; it is created 0600, but a copy or an
 * edit with another tool can widen that.
 */
export function secretsFilePermissionProblem(path: string, platform: NodeJS.Platform = process.platform): string | null {
  if (platform === 'win32') return null;
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) === 0) return null;
  const readers = [(mode & 0o040) !== 0 ? 'group' : null, (mode & 0o004) !== 0 ? 'others' : null].filter(Boolean);
  const who = readers.length > 0 ? `readable by ${readers.join(' and ')}` : 'accessible by group or others';
  return `Secrets file ${path} is ${who} (mode ${mode.toString(8).padStart(4, '0')}); restrict it with: chmod 600 ${path}`;
}

export class LocalSecretsStore {
  private snapshot: Snapshot | null = null;
  private loading: Promise<LocalSecrets> | null = null;
  private lastProblem: string | null = null;
  private readonly logger: Logger;

  constructor(private readonly options: LocalSecretsStoreOptions) {
    this.logger = options.logger ?? silentLogger;
  }

  /** Where the file is. */
  get path(): string {
    return this.options.path;
  }

  /**
   * The current secrets: re-read if the file changed since the last read.
   *
   * @throws {DependencyError} when no good version was ever read.
   */
  secrets(): Promise<LocalSecrets> {
    this.loading ??= this.refresh().finally(() => {
      this.loading = null;
    });
    return this.loading;
  }

  /** Reads the file now; unlike {@link secrets}, a bad file is thrown (start-up wants the precise problem). */
  async load(): Promise<LocalSecrets> {
    const fingerprint = await this.fingerprint();
    const secrets = await readSecretsFile(this.options.path);
    this.snapshot = { secrets, fingerprint };
    return secrets;
  }

  /**
   * The file's identity, size and times. Checked on every request (Basic auth and signing keys), so this stats
   * synchronously: a stat of one local file takes microseconds, where the thread pool round trip of an
   * asynchronous stat costs the event loop about twenty times more.
   */
  private async fingerprint(): Promise<string> {
    const info = statSync(this.options.path, { bigint: true });
    return `${info.dev}:${info.ino}:${info.size}:${info.mtimeNs}:${info.ctimeNs}`;
  }

  private async refresh(): Promise<LocalSecrets> {
    const snapshot = this.snapshot;
    try {
      const fingerprint = await this.fingerprint();
      if (snapshot !== null && snapshot.fingerprint === fingerprint) return snapshot.secrets;
      const secrets = await readSecretsFile(this.options.path);
      this.snapshot = { secrets, fingerprint };
      this.lastProblem = null;
      return secrets;
    } catch (error) {
      const problem = error instanceof Error ? error.message : 'unreadable';
      if (snapshot === null) throw new DependencyError(`Local secrets unavailable: ${problem}`, { cause: error });
      if (this.lastProblem !== problem) {
        this.lastProblem = problem;
        this.logger.warn('Secrets file changed but cannot be used; keeping the last good values', { problem });
      }
      return snapshot.secrets;
    }
  }
}

/**
 * The accepted Basic credentials from the secrets file: `current` as AWSCURRENT, each of `previous` as AWSPREVIOUS
 * (accepted until revoked: the file has no rotation dates, so there is no grace period to run out locally).
 */
export class LocalCredentialSource implements CredentialSource {
  constructor(private readonly store: LocalSecretsStore) {}

  async acceptedCredentials(): Promise<readonly AcceptedCredential[]> {
    const { basicAuth } = await this.store.secrets();
    const accepted: AcceptedCredential[] = [];
    const current = parseCredential(basicAuth.current);
    if (current) accepted.push({ version: 'local-current', stage: 'AWSCURRENT', ...current });
    basicAuth.previous.forEach((text, index) => {
      const credential = parseCredential(text);
      if (credential) accepted.push({ version: `local-previous-${index + 1}`, stage: 'AWSPREVIOUS', ...credential });
    });
    return accepted;
  }
}

/** The accepted signing keys per provider from the secrets file; none configured is an empty list (fail closed). */
export class LocalSigningKeySource implements SigningKeySource {
  constructor(private readonly store: LocalSecretsStore) {}

  async keysFor(provider: ProviderId): Promise<readonly string[]> {
    const secrets = await this.store.secrets();
    const keys = secrets.providers[provider]?.signingKeys;
    return keys ?? [];
  }
}
