/**
 * Mailjet Event API: unsigned (Basic credentials in the URL), one JSON event per request, or a JSON array when the
 * callback uses "group events" (Event API version 2). Mailjet gives no event id, so one is derived from the content.
 */
import type { EventDraft, EventType, RejectReason } from '../core/event';
import { parseJsonText } from '../core/json';
import { copyOwn, ownEntry } from '../core/lookup';
import { PayloadError } from '../errors';
import { deriveEventId, epochSecondsToIso, isRecord, numberAt, parseJsonBody, stringAt } from './shared';
import type { ParseResult, ProviderModule, WebhookRequest } from './types';

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
 * A soft bounce (`hard_bounce: false`), greylisting ("Delivery will be re-attempted") and Mailjet's own system errors
 * leave the address good: `deferred` with reason `bounced`, unless flagged permanent.
 */
function isTemporaryBounce(event: Record<string, unknown>): boolean {
  if (event.hard_bounce === true) return false;
  return (
    event.hard_bounce === false ||
    stringAt(event, 'error') === 'greylisted' ||
    stringAt(event, 'error_related_to') === 'system'
  );
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
  if (name === 'bounce' && isTemporaryBounce(event)) [eventType, rejectReason] = ['deferred', 'bounced'];
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

/** Mailjet Event API webhooks (unsigned; Basic credentials). */
export const mailjetProvider: ProviderModule = {
  id: 'mailjet',
  displayName: 'Mailjet',
  contentTypes: ['application/json'],
  parse,
  normalise,
};
