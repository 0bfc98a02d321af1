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
import type { ParseResult, ProviderModule, SimulatedRequest, SimulateInput, WebhookRequest } from './types';

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
  soft_bounce: ['bounced', 'bounced'],
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

/** `ts_epoch` is the only field Brevo documents as UTC with sub-second precision; `ts_event` is UTC seconds. */
function timestampOf(event: Record<string, unknown>): string | null {
  const epoch = numberAt(event, 'ts_epoch');
  if (epoch !== null) return epoch >= MILLIS_THRESHOLD ? epochMillisToIso(epoch) : epochSecondsToIso(epoch);
  return epochSecondsToIso(numberAt(event, 'ts_event') ?? numberAt(event, 'ts'));
}

/** `tags` (array) when the send set tags, else the single `tag` (the `X-Mailin-Tag` header or template name). */
function tagsOf(event: Record<string, unknown>): string[] {
  const tags = stringsAt(event, 'tags');
  if (tags.length > 0) return tags;
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

/** Brevo's documented names only: `sent` (an SMS name) and the older spellings are accepted but not simulated. */
const SIMULATED_EVENTS = Object.keys(EVENT_TYPES).filter(
  (name) => name !== 'sent' && name !== 'complaint' && name !== 'unsubscribe',
);

/** Brevo's `date` field: local time of the account (CET/CEST by default) as `YYYY-MM-DD HH:MM:SS`. */
function brevoDate(now: Date): string {
  const cet = new Date(now.getTime() + 3600 * 1000);
  return cet.toISOString().replace('T', ' ').slice(0, 19);
}

function simulatedEvent(name: string, uniqueId: string, now: Date): Record<string, unknown> {
  const seconds = Math.floor(now.getTime() / 1000);
  const event: Record<string, unknown> = {
    event: name,
    email: 'example@domain.com',
    id: 1122334,
    date: brevoDate(now),
    ts: seconds,
    'message-id': `<${uniqueId}@smtp-relay.mailin.fr>`,
    ts_event: seconds,
    subject: 'My first Transactional',
    'X-Mailin-custom': '{"order_id":"A-1001"}',
    sending_ip: '185.41.28.109',
    ts_epoch: now.getTime(),
    template_id: 22,
    tags: ['transac_messages'],
    mirror_link: `https://app-smtp.brevo.com/log/preview/${uniqueId}`,
    contact_id: 8,
  };
  switch (name) {
    case 'hard_bounce':
      event.reason = '550 5.1.1 The email account that you tried to reach does not exist';
      break;
    case 'soft_bounce':
      event.reason = '452 4.2.2 The email account that you tried to reach is over quota';
      break;
    case 'deferred':
      event.reason = '421 4.7.0 Try again later';
      break;
    case 'blocked':
      event.reason = 'blocked : due to a previous hard bounce';
      break;
    case 'invalid_email':
      event.reason = 'invalid email address';
      break;
    case 'error':
      event.reason = 'Error while sending the message';
      break;
    case 'click':
      event.link = 'https://www.brevo.com';
      event.user_agent = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)';
      event.device_used = 'DESKTOP';
      break;
    case 'opened':
    case 'unique_opened':
    case 'proxy_open':
    case 'unique_proxy_open':
      event.user_agent = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)';
      event.device_used = 'DESKTOP';
      break;
    case 'list_addition':
      event.list_id = [36];
      break;
    default:
      break;
  }
  return event;
}

function simulate(input: SimulateInput): SimulatedRequest {
  if (!SIMULATED_EVENTS.includes(input.eventName)) {
    throw new Error(`Unknown Brevo event to simulate: ${input.eventName}`);
  }
  return {
    headers: { 'content-type': 'application/json' },
    body: Buffer.from(JSON.stringify(simulatedEvent(input.eventName, input.uniqueId, input.now))),
  };
}

/** Brevo transactional webhooks (unsigned; Basic credentials or bearer token). */
export const brevoProvider: ProviderModule = {
  id: 'brevo',
  displayName: 'Brevo',
  contentTypes: ['application/json'],
  parse,
  normalise,
  simulatedEvents: SIMULATED_EVENTS,
  simulate,
};
