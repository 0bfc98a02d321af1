/**
 * Mandrill (Mailchimp Transactional): form posts whose `mandrill_events` field holds a JSON array of up to 1000
 * events, signed in `X-Mandrill-Signature` = base64 HMAC-SHA1 (per-webhook key) of the webhook URL exactly as
 * configured at Mandrill followed by every POST field sorted by name, as name + value. Mandrill gives no event id.
 */
import type { EventDraft, EventType, RejectReason } from '../core/event';
import { NestingLimitError, parseJsonText } from '../core/json';
import { ownEntry } from '../core/lookup';
import { ConfigurationError, PayloadError, SignatureError } from '../errors';
import {
  decodeBase64Strict,
  deriveEventId,
  epochSecondsToIso,
  getPath,
  header,
  hmac,
  isRecord,
  numberAt,
  parseFormBody,
  safeEqual,
  stringAt,
  stringsAt,
} from './shared';
import type {
  ParseResult,
  ProviderModule,
  VerifyContext,
  VerifyResult,
  WebhookRequest,
} from './types';

const SIGNATURE_HEADER = 'x-mandrill-signature';
const EVENTS_FIELD = 'mandrill_events';
const HMAC_SHA1_BYTES = 20;
/**
 * When Mandrill's HEAD check of a new webhook URL fails, it POSTs an empty batch signed with this public key
 * (Mailchimp Transactional "Introduction to Webhooks"). Accepted only for that exact empty batch, which carries no
 * event, so it lets the webhook be created without opening a path for forged events.
 */
const URL_CHECK_KEY = 'test-webhook';

/** Mandrill message `event` -> normalised type and reject reason. */
const MESSAGE_EVENTS: Readonly<Record<string, readonly [EventType, RejectReason | null]>> = {
  send: ['sent', null],
  deferral: ['deferred', null],
  hard_bounce: ['bounced', 'bounced'],
  // A soft bounce leaves the address good: `deferred` with reason `bounced` (docs/events.md).
  soft_bounce: ['deferred', 'bounced'],
  open: ['opened', null],
  click: ['clicked', null],
  spam: ['complained', 'spam'],
  unsub: ['unsubscribed', null],
  // Mandrill rejects what its denylist, a rule or a policy stops; the event names no reason.
  reject: ['rejected', 'blocked'],
  inbound: ['inbound', null],
};

/** `msg.bounce_description` values that say more than "bounced". */
const BOUNCE_DESCRIPTION_REASONS: Readonly<Record<string, RejectReason>> = {
  spam_related: 'spam',
  policy_related: 'blocked',
  invalid_email: 'invalid',
};

/** The POST fields in the order Mandrill signs them; a repeated field is refused (its signed value is ambiguous). */
function signedFields(body: Buffer): string {
  const form = parseFormBody(body);
  const names = [...form.keys()];
  if (new Set(names).size !== names.length) throw new SignatureError('repeated form field');
  return names
    .sort()
    .map((name) => `${name}${form.get(name) ?? ''}`)
    .join('');
}

function matches(signature: Buffer, keys: readonly string[], urls: readonly string[], fields: string): boolean {
  for (const key of keys) {
    for (const url of urls) {
      if (safeEqual(signature, hmac('sha1', key, url, fields))) return true;
    }
  }
  return false;
}

function verify(request: WebhookRequest, context: VerifyContext): VerifyResult {
  const encoded = header(request.headers, SIGNATURE_HEADER);
  if (encoded === null) throw new SignatureError('missing X-Mandrill-Signature');
  const signature = decodeBase64Strict(encoded);
  if (signature === null || signature.length !== HMAC_SHA1_BYTES) {
    throw new SignatureError('X-Mandrill-Signature is not base64 of an HMAC-SHA1');
  }
  if (context.signedUrls.length === 0) {
    throw new ConfigurationError('Mandrill needs the webhook URL it signs (settings.signedUrl)');
  }
  const fields = signedFields(request.body);
  if (matches(signature, context.signingKeys, context.signedUrls, fields)) return {};
  if (fields === `${EVENTS_FIELD}[]` && matches(signature, [URL_CHECK_KEY], context.signedUrls, fields)) return {};
  throw new SignatureError('X-Mandrill-Signature matches no accepted key and signed URL');
}

function parse(request: WebhookRequest): ParseResult {
  const value = parseFormBody(request.body).get(EVENTS_FIELD);
  if (value === null) throw new PayloadError(`Missing form field ${EVENTS_FIELD}`);
  let events: unknown;
  try {
    events = parseJsonText(value, `Form field ${EVENTS_FIELD}`);
  } catch (error) {
    if (error instanceof NestingLimitError) throw error;
    throw new PayloadError(`Form field ${EVENTS_FIELD} is not valid JSON`);
  }
  if (!Array.isArray(events))
    throw new PayloadError(`Expected form field ${EVENTS_FIELD} to be a JSON array of events`);
  return { events };
}

/**
 * A message event's identity: the message, the event name and time, and what distinguishes two engagements in the
 * same second (link, client). `msg` is left out because it is a snapshot of the message's current state (opens,
 * clicks, version) that can change between deliveries of the same event.
 */
function messageEventId(event: Record<string, unknown>, name: string): string {
  const messageId = stringAt(event, '_id');
  if (messageId === null) return deriveEventId('mandrill', event);
  return deriveEventId('mandrill', {
    _id: messageId,
    event: name,
    ts: event.ts ?? null,
    url: event.url ?? null,
    ip: event.ip ?? null,
    user_agent: event.user_agent ?? null,
  });
}

function mtaResponse(event: Record<string, unknown>): string | null {
  const diag = stringAt(event, 'msg', 'diag');
  if (diag !== null) return diag;
  const smtpEvents = getPath(event, ['msg', 'smtp_events']);
  if (!Array.isArray(smtpEvents)) return null;
  for (let index = smtpEvents.length - 1; index >= 0; index -= 1) {
    const last = stringAt(smtpEvents[index], 'diag');
    if (last !== null) return last;
  }
  return null;
}

function rejectReason(
  name: string,
  defaultReason: RejectReason | null,
  event: Record<string, unknown>,
): RejectReason | null {
  // A soft bounce keeps reason `bounced` whatever its description; only hard bounces are refined.
  if (name !== 'hard_bounce') return defaultReason;
  const description = stringAt(event, 'msg', 'bounce_description');
  return (description !== null ? ownEntry(BOUNCE_DESCRIPTION_REASONS, description) : undefined) ?? defaultReason;
}

function normaliseMessageEvent(event: Record<string, unknown>, name: string): EventDraft {
  const [eventType, defaultReason] = ownEntry(MESSAGE_EVENTS, name) ?? ['unknown', null];
  const metadata = getPath(event, ['msg', 'metadata']);
  return {
    eventType,
    eventId: messageEventId(event, name),
    messageId: stringAt(event, 'msg', '_id') ?? stringAt(event, '_id'),
    recipient: stringAt(event, 'msg', 'email'),
    timestamp: epochSecondsToIso(numberAt(event, 'ts')),
    rejectReason: rejectReason(name, defaultReason, event),
    description: stringAt(event, 'msg', 'bounce_description'),
    mtaResponse: mtaResponse(event),
    tags: stringsAt(event, 'msg', 'tags'),
    metadata: isRecord(metadata) ? metadata : {},
    clickUrl: stringAt(event, 'url'),
    userAgent: stringAt(event, 'user_agent'),
    raw: event,
  };
}

/** Rejection safelist/denylist sync events (`type` whitelist/blacklist, no `event`): published as `unknown`. */
function normaliseSyncEvent(event: Record<string, unknown>): EventDraft {
  const entry = isRecord(event.reject) ? event.reject : isRecord(event.entry) ? event.entry : {};
  return {
    eventType: 'unknown',
    eventId: deriveEventId('mandrill', event),
    recipient: stringAt(entry, 'email'),
    timestamp: epochSecondsToIso(numberAt(event, 'ts')),
    description: stringAt(entry, 'detail') ?? stringAt(entry, 'reason'),
    raw: event,
  };
}

function normalise(event: unknown): readonly EventDraft[] {
  if (!isRecord(event)) throw new PayloadError('Expected each Mandrill event to be a JSON object');
  const name = stringAt(event, 'event');
  if (name !== null) return [normaliseMessageEvent(event, name)];
  if (stringAt(event, 'type') !== null) return [normaliseSyncEvent(event)];
  throw new PayloadError('Missing field event');
}

/** Mandrill (Mailchimp Transactional) webhooks. */
export const mandrillProvider: ProviderModule = {
  id: 'mandrill',
  displayName: 'Mandrill (Mailchimp Transactional)',
  contentTypes: ['application/x-www-form-urlencoded'],
  verify,
  parse,
  normalise,
};
