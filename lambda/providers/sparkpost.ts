/**
 * SparkPost: unsigned (Basic credentials configured at SparkPost), a JSON array of `{"msys": {"<class>": {...}}}`
 * entries; an empty `{"msys": {}}` entry is a ping and yields no event. Event id = the event's `event_id`.
 */
import type { EventDraft, EventType, RejectReason } from '../core/event';
import { ownEntry } from '../core/lookup';
import { PayloadError } from '../errors';
import {
  dateStringToIso,
  deriveEventId,
  epochSecondsToIso,
  getPath,
  isRecord,
  parseJsonBody,
  stringAt,
  stringsAt,
} from './shared';
import type { ParseResult, ProviderModule, WebhookRequest } from './types';

/** Each documented event `type` with its `msys` class and normalised type. */
const EVENT_TYPES: Readonly<Record<string, { readonly eventClass: string; readonly eventType: EventType }>> = {
  injection: { eventClass: 'message_event', eventType: 'queued' },
  delivery: { eventClass: 'message_event', eventType: 'delivered' },
  bounce: { eventClass: 'message_event', eventType: 'bounced' },
  out_of_band: { eventClass: 'message_event', eventType: 'bounced' },
  delay: { eventClass: 'message_event', eventType: 'deferred' },
  policy_rejection: { eventClass: 'message_event', eventType: 'rejected' },
  spam_complaint: { eventClass: 'message_event', eventType: 'complained' },
  sms_status: { eventClass: 'message_event', eventType: 'unknown' },
  open: { eventClass: 'track_event', eventType: 'opened' },
  amp_open: { eventClass: 'track_event', eventType: 'opened' },
  // The top-of-message pixel fires alongside `open` for the same open; publishing both would count it twice.
  initial_open: { eventClass: 'track_event', eventType: 'unknown' },
  amp_initial_open: { eventClass: 'track_event', eventType: 'unknown' },
  click: { eventClass: 'track_event', eventType: 'clicked' },
  amp_click: { eventClass: 'track_event', eventType: 'clicked' },
  generation_failure: { eventClass: 'gen_event', eventType: 'failed' },
  generation_rejection: { eventClass: 'gen_event', eventType: 'rejected' },
  list_unsubscribe: { eventClass: 'unsubscribe_event', eventType: 'unsubscribed' },
  link_unsubscribe: { eventClass: 'unsubscribe_event', eventType: 'unsubscribed' },
  relay_injection: { eventClass: 'relay_event', eventType: 'inbound' },
  relay_rejection: { eventClass: 'relay_event', eventType: 'inbound_failed' },
  relay_permfail: { eventClass: 'relay_event', eventType: 'inbound_failed' },
  relay_tempfail: { eventClass: 'relay_event', eventType: 'unknown' },
  relay_delivery: { eventClass: 'relay_event', eventType: 'unknown' },
  ab_test_completed: { eventClass: 'ab_test_event', eventType: 'unknown' },
  ab_test_cancelled: { eventClass: 'ab_test_event', eventType: 'unknown' },
  success: { eventClass: 'ingest_event', eventType: 'unknown' },
  error: { eventClass: 'ingest_event', eventType: 'unknown' },
};

/** Reject reasons that follow from the event type alone, when the event carries no `bounce_class`. */
const TYPE_REASONS: Readonly<Record<string, RejectReason>> = {
  policy_rejection: 'blocked',
  generation_rejection: 'blocked',
  spam_complaint: 'spam',
};

/**
 * SparkPost bounce classes (https://support.sparkpost.com/docs/deliverability/bounce-classification-codes) ->
 * reject reason, and for the classes that are not failures at all, the event type they really are.
 */
const BOUNCE_CLASSES: Readonly<Record<string, { readonly reason: RejectReason; readonly eventType?: EventType }>> = {
  '1': { reason: 'other' },
  '10': { reason: 'invalid' },
  '20': { reason: 'bounced' },
  '21': { reason: 'bounced' },
  '22': { reason: 'bounced' },
  '23': { reason: 'bounced' },
  '24': { reason: 'timed_out' },
  '25': { reason: 'blocked' },
  '30': { reason: 'bounced' },
  '40': { reason: 'bounced' },
  '50': { reason: 'blocked' },
  '51': { reason: 'spam' },
  '52': { reason: 'spam' },
  '53': { reason: 'other' },
  '54': { reason: 'blocked' },
  '60': { reason: 'other', eventType: 'autoresponded' },
  '70': { reason: 'bounced' },
  '80': { reason: 'other', eventType: 'subscribed' },
  '90': { reason: 'unsubscribed', eventType: 'unsubscribed' },
  '100': { reason: 'other', eventType: 'autoresponded' },
};

/**
 * The bounce classes SparkPost calls soft (its bounce classification table: 20 Soft Bounce, 21 DNS Failure, 22 Mailbox
 * Full, 23 Too Large, 24 Timeout, 40 Generic Bounce, 70 Transient Failure). A `bounce` of one of these leaves the
 * address good: `deferred` with reason `bounced` (docs/events.md, "Bounces and delays").
 */
const SOFT_BOUNCE_CLASSES: ReadonlySet<string> = new Set(['20', '21', '22', '23', '24', '40', '70']);

function parse(request: WebhookRequest): ParseResult {
  const body = parseJsonBody(request.body);
  if (!Array.isArray(body)) throw new PayloadError('Expected a JSON array of events');
  return { events: body };
}

/** The `msys` classes SparkPost documents. */
const DOCUMENTED_CLASSES: ReadonlySet<string> = new Set(Object.values(EVENT_TYPES).map((entry) => entry.eventClass));

/**
 * How an error message names a class: `msys.<class>` for a documented one, a placeholder for anything else, because
 * the key is the sender's text and messages never quote the request.
 */
function classPath(eventClass: string): string {
  return DOCUMENTED_CLASSES.has(eventClass) ? `msys.${eventClass}` : 'msys.<event class>';
}

/** The class name and event object inside `msys`, or null for a ping. */
function unwrap(entry: unknown): { eventClass: string; event: Record<string, unknown> } | null {
  if (!isRecord(entry)) throw new PayloadError('Expected each SparkPost event to be a JSON object');
  const msys = entry.msys;
  if (!isRecord(msys)) throw new PayloadError('Missing field msys');
  const classes = Object.keys(msys);
  if (classes.length === 0) return null;
  const [eventClass] = classes;
  if (classes.length > 1 || eventClass === undefined) {
    throw new PayloadError('Field msys must hold exactly one event class');
  }
  const event = msys[eventClass];
  if (!isRecord(event)) throw new PayloadError(`Field ${classPath(eventClass)} is not an object`);
  return { eventClass, event };
}

function timestampOf(event: Record<string, unknown>): string | null {
  const value = stringAt(event, 'timestamp');
  if (value === null) return null;
  return /^\d+(\.\d+)?$/.test(value) ? epochSecondsToIso(Number(value)) : dateStringToIso(value);
}

function normalise(entry: unknown): readonly EventDraft[] {
  const unwrapped = unwrap(entry);
  if (unwrapped === null) return [];
  const { eventClass, event } = unwrapped;
  const type = stringAt(event, 'type');
  if (type === null) throw new PayloadError(`Missing field ${classPath(eventClass)}.type`);

  let eventType = ownEntry(EVENT_TYPES, type)?.eventType ?? 'unknown';
  let rejectReason: RejectReason | null = ownEntry(TYPE_REASONS, type) ?? null;
  const bounceClass = stringAt(event, 'bounce_class');
  if (bounceClass !== null) {
    const classified = ownEntry(BOUNCE_CLASSES, bounceClass) ?? { reason: 'other' };
    rejectReason = classified.reason;
    if (classified.eventType) eventType = classified.eventType;
    if ((type === 'bounce' || type === 'out_of_band') && SOFT_BOUNCE_CLASSES.has(bounceClass)) {
      eventType = 'deferred';
      rejectReason = 'bounced';
    }
  }
  const metadata = getPath(event, ['rcpt_meta']);
  return [
    {
      eventType,
      eventId: stringAt(event, 'event_id') ?? deriveEventId('sparkpost', entry),
      // SparkPost's `message_id` is internal; `transmission_id` is what the send API returned.
      messageId: stringAt(event, 'transmission_id'),
      // `raw_rcpt_to` keeps the address's case as sent; `rcpt_to` is lower-cased.
      recipient: stringAt(event, 'raw_rcpt_to') ?? stringAt(event, 'rcpt_to'),
      timestamp: timestampOf(event),
      rejectReason,
      description: stringAt(event, 'reason') ?? stringAt(event, 'error_type'),
      mtaResponse: stringAt(event, 'raw_reason'),
      tags: stringsAt(event, 'rcpt_tags'),
      metadata: isRecord(metadata) ? metadata : {},
      clickUrl: stringAt(event, 'target_link_url'),
      userAgent: stringAt(event, 'user_agent'),
      raw: entry,
    },
  ];
}

/** SparkPost webhooks (unsigned; Basic credentials). */
export const sparkpostProvider: ProviderModule = {
  id: 'sparkpost',
  displayName: 'SparkPost',
  contentTypes: ['application/json'],
  parse,
  normalise,
};
