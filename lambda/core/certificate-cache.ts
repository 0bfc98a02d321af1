/**
 * Amazon SNS signing certificates, fetched once per URL and kept. SNS names each certificate by its own URL (a new
 * certificate gets a new URL), so a cached certificate never goes stale; the bound only limits memory.
 */
import { DependencyError, SignatureError } from '../errors';
import type { HttpsGetter } from '../ports';
import type { CertificateSource } from '../providers/types';

/**
 * What an {@link HttpsGetter} throws when the server answered with a non-2xx status. It is a dependency failure
 * (503) unless a caller knows better, as {@link CachedCertificateSource} does for 4xx answers.
 */
export class UpstreamStatusError extends DependencyError {
  constructor(
    /** The HTTP status the remote server answered with. */
    readonly upstreamStatus: number,
    /** Host that answered (never the full URL: SNS URLs carry tokens). */
    readonly host: string,
  ) {
    super(`HTTPS GET to ${host} answered ${upstreamStatus}`);
  }
}

/** Options of {@link CachedCertificateSource}. */
export interface CachedCertificateSourceOptions {
  readonly https: HttpsGetter;
  /**
   * Certificates kept, least recently used evicted first. SNS uses one certificate per region at a time.
   * @default 32
   */
  readonly maxEntries?: number;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----/;

/**
 * A {@link CertificateSource} over an {@link HttpsGetter}: caches PEMs by URL (bounded, LRU) and shares one fetch
 * between concurrent callers of the same URL. Failures are not cached.
 *
 * A 4xx answer means the certificate does not exist, so the message was not signed by Amazon SNS: a
 * `SignatureError` (401). Anything else (network, 5xx, timeout, a body that is not a certificate) is a
 * `DependencyError` (503) so the sender retries.
 *
 * @example
 * const certificates = new CachedCertificateSource({ https: new NodeHttpsGetter() });
 * const pem = await certificates.certificate('https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-abc.pem');
 */
export class CachedCertificateSource implements CertificateSource {
  private readonly https: HttpsGetter;
  private readonly maxEntries: number;
  private readonly cache = new Map<string, string>();
  private readonly inFlight = new Map<string, Promise<string>>();

  constructor(options: CachedCertificateSourceOptions) {
    this.https = options.https;
    this.maxEntries = options.maxEntries ?? 32;
    if (!Number.isInteger(this.maxEntries) || this.maxEntries < 1) {
      throw new RangeError(`maxEntries must be a positive integer, got ${this.maxEntries}`);
    }
  }

  /** The PEM at `url` (already validated by the caller as an Amazon SNS certificate URL). */
  certificate(url: string): Promise<string> {
    const cached = this.cache.get(url);
    if (cached !== undefined) {
      // Re-insert to mark it most recently used.
      this.cache.delete(url);
      this.cache.set(url, cached);
      return Promise.resolve(cached);
    }
    const running = this.inFlight.get(url);
    if (running) return running;
    const fetching = this.fetch(url).finally(() => this.inFlight.delete(url));
    this.inFlight.set(url, fetching);
    return fetching;
  }

  private async fetch(url: string): Promise<string> {
    let pem: string;
    try {
      pem = await this.https.get(url);
    } catch (error) {
      if (error instanceof UpstreamStatusError && error.upstreamStatus >= 400 && error.upstreamStatus < 500) {
        throw new SignatureError(`signing certificate not found (HTTP ${error.upstreamStatus})`, { cause: error });
      }
      throw new DependencyError('Could not fetch the signing certificate', { cause: error });
    }
    if (!PEM_CERTIFICATE.test(pem)) {
      throw new DependencyError('The signing certificate URL did not return a PEM certificate');
    }
    this.cache.set(url, pem);
    if (this.cache.size > this.maxEntries) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    return pem;
  }
}
