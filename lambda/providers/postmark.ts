/**
 * Postmark webhooks. Postmark signs nothing: Basic credentials in the webhook URL and the WAF allow-list of
 * Postmark's published webhook IPs are the only proof of origin. One JSON event per POST; `RecordType` says what
 * happened and, for Bounce and SpamComplaint records, `Type` refines it (Postmark's bounce types). Postmark gives an
 * `ID` only for bounces and complaints, so every other event gets an id derived from its content.
 */
import { createHash } from 'node:crypto';
import { dateFromText, isoOf } from '../core/dates';
import type { EventDraft, EventType, RejectReason } from '../core/event';
import { PayloadError } from '../errors';
import { dateStringToIso, deriveEventId, isRecord, parseJsonBody, stringAt } from './shared';
import type { ProviderModule, SimulatedRequest, SimulateInput, WebhookRequest } from './types';

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
  // Postmark keeps trying after a transient failure or a temporary DNS error.
  Transient: ['deferred', null],
  Unsubscribe: ['unsubscribed', 'unsubscribed'],
  Subscribe: ['subscribed', null],
  AutoResponder: ['autoresponded', null],
  AddressChange: ['autoresponded', null],
  DnsError: ['deferred', null],
  SpamNotification: ['complained', 'spam'],
  // The receiving server was testing Postmark as an open relay; delivery continues.
  OpenRelayTest: ['deferred', null],
  Unknown: ['unknown', null],
  SoftBounce: ['bounced', 'bounced'],
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

/** Postmark's numeric `TypeCode` for each bounce type (used by the simulator, as Postmark sends both). */
const BOUNCE_TYPE_CODES: Readonly<Record<string, number>> = {
  HardBounce: 1,
  Transient: 2,
  Unsubscribe: 16,
  Subscribe: 32,
  AutoResponder: 64,
  AddressChange: 128,
  DnsError: 256,
  SpamNotification: 512,
  OpenRelayTest: 1024,
  Unknown: 2048,
  SoftBounce: 4096,
  VirusNotification: 8192,
  ChallengeVerification: 16384,
  BadEmailAddress: 100000,
  SpamComplaint: 100001,
  ManuallyDeactivated: 100002,
  Unconfirmed: 100003,
  Blocked: 100006,
  SMTPApiError: 100007,
  InboundError: 100008,
  DMARCPolicy: 100009,
  TemplateRenderingFailed: 100010,
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
    return [
      'unsubscribed',
      reason !== null && Object.hasOwn(SUPPRESSION_REASONS, reason) ? (SUPPRESSION_REASONS[reason] ?? null) : null,
    ];
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

function simulatedUuid(uniqueId: string, purpose: string): string {
  const hex = createHash('sha256').update(`${purpose}:${uniqueId}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function simulatedNumber(uniqueId: string): number {
  return Number.parseInt(createHash('sha256').update(`id:${uniqueId}`).digest('hex').slice(0, 10), 16);
}

const USER_AGENT = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)';
const CLIENT = { Name: 'Safari', Company: 'Apple Inc.', Family: 'Safari' };
const OS = { Name: 'macOS', Company: 'Apple Inc.', Family: 'macOS' };
const GEO = { CountryISOCode: 'US', Country: 'United States', City: 'Seattle', Zip: '98101', IP: '192.0.2.10' };

function simulatedRecord(eventName: string, uniqueId: string, now: string): Record<string, unknown> {
  const common = {
    MessageID: simulatedUuid(uniqueId, 'message'),
    MessageStream: 'outbound',
    Tag: 'welcome',
    Metadata: { order_id: `order-${uniqueId}` },
  };
  switch (eventName) {
    case 'Delivery':
      return {
        RecordType: 'Delivery',
        ServerID: 23,
        ...common,
        Recipient: 'john@example.com',
        DeliveredAt: now,
        Details: 'Test delivery webhook details',
      };
    case 'Open':
      return {
        RecordType: 'Open',
        ...common,
        FirstOpen: true,
        Client: CLIENT,
        OS,
        Platform: 'Desktop',
        UserAgent: USER_AGENT,
        ReadSeconds: 5,
        Geo: GEO,
        ReceivedAt: now,
        Recipient: 'john@example.com',
      };
    case 'Click':
      return {
        RecordType: 'Click',
        ...common,
        Recipient: 'john@example.com',
        ReceivedAt: now,
        Platform: 'Desktop',
        ClickLocation: 'HTML',
        OriginalLink: 'https://example.com/welcome',
        UserAgent: USER_AGENT,
        OS,
        Client: CLIENT,
        Geo: GEO,
      };
    case 'SubscriptionChange':
      return {
        RecordType: 'SubscriptionChange',
        ServerID: 23,
        ...common,
        ChangedAt: now,
        Recipient: 'john@example.com',
        Origin: 'Recipient',
        SuppressSending: true,
        SuppressionReason: 'ManualSuppression',
      };
    default: {
      // Bounce records (and spam complaints, which Postmark stores as bounces of type SpamComplaint).
      const type = eventName === 'Bounce' ? 'HardBounce' : eventName;
      const complaint = type === 'SpamComplaint' || type === 'SpamNotification';
      return {
        RecordType: complaint ? 'SpamComplaint' : 'Bounce',
        ID: simulatedNumber(uniqueId),
        Type: type,
        TypeCode: BOUNCE_TYPE_CODES[type],
        Name: type,
        ...common,
        ServerID: 23,
        Description: `Simulated ${type} from Hookguard.`,
        Details:
          type === 'HardBounce' ? 'smtp;550 5.1.1 The email account that you tried to reach does not exist.' : '',
        Email: 'john@example.com',
        From: 'sender@example.com',
        BouncedAt: now,
        DumpAvailable: true,
        Inactive: type === 'HardBounce' || complaint,
        CanActivate: true,
        Subject: 'Welcome to Example',
        Content: '',
      };
    }
  }
}

const SIMULATED_EVENTS: readonly string[] = [
  'Delivery',
  'Bounce',
  'SpamComplaint',
  'Open',
  'Click',
  'SubscriptionChange',
  ...Object.keys(BOUNCE_TYPES).filter((type) => type !== 'SpamComplaint'),
];

function simulatePostmark(input: SimulateInput): SimulatedRequest {
  if (!SIMULATED_EVENTS.includes(input.eventName))
    throw new Error(`Postmark cannot simulate event "${input.eventName}"`);
  const record = simulatedRecord(input.eventName, input.uniqueId, input.now.toISOString());
  // Postmark signs nothing: `signingKey` has no meaning here and is ignored.
  return {
    headers: { 'content-type': 'application/json', 'user-agent': 'Postmark' },
    body: Buffer.from(JSON.stringify(record), 'utf8'),
  };
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
  simulatedEvents: SIMULATED_EVENTS,
  simulate: simulatePostmark,
};
