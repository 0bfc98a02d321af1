/**
 * What docs/providers.md says beside each provider's generated mapping: where the normalised fields come from (read
 * from each provider module's normalise, provider-facts.md §2) and where Hookguard deliberately differs from
 * django-anymail's mapping. Typed by provider id, so a provider added to the registry without its notes fails to
 * type-check.
 */
import type { ProviderId } from '../../lambda/core/provider-ids';

/** Where one provider's normalised identity fields come from. */
export interface FieldSources {
  readonly eventId: string;
  readonly messageId: string;
  readonly recipient: string;
  readonly timestamp: string;
}

export const FIELD_SOURCES: Readonly<Record<ProviderId, FieldSources>> = {
  'amazon-ses': {
    eventId: 'SNS `MessageId` (shared by the recipients one SES event fans out to)',
    messageId: '`mail.messageId`',
    recipient: 'bounce/complaint/delay: each listed recipient; delivery: `delivery.recipients[]`; others: each of `mail.destination[]`',
    timestamp: 'the SNS message `Timestamp`',
  },
  brevo: {
    eventId: 'derived from the event content (Brevo gives none)',
    messageId: '`message-id`',
    recipient: '`email`',
    timestamp: '`ts_epoch` (milliseconds; seconds when small), else `ts_event` / `ts`',
  },
  mailersend: {
    eventId: '`data.id` (the activity id); account events: derived from the content',
    messageId: '2.0: `data.message_id`; 1.0: `data.email.message.id`',
    recipient: '2.0: `data.recipient` (or `data.email`); 1.0: `data.email.recipient.email`',
    timestamp: '`data.created_at`, else `created_at`',
  },
  mailgun: {
    eventId: '`signature.token` (legacy form posts: `token`)',
    messageId: '`event-data.message.headers.message-id` (legacy: `Message-Id`)',
    recipient: '`event-data.recipient`, else the address in `message.headers.to` (rejected, stored)',
    timestamp: '`event-data.timestamp` (float seconds)',
  },
  mailjet: {
    eventId: 'derived from the event content (Mailjet gives none)',
    messageId: '`MessageID` (all 64 bits kept), else `mj_message_id`',
    recipient: '`email`',
    timestamp: '`time` (seconds)',
  },
  mailtrap: {
    eventId: '`event_id`',
    messageId: '`message_id`',
    recipient: '`email`',
    timestamp: '`timestamp` (seconds)',
  },
  mandrill: {
    eventId: 'derived from `_id`, `event`, `ts` and the engagement fields (Mandrill gives none)',
    messageId: '`msg._id`, else `_id`',
    recipient: '`msg.email` (sync events: the entry\'s `email`)',
    timestamp: '`ts` (seconds)',
  },
  postal: {
    eventId: '`uuid`',
    messageId: '`payload.message.id` (MessageBounced: `payload.original_message.id`)',
    recipient: '`payload.message.to`',
    timestamp: '`timestamp` (float seconds)',
  },
  postmark: {
    eventId: '`ID` (bounces and complaints); other records: derived from the content',
    messageId: '`MessageID`',
    recipient: '`Email` or `Recipient` (inbound: `OriginalRecipient`, else the first `ToFull`)',
    timestamp: 'first of `DeliveredAt`, `BouncedAt`, `ReceivedAt`, `ChangedAt` (inbound: the `Date` header)',
  },
  resend: {
    eventId: 'the `svix-id` header (stable across retries)',
    messageId: '`data.email_id`',
    recipient: 'first of `data.to[]` (else `data.email`)',
    timestamp: 'top-level `created_at`',
  },
  sendgrid: {
    eventId: '`sg_event_id`',
    messageId: 'the send API\'s `X-Message-Id`: `sg_message_id` before `.filter`/`.recvd` (drops: the `smtp-id` SendGrid generated)',
    recipient: '`email`',
    timestamp: '`timestamp` (seconds)',
  },
  sparkpost: {
    eventId: '`event_id`',
    messageId: '`transmission_id` (what the send API returned; `message_id` is internal)',
    recipient: '`raw_rcpt_to`, else `rcpt_to`',
    timestamp: '`timestamp` (seconds, or an ISO date)',
  },
  'standard-webhooks': {
    eventId: 'the `webhook-id` (or `svix-id`) header',
    messageId: 'first of `data.email_id`, `data.message_id`, `data.messageId`, `email.id`',
    recipient: 'first of `data.email`, `data.to`, `data.recipient`, `data.email_address`, `contactIdentity.email`, `email`',
    timestamp: 'first of `timestamp`, `created_at`, `createdAt`, `eventTime`',
  },
  'unisender-go': {
    eventId: 'derived from the event content (the `ID` header changes per attempt)',
    messageId: '`job_id`',
    recipient: '`email`',
    timestamp: '`event_time` (UTC, no offset)',
  },
};

/** Where Hookguard deliberately maps differently from django-anymail, and why. */
export const ANYMAIL_DIFFERENCES: readonly string[] = [
  '**Soft bounces.** django-anymail reports Brevo `soft_bounce`, MailerSend `activity.soft_bounced`, Postmark ' +
    '`SoftBounce`, Mandrill `soft_bounce`, Amazon SES `Transient` bounces and SparkPost soft bounce classes as ' +
    '`bounced`. Hookguard publishes them as `deferred` with `rejectReason: "bounced"`: the provider has not given up ' +
    "on the address, and a consumer that suppresses on `bounced` (the default `suppression` route) would otherwise " +
    'drop a good address after a full mailbox.',
  '**SparkPost initial opens.** django-anymail can report `initial_open` / `amp_initial_open` as `opened` (its ' +
    '`track_initial_open_as_opened` setting). SparkPost sends them beside `open` / `amp_open` for the same open (the ' +
    'top-of-message pixel), so Hookguard always publishes them as `unknown`, counting each open once; there is no ' +
    'switch.',
  '**Postmark subscription changes.** django-anymail maps every `SubscriptionChange` that suppresses sending to ' +
    '`unsubscribed`. When Postmark suppresses an address because of a hard bounce or a spam complaint, it has already ' +
    'sent that Bounce / SpamComplaint record, which Hookguard publishes as `bounced` / `complained`; the ' +
    'SubscriptionChange is Postmark recording the same fact. Hookguard publishes it as `unknown` with ' +
    '`rejectReason` `bounced` / `spam` (kept in the archive, but neither an unsubscribe nor a second suppression). ' +
    'Only a manual suppression (by the recipient or the sender) is `unsubscribed`.',
  '**Mailgun message ids.** django-anymail wraps `event-data.message.headers.message-id` in angle brackets. ' +
    "Hookguard publishes the id exactly as the webhook carries it (JSON webhooks: no brackets, as in Mailgun's " +
    "event logs; legacy form posts: as sent), so it is never rewritten; to join with the `id` Mailgun's send API " +
    'returns (`<...>`), compare without the brackets. The event id is the signature `token` in both (Mailgun documents `event-data.id` as unique only ' +
    'within a day).',
  '**SendGrid message ids.** django-anymail reads `smtp-id` (or its own `anymail_id` custom arg); `smtp-id` is ' +
    'missing on engagement events, so Hookguard uses the `X-Message-Id` every event carries in `sg_message_id`.',
];
