/**
 * Mailtrap (Email Sending) webhooks: `POST` with `{"events":[...]}` (a batch), signed with `Mailtrap-Signature`, the
 * lowercase hex HMAC-SHA256 of the raw body keyed with the webhook's signing secret. Nothing time-related is signed,
 * so replays are caught by the dedupe ledger (each event carries its own `event_id`), not by a timestamp window.
 */
import type { EventType, RejectReason } from '../core/event';
import { ownEntry } from '../core/lookup';
import { PayloadError } from '../errors';
import { verifyHexHmacSha256 } from './hex-hmac-sha256';
import { deriveEventId, epochSecondsToIso, isRecord, numberAt, parseJsonBody, stringAt } from './shared';
import type { ProviderModule } from './types';

const SIGNATURE_HEADER = 'mailtrap-signature';

/** Mailtrap's event names (spelled as Mailtrap sends them, with spaces) to the normalised type and reject reason. */
const EVENT_MAP: Readonly<Record<string, { eventType: EventType; rejectReason: RejectReason | null }>> = {
  delivery: { eventType: 'delivered', rejectReason: null },
  open: { eventType: 'opened', rejectReason: null },
  click: { eventType: 'clicked', rejectReason: null },
  bounce: { eventType: 'bounced', rejectReason: 'bounced' },
  // Mailtrap keeps retrying after a soft bounce (a temporary bounce: reason `bounced`); a suspension is Mailtrap
  // itself pausing delivery to that recipient for a while (a delay whose reason is a block).
  'soft bounce': { eventType: 'deferred', rejectReason: 'bounced' },
  suspension: { eventType: 'deferred', rejectReason: 'blocked' },
  spam: { eventType: 'complained', rejectReason: 'spam' },
  unsubscribe: { eventType: 'unsubscribed', rejectReason: 'unsubscribed' },
  reject: { eventType: 'rejected', rejectReason: 'blocked' },
};

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
};
