/**
 * Small, dependency-free helpers every provider module uses: strict decoding of signature encodings,
 * constant-time comparison, JSON/form parsing that never echoes the body, derived event ids, timestamps.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { dateFromMillis, dateFromSeconds, dateFromText, isoOf } from '../core/dates';
import { parseJsonBytes, requireUtf8 } from '../core/json';
import { PayloadError } from '../errors';

/**
 * The base64 alphabet with at most two padding characters at the end. A single character class (no repeated
 * group) keeps the match linear: a grouped pattern overflows V8's regex stack on bodies of a few megabytes.
 */
const BASE64_CHARACTERS = /^[A-Za-z0-9+/]*={0,2}$/;
const HEX = /^(?:[0-9a-fA-F]{2})*$/;

/**
 * Decodes standard base64 strictly: the whole string must be canonical base64 (Node's own decoder silently
 * ignores trailing garbage, which would let a tampered signature through). Returns null when it is not.
 */
export function decodeBase64Strict(value: string): Buffer | null {
  if (value.length === 0 || value.length % 4 !== 0 || !BASE64_CHARACTERS.test(value)) return null;
  // Canonical form: the bits a padded final quantum leaves unused must be zero ("QR==" decodes like "QQ==").
  const lastQuantum = value.slice(-4);
  if (lastQuantum.endsWith('=') && Buffer.from(lastQuantum, 'base64').toString('base64') !== lastQuantum) return null;
  return Buffer.from(value, 'base64');
}

/** Decodes hex strictly (even length, hex digits only); null when it is not hex or not `expectedBytes` long. */
export function decodeHexStrict(value: string, expectedBytes?: number): Buffer | null {
  if (value.length === 0 || !HEX.test(value)) return null;
  if (expectedBytes !== undefined && value.length !== expectedBytes * 2) return null;
  return Buffer.from(value, 'hex');
}

/** Compares two byte strings in constant time (for equal lengths; a length mismatch is simply false). */
export function safeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** HMAC of the concatenated parts. */
export function hmac(algorithm: 'sha1' | 'sha256', key: string | Buffer, ...parts: Array<string | Buffer>): Buffer {
  const mac = createHmac(algorithm, key);
  for (const part of parts) mac.update(part);
  return mac.digest();
}

/** JSON text with object keys sorted at every level, so equal values always serialise the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.keys(value as Record<string, unknown>)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
  return `{${entries.join(',')}}`;
}

/**
 * A stable event id for providers that give none: a hash of the provider id and the event's canonical content.
 * A retried delivery of the same event gets the same id; two events that differ in any field never share one.
 */
export function deriveEventId(provider: string, event: unknown): string {
  return `hg-${createHash('sha256').update(provider).update('\n').update(canonicalJson(event)).digest('hex').slice(0, 40)}`;
}

/**
 * Parses a JSON body, or throws a `PayloadError` that names the problem without quoting the body: not UTF-8, not
 * JSON, or nested deeper than Hookguard's limit (see `core/json.ts`).
 */
export function parseJsonBody(body: Buffer): unknown {
  return parseJsonBytes(body);
}

/**
 * Parses an `application/x-www-form-urlencoded` body strictly: its percent-escapes must decode to valid UTF-8, the
 * same rule as for JSON bodies (`URLSearchParams` alone would turn `%FF` into U+FFFD and publish altered text).
 *
 * @throws PayloadError for a malformed escape or bytes that are not UTF-8
 */
export function parseFormBody(body: Buffer): URLSearchParams {
  requireUtf8(body);
  const text = body.toString('utf8');
  const params = new URLSearchParams();
  if (text === '') return params;
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const equals = pair.indexOf('=');
    const name = equals < 0 ? pair : pair.slice(0, equals);
    const value = equals < 0 ? '' : pair.slice(equals + 1);
    params.append(decodeFormComponent(name), decodeFormComponent(value));
  }
  return params;
}

function decodeFormComponent(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    throw new PayloadError('Form body has a malformed percent-escape or one that is not UTF-8');
  }
}

/** True for a plain (non-array) object. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value at a dotted path (`'event-data.message.headers.message-id'` style keys use an array path). */
export function getPath(value: unknown, path: readonly string[]): unknown {
  let current: unknown = value;
  for (const key of path) {
    // Own keys only: an inherited member (`constructor`, `toString`...) is not a field of the payload.
    if (!isRecord(current) || !Object.hasOwn(current, key)) return undefined;
    current = current[key];
  }
  return current;
}

/** A string field, or null when absent or not a non-empty string (numbers are stringified). */
export function stringAt(value: unknown, ...path: string[]): string | null {
  const found = getPath(value, path);
  if (typeof found === 'string') return found.length > 0 ? found : null;
  if (typeof found === 'number' && Number.isFinite(found)) return String(found);
  return null;
}

/** A finite number field (numeric strings accepted), or null. */
export function numberAt(value: unknown, ...path: string[]): number | null {
  const found = getPath(value, path);
  if (typeof found === 'number') return Number.isFinite(found) ? found : null;
  if (typeof found === 'string' && found.trim() !== '' && Number.isFinite(Number(found))) return Number(found);
  return null;
}

/**
 * Epoch seconds (possibly fractional) to ISO 8601 UTC; null when not a plausible time (negative, or outside the
 * range `core/dates.ts` accepts).
 */
export function epochSecondsToIso(seconds: number | null): string | null {
  if (seconds === null || seconds < 0) return null;
  return isoOf(dateFromSeconds(seconds));
}

/** Epoch milliseconds to ISO 8601 UTC; null when not a plausible time (as {@link epochSecondsToIso}). */
export function epochMillisToIso(millis: number | null): string | null {
  if (millis === null || millis < 0) return null;
  return isoOf(dateFromMillis(millis));
}

/**
 * A date-time string to ISO 8601 UTC. Strings without an offset are read as UTC (Unisender Go's
 * `YYYY-MM-DD HH:MM:SS`). Null when unparseable.
 */
export function dateStringToIso(value: string | null): string | null {
  if (value === null) return null;
  const hasZone = /(?:[zZ]|[+-]\d{2}:?\d{2})$/.test(value.trim());
  const text = hasZone ? value.trim() : `${value.trim().replace(' ', 'T')}Z`;
  return isoOf(dateFromText(text));
}

/** The first string of an array field, or null. */
export function firstStringAt(value: unknown, ...path: string[]): string | null {
  const found = getPath(value, path);
  if (!Array.isArray(found)) return null;
  const first = found.find((item) => typeof item === 'string' && item.length > 0);
  return typeof first === 'string' ? first : null;
}

/** The strings of an array field (non-strings dropped); empty when absent. */
export function stringsAt(value: unknown, ...path: string[]): string[] {
  const found = getPath(value, path);
  return Array.isArray(found) ? found.filter((item): item is string => typeof item === 'string') : [];
}

/** A header value (names are lower-cased in `WebhookRequest`), or null when absent or empty. */
export function header(headers: Readonly<Record<string, string>>, name: string): string | null {
  const key = name.toLowerCase();
  const value = Object.hasOwn(headers, key) ? headers[key] : undefined;
  return value === undefined || value === '' ? null : value;
}
