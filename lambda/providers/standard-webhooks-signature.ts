/**
 * The Standard Webhooks signature scheme (https://www.standardwebhooks.com), shared by Resend and by the generic
 * `standard-webhooks` provider (Loops, any Svix sender).
 *
 * The sender signs `<id>.<timestamp>.<raw body>` with HMAC-SHA256; the key is the base64 part of a `whsec_` secret.
 * Three headers carry the scheme: the message id (stable across retries, our event id), the attempt timestamp
 * (integer seconds, fresh on every attempt) and a space-separated list of `<version>,<base64 signature>` entries
 * (several during a secret rotation). Svix senders use `svix-*` header names, the specification `webhook-*`.
 */
import { dateFromSeconds } from '../core/dates';
import { ConfigurationError, PayloadError, SignatureError } from '../errors';
import { decodeBase64Strict, hmac, safeEqual } from './shared';
import type { VerifyContext, VerifyResult, WebhookRequest } from './types';

/** Header name prefixes of the scheme: the specification's own, and Svix's (Resend, older Svix senders). */
export type StandardWebhookHeaderPrefix = 'webhook' | 'svix';

/**
 * Accepted clock skew of the signed attempt timestamp (the libraries' 5 minutes). Senders re-sign every retry with a
 * fresh timestamp, so a legitimate retry is never older than this, and the window is far below the dedupe window.
 */
export const STANDARD_WEBHOOKS_TOLERANCE_SECONDS = 300;

/** The only symmetric signature version the specification defines; `v1a` (ed25519) and unknown ones are skipped. */
const SYMMETRIC_VERSION = 'v1';
const SECRET_PREFIX = 'whsec_';
const HMAC_SHA256_BYTES = 32;
/** Integer Unix seconds, no sign, no fraction (the PHP library rejects `161426533.0` and `-161426533`). */
const TIMESTAMP = /^[0-9]{1,12}$/;

/** The three scheme headers of one request, as read under one prefix. */
export interface StandardWebhookHeaders {
  readonly prefix: StandardWebhookHeaderPrefix;
  readonly id: string;
  readonly timestamp: string;
  readonly signature: string;
}

/**
 * Reads the scheme headers, trying the prefixes in the given order and taking the first complete set, so that the
 * id used as event id is always the one the signature covered. Null when no prefix has all three headers.
 */
export function readStandardWebhookHeaders(
  headers: Readonly<Record<string, string>>,
  prefixes: readonly StandardWebhookHeaderPrefix[],
): StandardWebhookHeaders | null {
  for (const prefix of prefixes) {
    const id = headers[`${prefix}-id`];
    const timestamp = headers[`${prefix}-timestamp`];
    const signature = headers[`${prefix}-signature`];
    if (id && timestamp && signature) return { prefix, id, timestamp, signature };
  }
  return null;
}

/**
 * The message id header (the event id: the sender keeps it across retries). Throws `PayloadError` when the request
 * carries none, which no sender following the scheme does.
 */
export function standardWebhookMessageId(
  request: WebhookRequest,
  prefixes: readonly StandardWebhookHeaderPrefix[],
): string {
  const complete = readStandardWebhookHeaders(request.headers, prefixes);
  if (complete) return complete.id;
  // Unsigned deliveries (auth mode `basic`) still carry the id; take it from the first prefix that has one.
  for (const prefix of prefixes) {
    const id = request.headers[`${prefix}-id`];
    if (id) return id;
  }
  throw new PayloadError(`Missing header ${prefixes.map((prefix) => `${prefix}-id`).join(' or ')}`);
}

/**
 * Decodes a signing secret as senders show it: `whsec_` + base64 (the prefix is optional, as in the official
 * libraries; missing base64 padding is tolerated because the secret is configuration, not attacker input).
 * Null when it is not base64 or decodes to nothing.
 */
export function decodeStandardWebhookSecret(secret: string): Buffer | null {
  const encoded = (secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret).trim();
  if (encoded.length === 0 || encoded.length % 4 === 1) return null;
  const padded = encoded.length % 4 === 0 ? encoded : encoded + '='.repeat(4 - (encoded.length % 4));
  const key = decodeBase64Strict(padded);
  return key && key.length > 0 ? key : null;
}

/**
 * Verifies a Standard Webhooks request over its raw body: accepted when any `v1` entry of the signature header
 * matches the MAC under any accepted key. Returns the signed attempt time for the pipeline's window check.
 * Every failure is a `SignatureError` whose reason names no key, signature or body.
 */
export function verifyStandardWebhook(
  request: WebhookRequest,
  context: VerifyContext,
  prefixes: readonly StandardWebhookHeaderPrefix[],
): VerifyResult {
  const headers = readStandardWebhookHeaders(request.headers, prefixes);
  if (!headers) {
    throw new SignatureError(`missing ${prefixes.map((prefix) => `${prefix}-{id,timestamp,signature}`).join(' or ')}`);
  }
  if (!TIMESTAMP.test(headers.timestamp))
    throw new SignatureError(`${headers.prefix}-timestamp is not integer seconds`);

  const keys = context.signingKeys.map(decodeStandardWebhookSecret).filter((key): key is Buffer => key !== null);
  if (keys.length === 0) {
    throw new ConfigurationError('No usable Standard Webhooks signing secret (expected whsec_ followed by base64)');
  }

  const candidates: Buffer[] = [];
  for (const entry of headers.signature.split(' ')) {
    const comma = entry.indexOf(',');
    if (comma < 0 || entry.slice(0, comma) !== SYMMETRIC_VERSION) continue;
    const decoded = decodeBase64Strict(entry.slice(comma + 1));
    if (decoded && decoded.length === HMAC_SHA256_BYTES) candidates.push(decoded);
  }
  if (candidates.length === 0) throw new SignatureError(`no well-formed v1 entry in ${headers.prefix}-signature`);

  const signedPrefix = `${headers.id}.${headers.timestamp}.`;
  for (const key of keys) {
    const expected = hmac('sha256', key, signedPrefix, request.body);
    if (candidates.some((candidate) => safeEqual(candidate, expected))) {
      const signedAt = dateFromSeconds(Number(headers.timestamp));
      if (signedAt === null) throw new SignatureError('signed timestamp is not a representable time');
      return { signedAt };
    }
  }
  throw new SignatureError(`no v1 signature in ${headers.prefix}-signature matches an accepted key`);
}
