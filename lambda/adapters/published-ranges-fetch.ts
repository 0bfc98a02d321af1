/**
 * {@link RangeFetchPort} for the refresher: pages over HTTPS through the management HTTP client (https only, no
 * redirects, timeout, size cap; plain http only to loopback, for the tests' fake servers), DNS A records through a
 * small resolver port (Node's `dns.promises.Resolver` in Lambda, a fake in tests).
 */
import { Resolver } from 'node:dns/promises';
import type { RangeFetchPort } from '../core/ip-ranges';
import { FetchHttpClient } from '../management/http-client';
import type { HttpClient } from '../management/types';

/** Resolves A records (`dns.promises.Resolver#resolve4` has this shape). */
export interface DnsResolverPort {
  resolve4(hostname: string): Promise<string[]>;
}

/** Options of {@link PublishedRangesFetcher}. */
export interface PublishedRangesFetcherOptions {
  /** @default a FetchHttpClient with a 10 s timeout and a 1 MiB cap */
  readonly http?: HttpClient;
  /** @default a `dns.promises.Resolver` with a 5 s timeout and 2 tries */
  readonly dns?: DnsResolverPort;
}

/** Fetches published lists. */
export class PublishedRangesFetcher implements RangeFetchPort {
  private readonly http: HttpClient;
  private readonly dns: DnsResolverPort;

  constructor(options: PublishedRangesFetcherOptions = {}) {
    this.http = options.http ?? new FetchHttpClient({ timeoutMs: 10_000, maxResponseBytes: 1024 * 1024 });
    this.dns = options.dns ?? new Resolver({ timeout: 5000, tries: 2 });
  }

  async getText(url: string): Promise<string> {
    const response = await this.http.send({
      method: 'GET',
      url,
      headers: { accept: 'text/html, text/markdown;q=0.9, */*;q=0.1', 'user-agent': 'hookguard-ip-ranges' },
    });
    if (response.status < 200 || response.status > 299) {
      throw new Error(`HTTP ${response.status} from ${new URL(url).host}`);
    }
    return response.body;
  }

  async resolveA(hostname: string): Promise<readonly string[]> {
    return this.dns.resolve4(hostname);
  }
}
