/**
 * MailerSend webhooks: one event per `POST`, signed with the `Signature` header, the lowercase hex HMAC-SHA256 of the
 * raw body keyed with the webhook's signing secret. Nothing time-related is signed; replays are caught by dedupe on
 * the activity id (`data.id`).
 *
 * MailerSend has two payload versions, chosen per webhook: 2.0 (the default for new webhooks since September 2025:
 * flat `data` with `message_id`, `recipient`, `tags`, `meta`) and 1.0 "legacy" (`data.email.message.id`,
 * `data.email.recipient.email`, `data.morph`). Both carry the event name in the top-level `type`, which is what the
 * mapping reads, so either version works without configuration.
 */
import type { EventType, RejectReason } from '../core/event';
import { ownEntry } from '../core/lookup';
import { PayloadError } from '../errors';
import { verifyHexHmacSha256 } from './hex-hmac-sha256';
import { dateStringToIso, deriveEventId, isRecord, parseJsonBody, stringAt, stringsAt } from './shared';
import type { ProviderModule } from './types';

const SIGNATURE_HEADER = 'signature';

/** MailerSend's connectivity check when a webhook is saved; it describes no email event. */
const PING_TYPE = 'webhook.test';

/** Every event type MailerSend documents, to the normalised type and reject reason. */
const EVENT_MAP: Readonly<Record<string, { eventType: EventType; rejectReason: RejectReason | null }>> = {
  'activity.sent': { eventType: 'sent', rejectReason: null },
  'activity.delivered': { eventType: 'delivered', rejectReason: null },
  // MailerSend reports soft_bounced once it has stopped retrying the message, but the address is still good: a soft
  // bounce is `deferred` with reason `bounced` (docs/events.md, "Bounces and delays"), never a suppression.
  'activity.soft_bounced': { eventType: 'deferred', rejectReason: 'bounced' },
  'activity.hard_bounced': { eventType: 'bounced', rejectReason: 'bounced' },
  'activity.deferred': { eventType: 'deferred', rejectReason: null },
  'activity.opened': { eventType: 'opened', rejectReason: null },
  'activity.opened_unique': { eventType: 'opened', rejectReason: null },
  'activity.clicked': { eventType: 'clicked', rejectReason: null },
  'activity.clicked_unique': { eventType: 'clicked', rejectReason: null },
  'activity.unsubscribed': { eventType: 'unsubscribed', rejectReason: null },
  'activity.spam_complaint': { eventType: 'complained', rejectReason: 'spam' },
  // The same open is also reported as activity.opened; mapping surveys to `opened` would count it twice.
  'activity.survey_opened': { eventType: 'unknown', rejectReason: null },
  'activity.survey_submitted': { eventType: 'unknown', rejectReason: null },
  'inbound_forward.failed': { eventType: 'inbound_failed', rejectReason: null },
  'inbound_message.rejected': { eventType: 'inbound_failed', rejectReason: null },
  'sender_identity.verified': { eventType: 'unknown', rejectReason: null },
  'maintenance.start': { eventType: 'unknown', rejectReason: null },
  'maintenance.end': { eventType: 'unknown', rejectReason: null },
  'email_single.verified': { eventType: 'unknown', rejectReason: null },
  'email_list.verified': { eventType: 'unknown', rejectReason: null },
  'bulk_email.completed': { eventType: 'unknown', rejectReason: null },
  'recipient.on_hold_added': { eventType: 'unknown', rejectReason: null },
  'recipient.on_hold_removed': { eventType: 'unknown', rejectReason: null },
};

/** The fields a normalised event takes from one payload version. */
interface ActivityFields {
  readonly messageId: string | null;
  readonly recipient: string | null;
  readonly timestamp: string | null;
  readonly description: string | null;
  readonly mtaResponse: string | null;
  readonly tags: readonly string[];
  readonly clickUrl: string | null;
  readonly userAgent: string | null;
}

/** Webhooks 1.0 (legacy): the email and its message and recipient nested under `data.email`, details in `data.morph`. */
function legacyFields(event: Record<string, unknown>, data: Record<string, unknown>): ActivityFields {
  return {
    messageId: stringAt(data, 'email', 'message', 'id'),
    recipient: stringAt(data, 'email', 'recipient', 'email'),
    timestamp: dateStringToIso(stringAt(data, 'created_at') ?? stringAt(event, 'created_at')),
    description: stringAt(data, 'morph', 'readable_reason') ?? stringAt(data, 'morph', 'reason'),
    mtaResponse: null,
    tags: stringsAt(data, 'email', 'tags'),
    clickUrl: stringAt(data, 'morph', 'url'),
    userAgent: stringAt(data, 'morph', 'user_agent'),
  };
}

/** Webhooks 2.0: flat `data`, event details in `data.meta` (an empty array when there are none). */
function currentFields(event: Record<string, unknown>, data: Record<string, unknown>): ActivityFields {
  const meta = isRecord(data.meta) ? data.meta : {};
  return {
    messageId: stringAt(data, 'message_id'),
    // Some 2.0 payloads name the recipient `email` instead of `recipient`.
    recipient: stringAt(data, 'recipient') ?? stringAt(data, 'email'),
    timestamp: dateStringToIso(stringAt(data, 'created_at') ?? stringAt(event, 'created_at')),
    description:
      stringAt(meta, 'bounce_reason') ??
      stringAt(meta, 'reject_reason') ??
      stringAt(meta, 'suppression_reason') ??
      stringAt(meta, 'unsubscribe_reason'),
    mtaResponse: stringAt(meta, 'bounce_code'),
    tags: stringsAt(data, 'tags'),
    clickUrl: stringAt(meta, 'url'),
    userAgent: stringAt(meta, 'user_agent'),
  };
}

/** The MailerSend provider module. */
export const mailersendProvider: ProviderModule = {
  id: 'mailersend',
  displayName: 'MailerSend',
  contentTypes: ['application/json'],
  verify: (request, context) => verifyHexHmacSha256(request, context.signingKeys, SIGNATURE_HEADER),
  parse(request) {
    const body = parseJsonBody(request.body);
    if (!isRecord(body)) throw new PayloadError('Expected a JSON object (one MailerSend event)');
    return { events: [body] };
  },
  normalise(event) {
    if (!isRecord(event)) throw new PayloadError('Expected the MailerSend event to be a JSON object');
    const type = stringAt(event, 'type');
    if (type === null) throw new PayloadError('Missing field type');
    if (type === PING_TYPE) return [];
    const mapped = ownEntry(EVENT_MAP, type) ?? { eventType: 'unknown', rejectReason: null };
    const isActivity = type.startsWith('activity.');
    const data = isRecord(event.data) ? event.data : null;
    if (isActivity && data === null) throw new PayloadError('Missing field data (expected an object)');
    // Only activity.* events describe an email; the account events (maintenance, verifications, inbound) carry other
    // resources whose shapes MailerSend does not document, so they keep just the type, the time and the raw event.
    const fields: Partial<ActivityFields> =
      !isActivity || data === null ? {} : isRecord(data.email) ? legacyFields(event, data) : currentFields(event, data);
    // data.id is the activity's own id; an account event's data.id names the affected resource, which several events
    // share (maintenance.start and .end), so those get a content-derived id instead.
    const activityId = isActivity && data !== null ? stringAt(data, 'id') : null;
    return [
      {
        ...fields,
        timestamp: fields.timestamp ?? dateStringToIso(stringAt(event, 'created_at')),
        eventType: mapped.eventType,
        rejectReason: mapped.rejectReason,
        eventId: activityId ?? deriveEventId('mailersend', event),
        raw: event,
      },
    ];
  },
};
