/**
 * Helpers every management module uses: URL comparison without credentials, safe display, constant-time
 * credential comparison, and the one retry policy for 429 and 5xx answers.
 */
import { timingSafeEqual } from 'node:crypto';
import type { ProviderId } from '../core/provider-ids';
import {
  type CredentialMatch,
  type HttpClient,
  type HttpRequest,
  type HttpResponse,
  ManagementError,
  type WebhookCredential,
} from './types';

/** The URL without user info, query, fragment and trailing slash, for comparing webhook targets; null if invalid. */
export function comparableUrl(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  const path = parsed.pathname.length > 1 ? parsed.pathname.replace(/\/+$/, '') : parsed.pathname;
  return `${parsed.protocol}//${parsed.host.toLowerCase()}${path}`;
}

/** Whether two webhook URLs name the same target, credentials aside. */
export function sameTarget(a: string, b: string): boolean {
  const left = comparableUrl(a);
  return left !== null && left === comparableUrl(b);
}

/** The URL with any user info replaced by `***`, safe to print. */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username === '' && parsed.password === '') return parsed.toString();
    parsed.username = '***';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return '(not a URL)';
  }
}

/** `url` with `credential` as its user info (percent-encoded), the form most providers take. */
export function urlWithCredential(url: string, credential: WebhookCredential): string {
  const parsed = new URL(url);
  parsed.username = encodeURIComponent(credential.username);
  parsed.password = encodeURIComponent(credential.password);
  return parsed.toString();
}

/** The user info of a URL, decoded; null when it has none. */
export function credentialInUrl(url: string): WebhookCredential | null {
  try {
    const parsed = new URL(url);
    if (parsed.username === '' && parsed.password === '') return null;
    return { username: decodeURIComponent(parsed.username), password: decodeURIComponent(parsed.password) };
  } catch {
    return null;
  }
}

function equalConstantTime(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  // Compare equal-length buffers always, so the time does not say how long the stored value is.
  const same = timingSafeEqual(
    left.length === right.length ? left : Buffer.alloc(right.length),
    right,
  );
  return same && left.length === right.length;
}

/** Compares what a webhook carries with the desired credential, in constant time. */
export function matchCredential(found: WebhookCredential | null, desired: WebhookCredential): CredentialMatch {
  if (found === null) return 'none';
  const userOk = equalConstantTime(found.username, desired.username);
  const passOk = equalConstantTime(found.password, desired.password);
  return userOk && passOk ? 'desired' : 'other';
}

/** Options of {@link sendWithRetry}. */
export interface RetryOptions {
  /**
   * Attempts in all, the first included.
   * @default 3
   */
  readonly attempts?: number;
  /**
   * Longest wait between attempts, milliseconds (a `Retry-After` longer than this fails at once).
   * @default 5000
   */
  readonly maxDelayMs?: number;
  /** @default setTimeout-based sleep */
  readonly sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Sends `request`, retrying 429 and 5xx answers and transport failures a few times (honouring `Retry-After` in
 * seconds), then returns the last answer. A rotation step runs inside a Lambda timeout, so the waits stay short;
 * Secrets Manager retries the whole step later anyway.
 */
export async function sendWithRetry(
  http: HttpClient,
  provider: ProviderId,
  request: HttpRequest,
  options: RetryOptions = {},
): Promise<HttpResponse> {
  const attempts = options.attempts ?? 3;
  const maxDelayMs = options.maxDelayMs ?? 5000;
  const sleep = options.sleep ?? defaultSleep;
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    let response: HttpResponse | null = null;
    try {
      response = await http.send(request);
    } catch (error) {
      lastError = error;
    }
    if (response !== null && response.status !== 429 && response.status < 500) return response;
    if (attempt === attempts) {
      if (response !== null) return response;
      break;
    }
    const retryAfter = response === null ? NaN : Number(response.headers['retry-after']);
    const delay = Number.isFinite(retryAfter) ? retryAfter * 1000 : 200 * 2 ** (attempt - 1);
    if (delay > maxDelayMs) {
      if (response !== null) return response;
      break;
    }
    await sleep(delay);
  }
  throw new ManagementError(provider, `${request.method} ${new URL(request.url).pathname} failed`, undefined, {
    cause: lastError,
  });
}

/**
 * Throws a {@link ManagementError} naming the operation and status unless `response` is 2xx. The body is not
 * quoted: providers echo request fields, credentials included, in their error answers.
 */
export function expectOk(provider: ProviderId, operation: string, response: HttpResponse): HttpResponse {
  if (response.status >= 200 && response.status < 300) return response;
  throw new ManagementError(provider, `${operation} answered HTTP ${response.status}`, response.status);
}

/** Parses a JSON answer, or throws a {@link ManagementError} that names the operation. */
export function jsonBody(provider: ProviderId, operation: string, response: HttpResponse): unknown {
  try {
    return JSON.parse(response.body) as unknown;
  } catch {
    throw new ManagementError(provider, `${operation} answered something that is not JSON`, response.status);
  }
}
