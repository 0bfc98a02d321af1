/**
 * Mailjet Event API: unsigned (Basic credentials in the URL), one JSON event per request, or a JSON array when the
 * callback uses "group events" (Event API version 2). Mailjet gives no event id, so one is derived from the content.
 */
import type { EventDraft, EventType, RejectReason } from '../core/event';
import { parseJsonText } from '../core/json';
import { copyOwn, ownEntry } from '../core/lookup';
import { PayloadError } from '../errors';
import { deriveEventId, epochSecondsToIso, isRecord, numberAt, parseJsonBody, stringAt } from './shared';
import type { ParseResult, ProviderModule, SimulatedRequest, SimulateInput, WebhookRequest } from './types';

/** Mailjet `event` -> normalised type and reject reason (https://dev.mailjet.com/email/guides/webhooks/). */
const EVENT_TYPES: Readonly<Record<string, readonly [EventType, RejectReason | null]>> = {
  // Mailjet's `sent` means the receiving server accepted the message.
  sent: ['delivered', null],
  open: ['opened', null],
  click: ['clicked', null],
  bounce: ['bounced', 'bounced'],
  blocked: ['rejected', 'blocked'],
  spam: ['complained', 'spam'],
  unsub: ['unsubscribed', null],
};

/** Mailjet's documented `error` values -> reject reason (refines the event's default); anything else is `other`. */
const ERROR_REASONS: Readonly<Record<string, RejectReason>> = {
  'user unknown': 'bounced',
  'mailbox inactive': 'bounced',
  'quota exceeded': 'bounced',
  blacklisted: 'blocked',
  'spam reporter': 'spam',
  'invalid domain': 'bounced',
  'no mail host': 'bounced',
  'relay/access denied': 'bounced',
  greylisted: 'other',
  typofix: 'invalid',
  'sender blocked': 'blocked',
  'content blocked': 'blocked',
  'policy issue': 'blocked',
  'system issue': 'other',
  'protocol issue': 'other',
  'connection issue': 'other',
  preblocked: 'blocked',
  'duplicate in campaign': 'other',
};

/**
 * `MessageID` is a 64-bit integer that JSON numbers cannot hold exactly (`19421777835146490` would lose its last
 * digits). Integer literals of that key beyond 2^53 are turned into strings before parsing. The key only matches
 * structurally: inside a JSON string its quotes would be escaped.
 */
const MESSAGE_ID_LITERAL = /"MessageID"(\s*):(\s*)(\d+)(?![.eE\d])/g;

function parseKeepingMessageIds(body: Buffer): unknown {
  // Validates the body first, so the rewrite below only ever runs on well-formed JSON.
  parseJsonBody(body);
  const text = body
    .toString('utf8')
    .replace(MESSAGE_ID_LITERAL, (literal, before: string, after: string, digits: string) =>
      Number.isSafeInteger(Number(digits)) ? literal : `"MessageID"${before}:${after}"${digits}"`,
    );
  return parseJsonText(text);
}

function parse(request: WebhookRequest): ParseResult {
  const body = parseKeepingMessageIds(request.body);
  if (Array.isArray(body)) return { events: body };
  if (isRecord(body)) return { events: [body] };
  throw new PayloadError('Expected a JSON event object or a JSON array of events');
}

/**
 * A bounce Mailjet will retry is a deferral: greylisting ("Delivery will be re-attempted") and its own system
 * errors, when not flagged permanent.
 */
function isTemporaryBounce(event: Record<string, unknown>): boolean {
  if (event.hard_bounce === true) return false;
  return stringAt(event, 'error') === 'greylisted' || stringAt(event, 'error_related_to') === 'system';
}

/** `Payload` (EventPayload at send time; JSON by convention) and `CustomID` are the sender's own data. */
function metadataOf(event: Record<string, unknown>): Record<string, unknown> {
  const metadata: Record<string, unknown> = {};
  const payload = stringAt(event, 'Payload');
  if (payload !== null) {
    try {
      const parsed: unknown = parseJsonText(payload, 'Payload');
      // copyOwn, not Object.assign: a key named `__proto__` must stay data, not become the prototype.
      if (isRecord(parsed)) copyOwn(parsed, metadata);
      else metadata.Payload = payload;
    } catch {
      metadata.Payload = payload;
    }
  }
  const customId = stringAt(event, 'CustomID');
  if (customId !== null && !('CustomID' in metadata)) metadata.CustomID = customId;
  return metadata;
}

function normalise(event: unknown): readonly EventDraft[] {
  if (!isRecord(event)) throw new PayloadError('Expected each Mailjet event to be a JSON object');
  const name = stringAt(event, 'event');
  if (name === null) throw new PayloadError('Missing field event');
  let [eventType, rejectReason] = ownEntry(EVENT_TYPES, name) ?? ['unknown', null];
  const error = stringAt(event, 'error');
  if (error !== null && (name === 'bounce' || name === 'blocked')) rejectReason = ownEntry(ERROR_REASONS, error) ?? 'other';
  if (name === 'bounce' && isTemporaryBounce(event)) eventType = 'deferred';
  const campaign = stringAt(event, 'customcampaign');
  return [
    {
      eventType,
      eventId: deriveEventId('mailjet', event),
      messageId: stringAt(event, 'MessageID') ?? stringAt(event, 'mj_message_id'),
      recipient: stringAt(event, 'email'),
      timestamp: epochSecondsToIso(numberAt(event, 'time')),
      rejectReason,
      description: stringAt(event, 'comment') ?? error ?? stringAt(event, 'source'),
      mtaResponse: stringAt(event, 'smtp_reply'),
      tags: campaign === null ? [] : [campaign],
      metadata: metadataOf(event),
      clickUrl: stringAt(event, 'url'),
      userAgent: stringAt(event, 'agent'),
      raw: event,
    },
  ];
}

const SIMULATED_EVENTS = Object.keys(EVENT_TYPES);

/**
 * A Mailjet-style message id (17 digits, beyond 2^53 like real ones), derived from `uniqueId` so that two
 * simulations get different ids.
 */
function simulatedMessageId(uniqueId: string): string {
  let hash = 0n;
  for (const char of uniqueId) hash = (hash * 131n + BigInt(char.codePointAt(0) ?? 0)) % 90_000_000_000_000_000n;
  return (10_000_000_000_000_000n + hash).toString();
}

function simulatedEvent(name: string, uniqueId: string, now: Date): string {
  const messageId = simulatedMessageId(uniqueId);
  const fields: Record<string, unknown> = {
    event: name,
    time: Math.floor(now.getTime() / 1000),
    MessageID: '__MESSAGE_ID__',
    Message_GUID: uniqueId,
    email: 'api@mailjet.com',
    mj_campaign_id: 7257,
    mj_contact_id: 4,
    customcampaign: 'spring-sale',
    CustomID: 'helloworld',
    Payload: '{"order_id":"A-1001"}',
  };
  switch (name) {
    case 'sent':
      Object.assign(fields, {
        mj_message_id: messageId,
        smtp_reply: '250 2.0.0 OK 1433333948 fa5si855896wjc.199 - gsmtp',
      });
      break;
    case 'open':
    case 'click':
    case 'unsub':
      Object.assign(fields, {
        ip: '127.0.0.1',
        geo: 'US',
        agent: 'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0',
      });
      if (name === 'click') fields.url = 'https://mailjet.com';
      if (name === 'unsub') fields.mj_list_id = 1;
      break;
    case 'bounce':
      Object.assign(fields, {
        blocked: false,
        hard_bounce: true,
        error_related_to: 'recipient',
        error: 'user unknown',
        comment: 'Host or domain name not found',
      });
      break;
    case 'blocked':
      Object.assign(fields, { error_related_to: 'recipient', error: 'preblocked' });
      break;
    case 'spam':
      fields.source = 'JMRPP';
      break;
    default:
      break;
  }
  // Mailjet writes MessageID as a bare 64-bit integer, which JSON.stringify cannot produce from a number exactly.
  return JSON.stringify(fields).replace('"__MESSAGE_ID__"', messageId);
}

function simulate(input: SimulateInput): SimulatedRequest {
  if (!SIMULATED_EVENTS.includes(input.eventName)) {
    throw new Error(`Unknown Mailjet event to simulate: ${input.eventName}`);
  }
  return {
    headers: { 'content-type': 'application/json' },
    body: Buffer.from(simulatedEvent(input.eventName, input.uniqueId, input.now)),
  };
}

/** Mailjet Event API webhooks (unsigned; Basic credentials). */
export const mailjetProvider: ProviderModule = {
  id: 'mailjet',
  displayName: 'Mailjet',
  contentTypes: ['application/json'],
  parse,
  normalise,
  simulatedEvents: SIMULATED_EVENTS,
  simulate,
};
