/**
 * Brevo (ex-Sendinblue) transactional webhooks: unsigned (Basic credentials in the URL or a bearer token, both
 * checked by the authorizer), one JSON event per request, or a JSON array when the webhook was created with
 * `batched: true`. Brevo gives no event id, so one is derived from the event's content.
 */
import type { EventDraft, EventType, RejectReason } from '../core/event';
import { parseJsonText } from '../core/json';
import { ownEntry } from '../core/lookup';
import { PayloadError } from '../errors';
import {
  deriveEventId,
  epochMillisToIso,
  epochSecondsToIso,
  isRecord,
  numberAt,
  parseJsonBody,
  stringAt,
  stringsAt,
} from './shared';
import type { ParseResult, ProviderModule, WebhookRequest } from './types';

/**
 * Brevo `event` -> normalised type and reject reason (https://developers.brevo.com/docs/transactional-webhooks;
 * marketing webhooks add `list_addition`). `complaint` and `unsubscribe` are spellings seen in older payloads; `sent`
 * is the name Brevo uses outside transactional email.
 */
const EVENT_TYPES: Readonly<Record<string, readonly [EventType, RejectReason | null]>> = {
  request: ['queued', null],
  sent: ['sent', null],
  delivered: ['delivered', null],
  hard_bounce: ['bounced', 'bounced'],
  // A soft bounce is temporary: the address is still good (docs/events.md, "Bounces and delays").
  soft_bounce: ['deferred', 'bounced'],
  invalid_email: ['bounced', 'invalid'],
  blocked: ['rejected', 'blocked'],
  spam: ['complained', 'spam'],
  complaint: ['complained', 'spam'],
  deferred: ['deferred', null],
  opened: ['opened', null],
  unique_opened: ['opened', null],
  proxy_open: ['opened', null],
  unique_proxy_open: ['opened', null],
  click: ['clicked', null],
  unsubscribed: ['unsubscribed', null],
  unsubscribe: ['unsubscribed', null],
  error: ['failed', null],
  list_addition: ['subscribed', null],
};

/** Events whose `reason` is the receiving server's reply rather than Brevo's own explanation. */
const SMTP_REASON_EVENTS = new Set(['hard_bounce', 'soft_bounce', 'deferred']);

/** `ts_epoch` is documented in milliseconds, but Brevo's own sample shows seconds; below this it is seconds. */
const MILLIS_THRESHOLD = 1e11;

function parse(request: WebhookRequest): ParseResult {
  const body = parseJsonBody(request.body);
  if (Array.isArray(body)) return { events: body };
  if (isRecord(body)) return { events: [body] };
  throw new PayloadError('Expected a JSON event object or a JSON array of events');
}

/**
 * `ts_epoch` is the only field Brevo documents as UTC with sub-second precision; `ts_event` is UTC seconds. Brevo's
 * documented proxy-open sample spells it `s_epoch`.
 */
function timestampOf(event: Record<string, unknown>): string | null {
  const epoch = numberAt(event, 'ts_epoch') ?? numberAt(event, 's_epoch');
  if (epoch !== null) return epoch >= MILLIS_THRESHOLD ? epochMillisToIso(epoch) : epochSecondsToIso(epoch);
  return epochSecondsToIso(numberAt(event, 'ts_event') ?? numberAt(event, 'ts'));
}

/**
 * `tags` (array) when the send set tags, else `tag`: the single `X-Mailin-Tag` header or template name, or an array
 * (Brevo's proxy-open sample).
 */
function tagsOf(event: Record<string, unknown>): string[] {
  const tags = stringsAt(event, 'tags');
  if (tags.length > 0) return tags;
  const tagArray = stringsAt(event, 'tag');
  if (tagArray.length > 0) return tagArray;
  const tag = stringAt(event, 'tag');
  return tag === null ? [] : [tag];
}

/** The `X-Mailin-custom` header: a JSON object by convention, any string otherwise (kept under its own name). */
function metadataOf(event: Record<string, unknown>): Record<string, unknown> {
  const custom = stringAt(event, 'X-Mailin-custom');
  if (custom === null) return {};
  try {
    const parsed: unknown = parseJsonText(custom, 'X-Mailin-custom');
    if (isRecord(parsed)) return parsed;
  } catch {
    // Not JSON: keep the raw header value.
  }
  return { 'X-Mailin-custom': custom };
}

function normalise(event: unknown): readonly EventDraft[] {
  if (!isRecord(event)) throw new PayloadError('Expected each Brevo event to be a JSON object');
  const name = stringAt(event, 'event');
  if (name === null) throw new PayloadError('Missing field event');
  const [eventType, rejectReason] = ownEntry(EVENT_TYPES, name) ?? ['unknown', null];
  const reason = stringAt(event, 'reason');
  const smtpReason = SMTP_REASON_EVENTS.has(name);
  return [
    {
      eventType,
      eventId: deriveEventId('brevo', event),
      messageId: stringAt(event, 'message-id'),
      recipient: stringAt(event, 'email'),
      timestamp: timestampOf(event),
      rejectReason,
      description: smtpReason ? null : reason,
      mtaResponse: smtpReason ? reason : null,
      tags: tagsOf(event),
      metadata: metadataOf(event),
      clickUrl: stringAt(event, 'link'),
      userAgent: stringAt(event, 'user_agent'),
      raw: event,
    },
  ];
}

/** Brevo transactional webhooks (unsigned; Basic credentials or bearer token). */
export const brevoProvider: ProviderModule = {
  id: 'brevo',
  displayName: 'Brevo',
  contentTypes: ['application/json'],
  parse,
  normalise,
};
