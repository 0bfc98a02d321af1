/**
 * Postmark webhooks. Postmark signs nothing: Basic credentials in the webhook URL and the WAF allow-list of
 * Postmark's published webhook IPs are the only proof of origin. One JSON event per POST; `RecordType` says what
 * happened and, for Bounce and SpamComplaint records, `Type` refines it (Postmark's bounce types). Postmark gives an
 * `ID` only for bounces and complaints, so every other event gets an id derived from its content.
 */
import { dateFromText, isoOf } from '../core/dates';
import type { EventDraft, EventType, RejectReason } from '../core/event';
import { PayloadError } from '../errors';
import { dateStringToIso, deriveEventId, isRecord, parseJsonBody, stringAt } from './shared';
import type { ProviderModule, WebhookRequest } from './types';

type Mapping = readonly [EventType, RejectReason | null];

/** `RecordType` -> normalised type, before refinement by `Type` (bounces) or `SuppressSending` (subscriptions). */
const RECORD_TYPES: Readonly<Record<string, EventType>> = {
  Delivery: 'delivered',
  Bounce: 'bounced',
  SpamComplaint: 'complained',
  Open: 'opened',
  Click: 'clicked',
  SubscriptionChange: 'unsubscribed',
  Inbound: 'inbound',
};

/** Postmark's bounce `Type` values (its Bounce API's full list) -> normalised type and reject reason. */
const BOUNCE_TYPES: Readonly<Record<string, Mapping>> = {
  HardBounce: ['bounced', 'bounced'],
  // Temporary failures (a transient failure, a temporary DNS error, a soft bounce): the address is still good, so
  // `deferred` with reason `bounced` (docs/events.md, "Bounces and delays").
  Transient: ['deferred', 'bounced'],
  Unsubscribe: ['unsubscribed', 'unsubscribed'],
  Subscribe: ['subscribed', null],
  AutoResponder: ['autoresponded', null],
  AddressChange: ['autoresponded', null],
  DnsError: ['deferred', 'bounced'],
  SpamNotification: ['complained', 'spam'],
  // The receiving server was testing Postmark as an open relay; delivery continues.
  OpenRelayTest: ['deferred', null],
  Unknown: ['unknown', null],
  SoftBounce: ['deferred', 'bounced'],
  VirusNotification: ['bounced', 'other'],
  ChallengeVerification: ['autoresponded', null],
  BadEmailAddress: ['rejected', 'invalid'],
  SpamComplaint: ['complained', 'spam'],
  ManuallyDeactivated: ['rejected', 'blocked'],
  Unconfirmed: ['rejected', 'other'],
  Blocked: ['rejected', 'blocked'],
  SMTPApiError: ['failed', null],
  InboundError: ['inbound_failed', null],
  DMARCPolicy: ['rejected', 'blocked'],
  TemplateRenderingFailed: ['failed', null],
};

/** `SuppressionReason` of a SubscriptionChange that suppresses sending -> reject reason. */
const SUPPRESSION_REASONS: Readonly<Record<string, RejectReason>> = {
  HardBounce: 'bounced',
  SpamComplaint: 'spam',
  ManualSuppression: 'unsubscribed',
};

function parsePostmark(request: WebhookRequest): { events: readonly unknown[] } {
  const body = parseJsonBody(request.body);
  if (!isRecord(body)) throw new PayloadError('Expected one JSON event object');
  return { events: [body] };
}

function recordTypeOf(event: Record<string, unknown>): string {
  const recordType = stringAt(event, 'RecordType');
  if (recordType !== null) return recordType;
  // Postmark's inbound webhook posts the parsed message, recognisable by its FromFull object.
  if (isRecord(event.FromFull)) return 'Inbound';
  throw new PayloadError('Missing field RecordType');
}

function mappingOf(recordType: string, event: Record<string, unknown>): Mapping {
  const base = Object.hasOwn(RECORD_TYPES, recordType) ? (RECORD_TYPES[recordType] as EventType) : 'unknown';
  if (recordType === 'Bounce' || recordType === 'SpamComplaint') {
    const type = stringAt(event, 'Type');
    if (type !== null && Object.hasOwn(BOUNCE_TYPES, type)) return BOUNCE_TYPES[type] as Mapping;
    return recordType === 'SpamComplaint' ? ['complained', 'spam'] : ['bounced', null];
  }
  if (recordType === 'SubscriptionChange') {
    if (event.SuppressSending === false) return ['subscribed', null];
    const reason = stringAt(event, 'SuppressionReason');
    const rejectReason =
      reason !== null && Object.hasOwn(SUPPRESSION_REASONS, reason) ? (SUPPRESSION_REASONS[reason] ?? null) : null;
    // Postmark suppresses an address after a hard bounce or a spam complaint and reports that as a SubscriptionChange
    // next to the Bounce / SpamComplaint record it already sent. The recipient did not unsubscribe, and the bounce
    // or complaint is already published: so it is `unknown` (kept, with its reason, but no unsubscribe and no second
    // suppression). Only a manual suppression (the recipient's or the sender's) is an unsubscribe.
    if (rejectReason === 'bounced' || rejectReason === 'spam') return ['unknown', rejectReason];
    return ['unsubscribed', rejectReason];
  }
  return [base, null];
}

function recipientOf(recordType: string, event: Record<string, unknown>): string | null {
  const direct = stringAt(event, 'Email') ?? stringAt(event, 'Recipient');
  if (direct !== null || recordType !== 'Inbound') return direct;
  const toFull = event.ToFull;
  return stringAt(event, 'OriginalRecipient') ?? (Array.isArray(toFull) ? stringAt(toFull[0], 'Email') : null);
}

function descriptionOf(recordType: string, event: Record<string, unknown>): string | null {
  if (recordType === 'SubscriptionChange') {
    const reason = stringAt(event, 'SuppressionReason');
    const origin = stringAt(event, 'Origin');
    return reason !== null && origin !== null ? `${reason} (origin: ${origin})` : (reason ?? origin);
  }
  return stringAt(event, 'Description');
}

/** An RFC 2822 date (`Fri, 1 Aug 2014 16:45:32 -04:00`) as ISO 8601, or null. */
function rfc2822ToIso(value: string | null): string | null {
  if (value === null) return null;
  return isoOf(dateFromText(value));
}

function normalisePostmark(event: unknown): readonly EventDraft[] {
  if (!isRecord(event)) throw new PayloadError('Expected one JSON event object');
  const recordType = recordTypeOf(event);
  const [eventType, rejectReason] = mappingOf(recordType, event);
  const id = event.ID;
  const tag = stringAt(event, 'Tag');
  const metadata = event.Metadata;
  return [
    {
      eventType,
      // Only bounce and spam complaint records have an ID; the rest are identified by their whole content, which
      // Postmark repeats unchanged when it retries.
      // IDs beyond 2^53 lose digits in JSON.parse and could collide, so those fall back to the content too.
      eventId:
        Number.isSafeInteger(id) || (typeof id === 'string' && id !== '')
          ? String(id)
          : deriveEventId('postmark', event),
      messageId: stringAt(event, 'MessageID'),
      recipient: recipientOf(recordType, event),
      timestamp: dateStringToIso(
        stringAt(event, 'DeliveredAt') ??
          stringAt(event, 'BouncedAt') ??
          stringAt(event, 'ReceivedAt') ??
          stringAt(event, 'ChangedAt') ??
          // Inbound messages carry only their own Date header.
          (recordType === 'Inbound' ? rfc2822ToIso(stringAt(event, 'Date')) : null),
      ),
      rejectReason,
      description: descriptionOf(recordType, event),
      mtaResponse: stringAt(event, 'Details'),
      tags: tag === null ? [] : [tag],
      metadata: isRecord(metadata) ? metadata : {},
      clickUrl: stringAt(event, 'OriginalLink'),
      userAgent: stringAt(event, 'UserAgent'),
      raw: event,
    },
  ];
}

/**
 * Postmark webhooks (unsigned; Basic credentials and the IP allow-list authenticate them).
 *
 * @example
 * ```ts
 * const [draft] = postmarkProvider.normalise(postmarkProvider.parse(request).events[0], request);
 * ```
 */
export const postmarkProvider: ProviderModule = {
  id: 'postmark',
  displayName: 'Postmark',
  contentTypes: ['application/json'],
  parse: parsePostmark,
  normalise: normalisePostmark,
};
