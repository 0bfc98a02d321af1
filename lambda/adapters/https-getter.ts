/**
 * HTTPS GET with node:https, for the two public resources the verifier fetches: Amazon SNS signing certificates and
 * SNS SubscribeURLs. Defensive by default: https only, no redirects (an SNS URL answers directly; following a
 * redirect would let a validated host send us elsewhere), a timeout and a response size cap.
 */
import { request } from 'node:https';
import { UpstreamStatusError } from '../core/certificate-cache';
import { DependencyError } from '../errors';
import type { HttpsGetter } from '../ports';

/** Options of {@link NodeHttpsGetter}. */
export interface NodeHttpsGetterOptions {
  /**
   * Whole-request timeout (connect, TLS, headers and body), milliseconds.
   * @default 5000
   */
  readonly timeoutMs?: number;
  /**
   * Largest response body accepted, bytes (a certificate is about 2 KB).
   * @default 262144
   */
  readonly maxResponseBytes?: number;
  /** Extra trusted CA certificates (PEM), for tests against a local server; absent: Node's default trust store. */
  readonly ca?: string | readonly string[];
}

/**
 * {@link HttpsGetter} over node:https. Throws `UpstreamStatusError` (carrying the status) for a non-2xx answer, a
 * 3xx included, and `DependencyError` for a non-https URL, a network or TLS failure, a timeout or an oversize body.
 * Errors name the host only: SNS URLs carry tokens in their query.
 *
 * @example
 * const https = new NodeHttpsGetter({ timeoutMs: 3000 });
 * const pem = await https.get('https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem');
 */
export class NodeHttpsGetter implements HttpsGetter {
  private readonly timeoutMs: number;
  private readonly maxResponseBytes: number;
  private readonly ca: string | string[] | undefined;

  constructor(options: NodeHttpsGetterOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.maxResponseBytes = options.maxResponseBytes ?? 256 * 1024;
    this.ca = typeof options.ca === 'string' || options.ca === undefined ? options.ca : [...options.ca];
    if (!(this.timeoutMs > 0)) throw new RangeError(`timeoutMs must be positive, got ${this.timeoutMs}`);
    if (!(this.maxResponseBytes > 0)) {
      throw new RangeError(`maxResponseBytes must be positive, got ${this.maxResponseBytes}`);
    }
  }

  /** GETs `url` and returns its body as UTF-8 text. */
  get(url: string): Promise<string> {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      return Promise.reject(new DependencyError('HTTPS GET refused: not a valid URL'));
    }
    if (target.protocol !== 'https:') {
      return Promise.reject(new DependencyError(`HTTPS GET refused: ${target.protocol} is not https`));
    }
    if (target.username !== '' || target.password !== '') {
      return Promise.reject(new DependencyError('HTTPS GET refused: URL carries credentials'));
    }
    const host = target.host;
    return new Promise<string>((resolve, reject) => {
      let settled = false;
      const fail = (error: Error) => {
        if (settled) return;
        settled = true;
        req.destroy();
        reject(error);
      };
      const req = request(
        target,
        { method: 'GET', headers: { accept: '*/*' }, ...(this.ca ? { ca: this.ca } : {}) },
        (res) => {
          const status = res.statusCode ?? 0;
          if (status < 200 || status >= 300) {
            res.resume();
            fail(new UpstreamStatusError(status, host));
            return;
          }
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > this.maxResponseBytes) {
              fail(new DependencyError(`HTTPS GET to ${host}: response exceeds ${this.maxResponseBytes} bytes`));
              return;
            }
            chunks.push(chunk);
          });
          res.on('end', () => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            resolve(Buffer.concat(chunks).toString('utf8'));
          });
          res.on('error', (error) => fail(new DependencyError(`HTTPS GET to ${host} failed`, { cause: error })));
        },
      );
      const timer = setTimeout(
        () => fail(new DependencyError(`HTTPS GET to ${host} timed out after ${this.timeoutMs} ms`)),
        this.timeoutMs,
      );
      req.on('error', (error) => {
        clearTimeout(timer);
        fail(new DependencyError(`HTTPS GET to ${host} failed`, { cause: error }));
      });
      req.on('close', () => clearTimeout(timer));
      req.end();
    });
  }
}
