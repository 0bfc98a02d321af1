/**
 * The {@link HttpClient} adapter over Node's global `fetch` (Node 20 here, Node 24 in Lambda), used by the rotation
 * Lambda and the CLI to call provider management APIs.
 */
import type { HttpClient, HttpRequest, HttpResponse } from './types';

/** Options of {@link FetchHttpClient}. */
export interface FetchHttpClientOptions {
  /**
   * Whole-request timeout, milliseconds.
   * @default 10000
   */
  readonly timeoutMs?: number;
  /**
   * Largest answer read, bytes: webhook lists are small, so anything larger is refused rather than buffered.
   * @default 1048576
   */
  readonly maxResponseBytes?: number;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Sends requests with `fetch`: https only (plain http only to loopback hosts, for fake servers in tests), no
 * redirects (a management API answers directly; following one could send the API key elsewhere), a timeout and a
 * size cap. Errors name the host, never the request's headers or body.
 */
export class FetchHttpClient implements HttpClient {
  private readonly timeoutMs: number;
  private readonly maxResponseBytes: number;
  private readonly fetchImpl: typeof fetch;

  constructor(options: FetchHttpClientOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.maxResponseBytes = options.maxResponseBytes ?? 1024 * 1024;
    this.fetchImpl = options.fetch ?? globalThis.fetch;
  }

  async send(request: HttpRequest): Promise<HttpResponse> {
    const url = new URL(request.url);
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))) {
      throw new Error(`Refusing ${url.protocol} for ${url.host}: provider APIs are called over https only`);
    }
    const response = await this.fetchImpl(url, {
      method: request.method,
      headers: request.headers ? { ...request.headers } : undefined,
      body: request.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const declared = Number(response.headers.get('content-length'));
    if (Number.isFinite(declared) && declared > this.maxResponseBytes) {
      await response.body?.cancel();
      throw new Error(`The answer from ${url.host} is larger than ${this.maxResponseBytes} bytes`);
    }
    const buffer = Buffer.from(await response.arrayBuffer());
    if (buffer.length > this.maxResponseBytes) {
      throw new Error(`The answer from ${url.host} is larger than ${this.maxResponseBytes} bytes`);
    }
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      headers[name.toLowerCase()] = value;
    });
    return { status: response.status, headers, body: buffer.toString('utf8') };
  }
}
