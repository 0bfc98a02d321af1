/**
 * An in-memory cache in front of any {@link CredentialSource}, so that a warm Lambda container (or the local
 * runtime) asks Secrets Manager at most once per TTL, plus at most once per refresh interval when callers present
 * credentials it does not know.
 */
import { DependencyError } from '../errors';
import type { AcceptedCredential, CredentialSource } from '../ports';
import type { RefreshableCredentialSource } from './basic-auth';

/**
 * An accepted credential that stops being accepted at a known time (AWSPREVIOUS at the end of its grace period).
 * Sources may return this wider shape; {@link CachedCredentialSource} then stops serving the credential on time
 * even when its cached copy is older than the expiry.
 */
export interface ExpiringCredential extends AcceptedCredential {
  readonly expiresAt?: Date;
}

/** Options of {@link CachedCredentialSource}. */
export interface CachedCredentialSourceOptions {
  /** Where the credentials come from (Secrets Manager in AWS, a file locally). */
  readonly source: CredentialSource;
  /** How long loaded values are served before the next call reloads them, seconds. */
  readonly ttlSeconds: number;
  /** Least time between two reloads triggered by {@link CachedCredentialSource.refreshForUnknown}, seconds. */
  readonly refreshMinIntervalSeconds: number;
  /**
   * The clock.
   * @default () => new Date()
   */
  readonly now?: () => Date;
}

interface CacheEntry {
  readonly credentials: readonly AcceptedCredential[];
  readonly loadedAt: number;
}

/**
 * Caches the accepted credentials.
 *
 * - Values are served for `ttlSeconds`, then the next call reloads them. Concurrent callers share one load
 *   (single flight), so a burst of requests on a cold container makes one Secrets Manager round.
 * - {@link refreshForUnknown} reloads at once, but at most once per `refreshMinIntervalSeconds`: a credential
 *   rotated a moment ago works immediately, while a stream of wrong guesses cannot hammer Secrets Manager.
 * - When a load fails, the cached values keep being served, even past the TTL (the credentials did not become
 *   wrong because Secrets Manager is unreachable), and the next load attempt waits `refreshMinIntervalSeconds`.
 *   With nothing cached, calls reject with a {@link DependencyError}: fail closed, never "allow".
 * - Credentials carrying an `expiresAt` (see {@link ExpiringCredential}) are dropped from the answer once expired.
 *
 * @example
 * const credentials = new CachedCredentialSource({ source, ttlSeconds: 300, refreshMinIntervalSeconds: 30 });
 * const authenticator = createBasicAuthenticator({ credentials });
 */
export class CachedCredentialSource implements RefreshableCredentialSource {
  private readonly source: CredentialSource;
  private readonly ttlMs: number;
  private readonly refreshMinIntervalMs: number;
  private readonly now: () => Date;
  private cache: CacheEntry | null = null;
  private inFlight: Promise<CacheEntry> | null = null;
  private lastFailureAt: number | null = null;
  private lastUnknownRefreshAt: number | null = null;

  constructor(options: CachedCredentialSourceOptions) {
    const problems: string[] = [];
    if (!Number.isFinite(options.ttlSeconds) || options.ttlSeconds < 0) {
      problems.push(`ttlSeconds [${options.ttlSeconds}] must be a finite number >= 0`);
    }
    if (!Number.isFinite(options.refreshMinIntervalSeconds) || options.refreshMinIntervalSeconds < 0) {
      problems.push(`refreshMinIntervalSeconds [${options.refreshMinIntervalSeconds}] must be a finite number >= 0`);
    }
    if (problems.length > 0) throw new RangeError(`Invalid CachedCredentialSource options: ${problems.join('; ')}`);
    this.source = options.source;
    this.ttlMs = options.ttlSeconds * 1000;
    this.refreshMinIntervalMs = options.refreshMinIntervalSeconds * 1000;
    this.now = options.now ?? (() => new Date());
  }

  /** The accepted credentials: cached while fresh, reloaded after the TTL, stale rather than nothing on failure. */
  async acceptedCredentials(): Promise<readonly AcceptedCredential[]> {
    const now = this.now().getTime();
    const cached = this.cache;
    if (cached !== null && now - cached.loadedAt < this.ttlMs) return this.unexpired(cached.credentials, now);
    if (this.inFlight === null && this.inFailureBackoff(now)) {
      if (cached !== null) return this.unexpired(cached.credentials, now);
      throw new DependencyError('Accepted credentials unavailable: the last load failed and none are cached');
    }
    try {
      return this.unexpired((await this.load()).credentials);
    } catch (error) {
      // The cache may have been filled by another load meanwhile; either way stale beats nothing.
      if (this.cache !== null) return this.unexpired(this.cache.credentials);
      throw new DependencyError('Accepted credentials unavailable and none are cached', { cause: error });
    }
  }

  /**
   * Reloads now because a caller presented an unknown credential. At most one such reload starts per
   * `refreshMinIntervalSeconds`; callers arriving while any load is in flight share it. Resolves true when fresh
   * values are in place, false when refused by the rate limit or when the load failed.
   */
  async refreshForUnknown(): Promise<boolean> {
    if (this.inFlight === null) {
      const now = this.now().getTime();
      if (this.lastUnknownRefreshAt !== null && now - this.lastUnknownRefreshAt < this.refreshMinIntervalMs) {
        return false;
      }
      this.lastUnknownRefreshAt = now;
    }
    try {
      await this.load();
      return true;
    } catch {
      return false;
    }
  }

  private inFailureBackoff(now: number): boolean {
    return this.lastFailureAt !== null && now - this.lastFailureAt < this.refreshMinIntervalMs;
  }

  private unexpired(
    credentials: readonly AcceptedCredential[],
    now: number = this.now().getTime(),
  ): readonly AcceptedCredential[] {
    return credentials.filter((credential) => {
      const expiresAt = (credential as ExpiringCredential).expiresAt;
      return expiresAt === undefined || expiresAt.getTime() > now;
    });
  }

  /** Starts a load, or returns the one in flight. */
  private load(): Promise<CacheEntry> {
    if (this.inFlight !== null) return this.inFlight;
    const loading = (async () => {
      try {
        // Deferred by a tick so that a source throwing synchronously still goes through this bookkeeping.
        const credentials = await Promise.resolve().then(() => this.source.acceptedCredentials());
        const entry: CacheEntry = { credentials, loadedAt: this.now().getTime() };
        this.cache = entry;
        this.lastFailureAt = null;
        return entry;
      } catch (error) {
        this.lastFailureAt = this.now().getTime();
        throw error;
      } finally {
        this.inFlight = null;
      }
    })();
    this.inFlight = loading;
    return loading;
  }
}
