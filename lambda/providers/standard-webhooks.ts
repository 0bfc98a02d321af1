/**
 * Generic Standard Webhooks sender (Loops, any Svix-based sender): signature per the specification, event type from
 * the body mapped by the configured `eventTypeMap`, event id = the `webhook-id` header.
 */
import type { EventDraft, EventType } from '../core/event';
import { isEventType } from '../core/event';
import type { ProviderSettings } from '../core/settings';
import { ownEntry } from '../core/lookup';
import { PayloadError } from '../errors';
import {
  dateStringToIso,
  epochMillisToIso,
  epochSecondsToIso,
  getPath,
  isRecord,
  parseJsonBody,
  stringAt,
} from './shared';
import {
  STANDARD_WEBHOOKS_TOLERANCE_SECONDS,
  type StandardWebhookHeaderPrefix,
  standardWebhookMessageId,
  verifyStandardWebhook,
} from './standard-webhooks-signature';
import type { ParseResult, ProviderModule, WebhookRequest } from './types';

/** The specification's header names first; Svix's names are accepted too (Svix senders may send only those). */
const HEADER_PREFIXES: readonly StandardWebhookHeaderPrefix[] = ['webhook', 'svix'];

/** Epoch values above this are milliseconds (10^11 seconds is the year 5138; 10^11 ms is 1973). */
const MILLIS_THRESHOLD = 1e11;

/**
 * The bare address of a recipient given as `addr@example.com` or `Name <addr@example.com>`; null when empty.
 * Senders echo the `to` field as the API caller wrote it, display name included.
 */
export function bareAddress(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  const angle = /<([^<>]+)>\s*$/.exec(trimmed);
  const address = (angle?.[1] ?? trimmed).trim();
  return address.length > 0 ? address : null;
}

/** The first address of a field that is either one address string or an array of them. */
export function firstAddressAt(value: unknown, ...path: string[]): string | null {
  const found = getPath(value, path);
  if (Array.isArray(found)) {
    for (const item of found) {
      const address = bareAddress(item);
      if (address) return address;
    }
    return null;
  }
  return bareAddress(found);
}

/** A time given as an ISO string or epoch seconds/milliseconds, to ISO 8601 UTC; null when absent or unparseable. */
export function anyTimeToIso(value: unknown): string | null {
  if (typeof value === 'number') {
    return value > MILLIS_THRESHOLD ? epochMillisToIso(value) : epochSecondsToIso(value);
  }
  if (typeof value === 'string' && value.trim() !== '') {
    const numeric = Number(value);
    if (Number.isFinite(numeric)) return anyTimeToIso(numeric);
    return dateStringToIso(value);
  }
  return null;
}

/** The sender's event type: the specification's `type`, or Loops' `eventName`. */
function eventTypeName(event: Record<string, unknown>): string {
  const name = stringAt(event, 'type') ?? stringAt(event, 'eventName');
  if (name === null) throw new PayloadError('Missing field type');
  return name;
}

/**
 * The mapping used when the stage configures no `eventTypeMap`: the `email.*` names Svix-based email senders post
 * (Resend's vocabulary), `email.delivery_delayed` included. A configured map replaces it whole.
 */
export const DEFAULT_EVENT_TYPE_MAP: Readonly<Record<string, EventType>> = {
  'email.sent': 'sent',
  'email.delivered': 'delivered',
  'email.delivery_delayed': 'deferred',
  'email.bounced': 'bounced',
  'email.complained': 'complained',
  'email.opened': 'opened',
  'email.clicked': 'clicked',
  'email.unsubscribed': 'unsubscribed',
};

function mappedEventType(name: string, settings: ProviderSettings | undefined): EventType {
  const mapped = ownEntry(settings?.eventTypeMap ?? DEFAULT_EVENT_TYPE_MAP, name);
  return isEventType(mapped) ? mapped : 'unknown';
}

function parse(request: WebhookRequest): ParseResult {
  const body = parseJsonBody(request.body);
  if (!isRecord(body)) throw new PayloadError('Expected a JSON object (one event per request)');
  // Fail before normalising when the id header is missing: without it no event id exists.
  standardWebhookMessageId(request, HEADER_PREFIXES);
  return { events: [body] };
}

function normalise(event: unknown, request: WebhookRequest, settings?: ProviderSettings): readonly EventDraft[] {
  if (!isRecord(event)) throw new PayloadError('Expected the event to be a JSON object');
  const name = eventTypeName(event);
  return [
    {
      eventType: mappedEventType(name, settings),
      eventId: standardWebhookMessageId(request, HEADER_PREFIXES),
      messageId:
        stringAt(event, 'data', 'email_id') ??
        stringAt(event, 'data', 'message_id') ??
        stringAt(event, 'data', 'messageId') ??
        stringAt(event, 'email', 'id'),
      recipient:
        firstAddressAt(event, 'data', 'email') ??
        firstAddressAt(event, 'data', 'to') ??
        firstAddressAt(event, 'data', 'recipient') ??
        firstAddressAt(event, 'data', 'email_address') ??
        firstAddressAt(event, 'contactIdentity', 'email') ??
        firstAddressAt(event, 'email'),
      timestamp:
        anyTimeToIso(event.timestamp) ??
        anyTimeToIso(event.created_at) ??
        anyTimeToIso(event.createdAt) ??
        anyTimeToIso(event.eventTime),
      raw: event,
    },
  ];
}

/** Generic Standard Webhooks provider (Loops, Svix senders); map the sender's event types in `eventTypeMap`. */
export const standardWebhooksProvider: ProviderModule = {
  id: 'standard-webhooks',
  displayName: 'Standard Webhooks',
  contentTypes: ['application/json'],
  defaultTimestampToleranceSeconds: STANDARD_WEBHOOKS_TOLERANCE_SECONDS,
  verify: (request, context) => verifyStandardWebhook(request, context, HEADER_PREFIXES),
  parse,
  normalise,
};
