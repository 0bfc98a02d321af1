/**
 * Mailtrap (Email Sending) webhooks: `POST` with `{"events":[...]}` (a batch), signed with `Mailtrap-Signature`, the
 * lowercase hex HMAC-SHA256 of the raw body keyed with the webhook's signing secret. Nothing time-related is signed,
 * so replays are caught by the dedupe ledger (each event carries its own `event_id`), not by a timestamp window.
 */
import type { EventType, RejectReason } from '../core/event';
import { ownEntry } from '../core/lookup';
import { PayloadError } from '../errors';
import { hexHmacSha256, verifyHexHmacSha256 } from './hex-hmac-sha256';
import { deriveEventId, epochSecondsToIso, isRecord, numberAt, parseJsonBody, stringAt } from './shared';
import { simulatedUuid } from './simulated-ids';
import type { ProviderModule, SimulatedRequest, SimulateInput } from './types';

const SIGNATURE_HEADER = 'mailtrap-signature';

/** Mailtrap's event names (spelled as Mailtrap sends them, with spaces) to the normalised type and reject reason. */
const EVENT_MAP: Readonly<Record<string, { eventType: EventType; rejectReason: RejectReason | null }>> = {
  delivery: { eventType: 'delivered', rejectReason: null },
  open: { eventType: 'opened', rejectReason: null },
  click: { eventType: 'clicked', rejectReason: null },
  bounce: { eventType: 'bounced', rejectReason: 'bounced' },
  // Mailtrap keeps retrying after a soft bounce; a suspension pauses delivery to that recipient for a while.
  'soft bounce': { eventType: 'deferred', rejectReason: 'other' },
  suspension: { eventType: 'deferred', rejectReason: 'other' },
  spam: { eventType: 'complained', rejectReason: 'spam' },
  unsubscribe: { eventType: 'unsubscribed', rejectReason: 'unsubscribed' },
  reject: { eventType: 'rejected', rejectReason: 'blocked' },
};

const SIMULATED_EVENTS = Object.keys(EVENT_MAP);

/** Per-event fields Mailtrap adds to the common ones, as its webhook documentation shows them. */
function simulatedExtras(eventName: string): Record<string, unknown> {
  const browser = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/128.0';
  switch (eventName) {
    case 'open':
      return { ip: '192.0.2.42', user_agent: browser };
    case 'click':
      return { ip: '192.0.2.42', user_agent: browser, url: 'https://example.com/welcome?utm_source=mailtrap' };
    case 'unsubscribe':
      return { ip: '192.0.2.42', user_agent: browser };
    case 'bounce':
      return {
        response: 'bounced (550 5.1.1 The email account that you tried to reach does not exist)',
        response_code: 550,
        bounce_category: 'hard',
      };
    case 'soft bounce':
      return {
        response: 'soft bounce (452 4.2.2 The email account that you tried to reach is over quota)',
        response_code: 452,
        bounce_category: 'unavailable',
      };
    case 'suspension':
      return { reason: 'other' };
    case 'reject':
      return { reason: 'unknown' };
    default:
      return {};
  }
}

function simulate(input: SimulateInput): SimulatedRequest {
  if (!SIMULATED_EVENTS.includes(input.eventName)) {
    throw new Error(`Mailtrap has no event "${input.eventName}"; use one of: ${SIMULATED_EVENTS.join(', ')}`);
  }
  const event = {
    event: input.eventName,
    timestamp: Math.floor(input.now.getTime() / 1000),
    sending_stream: 'transactional',
    category: 'welcome',
    custom_variables: { user_id: '4242', simulation: input.uniqueId },
    message_id: simulatedUuid(input.uniqueId, 'mailtrap message'),
    email: 'recipient@example.com',
    event_id: simulatedUuid(input.uniqueId, 'mailtrap event'),
    ...simulatedExtras(input.eventName),
  };
  const body = Buffer.from(JSON.stringify({ events: [event] }), 'utf8');
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (input.signingKey !== undefined) headers[SIGNATURE_HEADER] = hexHmacSha256(input.signingKey, body);
  return { headers, body };
}

/** The Mailtrap provider module. */
export const mailtrapProvider: ProviderModule = {
  id: 'mailtrap',
  displayName: 'Mailtrap',
  contentTypes: ['application/json'],
  verify: (request, context) => verifyHexHmacSha256(request, context.signingKeys, SIGNATURE_HEADER),
  parse(request) {
    const body = parseJsonBody(request.body);
    if (!isRecord(body)) throw new PayloadError('Expected a JSON object with an events array');
    if (!Array.isArray(body.events)) throw new PayloadError('Missing field events (expected an array)');
    return { events: body.events };
  },
  normalise(event) {
    if (!isRecord(event)) throw new PayloadError('Expected each Mailtrap event to be a JSON object');
    const name = stringAt(event, 'event');
    if (name === null) throw new PayloadError('Missing field event');
    const mapped = ownEntry(EVENT_MAP, name) ?? { eventType: 'unknown', rejectReason: null };
    const category = stringAt(event, 'category');
    return [
      {
        eventType: mapped.eventType,
        eventId: stringAt(event, 'event_id') ?? deriveEventId('mailtrap', event),
        messageId: stringAt(event, 'message_id'),
        recipient: stringAt(event, 'email'),
        timestamp: epochSecondsToIso(numberAt(event, 'timestamp')),
        rejectReason: mapped.rejectReason,
        description: stringAt(event, 'reason') ?? stringAt(event, 'bounce_category'),
        mtaResponse: stringAt(event, 'response'),
        tags: category === null ? [] : [category],
        metadata: isRecord(event.custom_variables) ? event.custom_variables : {},
        clickUrl: stringAt(event, 'url'),
        userAgent: stringAt(event, 'user_agent'),
        raw: event,
      },
    ];
  },
  simulatedEvents: SIMULATED_EVENTS,
  simulate,
};
