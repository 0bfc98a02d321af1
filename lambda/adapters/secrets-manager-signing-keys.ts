/**
 * Provider signing keys from the Secrets Manager secret holding a {@link SigningKeysSecret} JSON, cached per
 * container (Secrets Manager bills per call and throttles).
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { isProviderId, type ProviderId } from '../core/provider-ids';
import type { SigningKeysSecret } from '../core/secret-formats';
import { ConfigurationError, DependencyError, HookguardError } from '../errors';
import type { Logger, SigningKeySource } from '../ports';

/** Options of {@link SecretsManagerSigningKeys}. */
export interface SecretsManagerSigningKeysOptions {
  readonly client: SecretsManagerClient;
  /** ARN or name of the signing keys secret. */
  readonly secretId: string;
  /** How long a loaded value is served before it is reloaded, seconds. */
  readonly cacheTtlSeconds: number;
  readonly now?: () => Date;
  /** Told when a reload fails while a cached value is still served (the error never carries the secret). */
  readonly logger?: Logger;
}

/**
 * Validates the secret's JSON text as a {@link SigningKeysSecret}: an object of provider id to a list of non-empty
 * strings. Messages name the offending keys, never a value.
 *
 * @throws ConfigurationError describing every problem.
 */
export function parseSigningKeysSecret(text: string): SigningKeysSecret {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ConfigurationError('The signing keys secret is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigurationError('The signing keys secret must be a JSON object of provider id to a list of keys');
  }
  const problems: string[] = [];
  const keys: Partial<Record<ProviderId, readonly string[]>> = {};
  for (const [provider, list] of Object.entries(value)) {
    if (!isProviderId(provider)) {
      problems.push(`${provider.slice(0, 40)}: not a provider id`);
    } else if (!Array.isArray(list) || !list.every((key) => typeof key === 'string' && key.trim() !== '')) {
      problems.push(`${provider}: expected a list of non-empty strings`);
    } else {
      keys[provider] = list as string[];
    }
  }
  if (problems.length > 0) {
    throw new ConfigurationError(`The signing keys secret is malformed: ${problems.join('; ')}`);
  }
  return keys;
}

/**
 * {@link SigningKeySource} over Secrets Manager. The secret is read at most once per `cacheTtlSeconds`; concurrent
 * callers share one read (single flight). When a reload fails (outage, or a malformed value written by mistake),
 * the last good value keeps being served, and the reload is tried again after a pause rather than on every request.
 * With nothing loaded yet it fails closed: the error propagates (`DependencyError` for an outage, 503;
 * `ConfigurationError` for a malformed secret, 500) and no request is verified. The secret's content is never
 * logged or put in an error.
 *
 * @example
 * const keys = new SecretsManagerSigningKeys({ client: new SecretsManagerClient({}), secretId: arn, cacheTtlSeconds: 60 });
 * const sendgridKeys = await keys.keysFor('sendgrid');
 */
export class SecretsManagerSigningKeys implements SigningKeySource {
  private readonly client: SecretsManagerClient;
  private readonly secretId: string;
  private readonly ttlMs: number;
  private readonly retryAfterFailureMs: number;
  private readonly now: () => Date;
  private readonly logger: Logger | undefined;
  private cached: { readonly value: SigningKeysSecret; readonly loadedAt: number } | undefined;
  private lastFailureAt: number | undefined;
  private inFlight: Promise<SigningKeysSecret> | undefined;

  constructor(options: SecretsManagerSigningKeysOptions) {
    if (!Number.isFinite(options.cacheTtlSeconds) || options.cacheTtlSeconds < 0) {
      throw new RangeError(`cacheTtlSeconds must be a non-negative number, got ${options.cacheTtlSeconds}`);
    }
    this.client = options.client;
    this.secretId = options.secretId;
    this.ttlMs = options.cacheTtlSeconds * 1000;
    // After a failed reload with a value in hand, wait before trying again (at most 30 s, never longer than the TTL).
    this.retryAfterFailureMs = Math.min(this.ttlMs, 30_000);
    this.now = options.now ?? (() => new Date());
    this.logger = options.logger;
  }

  /** Every signing key accepted now for `provider`; empty when none is configured. */
  async keysFor(provider: ProviderId): Promise<readonly string[]> {
    const secret = await this.current();
    return secret[provider] ?? [];
  }

  private async current(): Promise<SigningKeysSecret> {
    const now = this.now().getTime();
    const cached = this.cached;
    if (cached && now - cached.loadedAt < this.ttlMs) return cached.value;
    if (cached && this.lastFailureAt !== undefined && now - this.lastFailureAt < this.retryAfterFailureMs) {
      return cached.value;
    }
    this.inFlight ??= this.load().finally(() => {
      this.inFlight = undefined;
    });
    try {
      return await this.inFlight;
    } catch (error) {
      if (!cached) throw error;
      this.logger?.warn('Could not reload the signing keys; serving the keys loaded before', {
        errorName: error instanceof Error ? error.name : typeof error,
        errorMessage: error instanceof Error ? error.message : undefined,
      });
      return cached.value;
    }
  }

  private async load(): Promise<SigningKeysSecret> {
    try {
      let text: string | undefined;
      try {
        const output = await this.client.send(new GetSecretValueCommand({ SecretId: this.secretId }));
        text = output.SecretString;
      } catch (error) {
        throw new DependencyError('Could not read the signing keys secret from Secrets Manager', { cause: error });
      }
      if (text === undefined) throw new ConfigurationError('The signing keys secret has no string value');
      const value = parseSigningKeysSecret(text);
      this.cached = { value, loadedAt: this.now().getTime() };
      this.lastFailureAt = undefined;
      return value;
    } catch (error) {
      this.lastFailureAt = this.now().getTime();
      throw error instanceof HookguardError
        ? error
        : new DependencyError('Could not load signing keys', { cause: error });
    }
  }
}
