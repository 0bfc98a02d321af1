/**
 * Unisender Go webhooks. The body's top-level `auth` field is the MD5 (hex) of the body itself with the `auth` value
 * replaced by the user's or project's API key; so the check swaps the received value for each accepted key in the
 * RAW bytes (Unisender Go escapes `/` as `\/`, so re-serialising the JSON would change what was hashed) and compares
 * digests in constant time. Nothing time-related is signed and the `ID` header changes on every attempt, so event ids
 * are derived from the event content and dedupe catches replays.
 *
 * Two payload shapes, chosen per webhook: the default batch `{"auth", "events_by_user": [{"user_id", "project_id",
 * "events": [{"event_name", "event_data": {...}}]}]}`, and "single event", one flat object with `event_name`,
 * `user_id`, `project_id` and the event data fields side by side. Unisender Go checks the URL with a GET first; the
 * pipeline answers that.
 *
 * MD5 over a key-and-message string is not an HMAC: it only holds because the body must parse as one JSON value (an
 * MD5 length extension appends non-JSON bytes) and the key is secret. Prefer auth mode `both` (Basic credentials too).
 */
import { createHash } from 'node:crypto';
import type { EventDraft, EventType, RejectReason } from '../core/event';
import { NestingLimitError, parseJsonText } from '../core/json';
import { ownEntry } from '../core/lookup';
import { PayloadError, SignatureError } from '../errors';
import { dateStringToIso, decodeHexStrict, deriveEventId, isRecord, safeEqual, stringAt } from './shared';
import type { ProviderModule, VerifyResult, WebhookRequest } from './types';

const STATUS_EVENT = 'transactional_email_status';
const SPAM_BLOCK_EVENT = 'transactional_spam_block';

/** What Unisender Go puts in `auth`: 16 bytes as 32 lowercase hex digits. */
const AUTH_FORMAT = /^[0-9a-f]{32}$/;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Marks a body that is not one JSON value in valid UTF-8. */
const NOT_JSON = Symbol('not JSON');

/** Decodes the body as one JSON value; invalid UTF-8 and trailing bytes are refused, not repaired. */
function parseStrictJson(body: Buffer): unknown {
  try {
    return parseJsonText(strictUtf8.decode(body));
  } catch (error) {
    // Over Hookguard's nesting limit: a 400 that names the limit, from verify and parse alike.
    if (error instanceof NestingLimitError) throw error;
    return NOT_JSON;
  }
}

/** An API key as it appears inside a JSON string written the way Unisender Go writes it (`/` escaped as `\/`). */
function jsonStringContent(value: string): string {
  return JSON.stringify(value).slice(1, -1).replace(/\//g, '\\/');
}

function md5(data: Buffer): Buffer {
  return createHash('md5').update(data).digest();
}

function verify(request: WebhookRequest, apiKeys: readonly string[]): VerifyResult {
  const usable = apiKeys.filter((key) => key.length > 0);
  if (usable.length === 0) throw new SignatureError('no API key configured');
  const parsed = parseStrictJson(request.body);
  if (parsed === NOT_JSON) throw new SignatureError('Body is not valid UTF-8 JSON, so it carries no auth field');
  if (!isRecord(parsed)) throw new SignatureError('Body is not a JSON object, so it carries no auth field');
  const auth = parsed.auth;
  if (typeof auth !== 'string') throw new SignatureError('Missing auth field');
  if (!AUTH_FORMAT.test(auth)) throw new SignatureError('auth is not 32 lowercase hex digits');
  const received = decodeHexStrict(auth, 16);
  if (received === null) throw new SignatureError('auth is not 32 lowercase hex digits');
  // The auth value must appear exactly once, so the swap below can only touch the auth field itself.
  const quoted = Buffer.from(`"${auth}"`, 'utf8');
  const at = request.body.indexOf(quoted);
  if (at < 0 || request.body.indexOf(quoted, at + 1) >= 0) {
    throw new SignatureError('auth value does not appear exactly once in the body');
  }
  const before = request.body.subarray(0, at + 1);
  const after = request.body.subarray(at + 1 + auth.length);
  for (const key of usable) {
    const signed = Buffer.concat([before, Buffer.from(jsonStringContent(key), 'utf8'), after]);
    if (safeEqual(md5(signed), received)) return {};
  }
  throw new SignatureError(`auth matches none of the ${usable.length} configured API key(s)`);
}

function parse(request: WebhookRequest): { events: unknown[] } {
  const body = parseStrictJson(request.body);
  if (body === NOT_JSON) throw new PayloadError('Body is not valid UTF-8 JSON');
  if (!isRecord(body)) throw new PayloadError('Body is not a JSON object');
  if ('events_by_user' in body) {
    const groups = body.events_by_user;
    if (!Array.isArray(groups)) throw new PayloadError('Field events_by_user is not an array');
    const events: unknown[] = [];
    for (const group of groups) {
      if (!isRecord(group) || !Array.isArray(group.events)) {
        throw new PayloadError('Missing field events_by_user[].events (expected an array)');
      }
      events.push(...group.events);
    }
    return { events };
  }
  if (typeof body.event_name === 'string') {
    // "Single event" shape: the event is the body; its auth is a signature, not event data.
    return { events: [Object.fromEntries(Object.entries(body).filter(([field]) => field !== 'auth'))] };
  }
  throw new PayloadError('Expected events_by_user (batch) or event_name (single event)');
}

/** Email statuses to normalised types. `soft_bounced` means Unisender Go will try again. */
const STATUS_MAP: Readonly<Record<string, EventType>> = {
  sent: 'sent',
  delivered: 'delivered',
  opened: 'opened',
  clicked: 'clicked',
  unsubscribed: 'unsubscribed',
  subscribed: 'subscribed',
  spam: 'complained',
  soft_bounced: 'deferred',
  hard_bounced: 'bounced',
};

/** `delivery_info.delivery_status` error codes to reject reasons (`err_will_retry` is not a rejection). */
const DELIVERY_STATUS_REASONS: Readonly<Record<string, RejectReason | null>> = {
  err_user_unknown: 'bounced',
  err_user_inactive: 'bounced',
  err_will_retry: null,
  err_mailbox_discarded: 'bounced',
  err_mailbox_full: 'bounced',
  err_spam_rejected: 'spam',
  err_blacklisted: 'blocked',
  err_too_large: 'bounced',
  err_unsubscribed: 'unsubscribed',
  err_unreachable: 'bounced',
  err_skip_letter: 'bounced',
  err_domain_inactive: 'bounced',
  err_destination_misconfigured: 'bounced',
  err_delivery_failed: 'other',
  err_spam_skipped: 'spam',
  err_lost: 'other',
};

function rejectReasonOf(status: string | null, deliveryStatus: string | null): RejectReason | null {
  // A soft bounce is a temporary bounce whatever its delivery status (docs/events.md, "Bounces and delays").
  if (status === 'soft_bounced') return 'bounced';
  if (deliveryStatus?.startsWith('err')) {
    const reason = ownEntry(DELIVERY_STATUS_REASONS, deliveryStatus);
    return reason === undefined ? 'other' : reason;
  }
  if (status === 'hard_bounced') return 'bounced';
  if (status === 'spam') return 'spam';
  return null;
}

function emailStatusDraft(event: Record<string, unknown>, data: Record<string, unknown>): EventDraft {
  const status = stringAt(data, 'status');
  const deliveryStatus = stringAt(data, 'delivery_info', 'delivery_status');
  return {
    eventType: ownEntry(STATUS_MAP, status) ?? 'unknown',
    eventId: deriveEventId('unisender-go', event),
    messageId: stringAt(data, 'job_id'),
    recipient: stringAt(data, 'email'),
    // Unisender Go writes UTC as "YYYY-MM-DD HH:MM:SS", without an offset.
    timestamp: dateStringToIso(stringAt(data, 'event_time')),
    rejectReason: rejectReasonOf(status, deliveryStatus),
    description: deliveryStatus ?? stringAt(data, 'comment'),
    mtaResponse: stringAt(data, 'delivery_info', 'destination_response'),
    metadata: isRecord(data.metadata) ? data.metadata : {},
    clickUrl: stringAt(data, 'url'),
    userAgent: stringAt(data, 'delivery_info', 'user_agent'),
    raw: event,
  };
}

/**
 * A spam block is about Unisender Go's sending servers being blocked by a receiving domain, not about one message,
 * so it is `unknown` (no message, no recipient) with the block described, rather than a `rejected` of nothing.
 */
function spamBlockDraft(event: Record<string, unknown>, data: Record<string, unknown>): EventDraft {
  const details = ['block_type', 'domain', 'domain_status', 'SMTP_blocks_count']
    .map((field) => {
      const value = stringAt(data, field);
      return value === null ? null : `${field}=${value}`;
    })
    .filter((part): part is string => part !== null);
  return {
    eventType: 'unknown',
    eventId: deriveEventId('unisender-go', event),
    timestamp: dateStringToIso(stringAt(data, 'block_time')),
    description: details.length === 0 ? 'Spam block' : `Spam block: ${details.join(', ')}`,
    raw: event,
  };
}

function normalise(event: unknown): readonly EventDraft[] {
  if (!isRecord(event)) throw new PayloadError('Expected each Unisender Go event to be a JSON object');
  const name = stringAt(event, 'event_name');
  if (name === null) throw new PayloadError('Missing field event_name');
  // Batch events nest their fields in event_data; single-event bodies carry them beside event_name.
  const single = !('event_data' in event);
  const data = single ? event : event.event_data;
  if (!isRecord(data)) throw new PayloadError('Missing field event_data (expected an object)');
  if (name === STATUS_EVENT) return [emailStatusDraft(event, data)];
  if (name === SPAM_BLOCK_EVENT) return [spamBlockDraft(event, data)];
  return [{ eventType: 'unknown', eventId: deriveEventId('unisender-go', event), raw: event }];
}

/** The Unisender Go provider module. */
export const unisenderGoProvider: ProviderModule = {
  id: 'unisender-go',
  displayName: 'Unisender Go',
  contentTypes: ['application/json'],
  verify: (request, context) => verify(request, context.signingKeys),
  parse,
  normalise,
};
