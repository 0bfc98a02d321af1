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
import type { ParseResult, ProviderModule, SimulatedRequest, SimulateInput, WebhookRequest } from './types';

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

const SIMULATED_EVENTS = Object.keys(EVENT_TYPES);

/** Fields of SparkPost's documented sample message event, shared by the message, track, gen and unsubscribe classes. */
function messageFields(uniqueId: string, timestamp: string): Record<string, unknown> {
  return {
    campaign_id: 'Example Campaign Name',
    customer_id: '1',
    event_id: uniqueId,
    friendly_from: 'sender@example.com',
    injection_time: new Date(Number(timestamp) * 1000).toISOString(),
    ip_pool: 'Example-Ip-Pool',
    message_id: `${uniqueId}-msg`,
    msg_from: 'sender@example.com',
    rcpt_meta: { customKey: 'customValue' },
    rcpt_tags: ['male', 'US'],
    rcpt_to: 'recipient@example.com',
    raw_rcpt_to: 'recipient@example.com',
    rcpt_type: 'cc',
    recipient_domain: 'example.com',
    routing_domain: 'example.com',
    sending_ip: '127.0.0.1',
    subaccount_id: '101',
    subject: 'Summer deals are here!',
    template_id: 'templ-1234',
    template_version: '1',
    timestamp,
    transmission_id: `${uniqueId}-tx`,
  };
}

function simulatedEventBody(type: string, uniqueId: string, timestamp: string): Record<string, unknown> {
  const base = { type, ...messageFields(uniqueId, timestamp) };
  switch (type) {
    case 'bounce':
    case 'out_of_band':
      return {
        ...base,
        bounce_class: '10',
        error_code: '550',
        reason: '550 5.1.1 <recipient@example.com>: Recipient address rejected: User unknown',
        raw_reason: '550 5.1.1 <recipient@example.com>: Recipient address rejected: User unknown',
      };
    case 'delay':
      return {
        ...base,
        bounce_class: '21',
        error_code: '454',
        num_retries: '1',
        reason: '454 4.4.4 [internal] no MX or A for domain',
        raw_reason: '454 4.4.4 [internal] no MX or A for domain',
        queue_time: '12',
      };
    case 'policy_rejection':
      return {
        ...base,
        bounce_class: '25',
        error_code: '554',
        reason: '554 5.7.1 [internal] recipient is on the suppression list',
        raw_reason: '554 5.7.1 [internal] recipient is on the suppression list',
        remote_addr: '127.0.0.1',
      };
    case 'spam_complaint':
      return {
        ...base,
        fbtype: 'abuse',
        report_by: 'server.email.com',
        report_to: 'abuse.example.com',
        user_str: 'Additional Example Information',
      };
    case 'generation_failure':
    case 'generation_rejection':
      return {
        ...base,
        error_code: '554',
        reason: 'Message generation rejected',
        raw_reason: 'Message generation rejected',
      };
    case 'click':
    case 'amp_click':
      return {
        ...base,
        geo_ip: { country: 'US', city: 'Columbia' },
        ip_address: '127.0.0.1',
        target_link_name: 'Example Link Name',
        target_link_url: 'https://example.com',
        user_agent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)',
      };
    case 'open':
    case 'amp_open':
    case 'initial_open':
    case 'amp_initial_open':
    case 'link_unsubscribe':
      return {
        ...base,
        geo_ip: { country: 'US', city: 'Columbia' },
        ip_address: '127.0.0.1',
        user_agent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)',
      };
    case 'list_unsubscribe':
      return { ...base, mailfrom: 'recipient@example.com' };
    case 'sms_status':
      return {
        ...base,
        sms_coding: 'ASCII',
        sms_dst: '7876712656',
        sms_remoteids: ['0000'],
        sms_src: '1234',
        sms_text: 'lol',
      };
    case 'relay_injection':
    case 'relay_rejection':
    case 'relay_delivery':
    case 'relay_tempfail':
    case 'relay_permfail':
      return {
        type,
        event_id: uniqueId,
        customer_id: '1',
        relay_id: 'Example Relay Id',
        msg_from: 'sender@example.com',
        rcpt_to: 'recipient@relay.example.com',
        raw_rcpt_to: 'recipient@relay.example.com',
        timestamp,
        ...(type === 'relay_rejection' || type === 'relay_permfail'
          ? { reason: 'Relay webhook returned an error', raw_reason: '554 5.7.1 relay refused' }
          : {}),
      };
    case 'ab_test_completed':
    case 'ab_test_cancelled':
      return {
        type,
        event_id: uniqueId,
        customer_id: '1',
        subaccount_id: '101',
        timestamp,
        ab_test: {
          id: 'password-reset',
          name: 'Password Reset',
          version: 1,
          test_mode: 'bayesian',
          engagement_metric: 'count_unique_clicked',
        },
      };
    case 'success':
    case 'error':
      return {
        type,
        event_id: uniqueId,
        customer_id: '1',
        subaccount_id: '101',
        timestamp,
        batch_id: `${uniqueId}-batch`,
        number_succeeded: 500,
        number_failed: type === 'error' ? 50 : 0,
        number_duplicates: 0,
        ...(type === 'error' ? { error_type: 'validation', retryable: false } : {}),
      };
    default:
      return base;
  }
}

function simulate(input: SimulateInput): SimulatedRequest {
  const definition = EVENT_TYPES[input.eventName];
  if (!definition) throw new Error(`Unknown SparkPost event to simulate: ${input.eventName}`);
  const timestamp = String(Math.floor(input.now.getTime() / 1000));
  const event = simulatedEventBody(input.eventName, input.uniqueId, timestamp);
  const body = Buffer.from(JSON.stringify([{ msys: { [definition.eventClass]: event } }]));
  return {
    headers: {
      'content-type': 'application/json',
      'user-agent': 'SparkPost',
      'x-messagesystems-batch-id': `${input.uniqueId}-batch`,
    },
    body,
  };
}

/** SparkPost webhooks (unsigned; Basic credentials). */
export const sparkpostProvider: ProviderModule = {
  id: 'sparkpost',
  displayName: 'SparkPost',
  contentTypes: ['application/json'],
  parse,
  normalise,
  simulatedEvents: SIMULATED_EVENTS,
  simulate,
};
