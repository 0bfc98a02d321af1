/**
 * MailerSend webhook simulator (payload version 2.0, the default for new webhooks).
 *
 * Source: MailerSend "Webhooks" documentation (2.0 payload: flat `data` with `message_id`, `recipient`, `tags`,
 * `meta`, an empty `meta` array when there is nothing to add), cross-checked with the 1.0 captures in django-anymail's
 * tests/test_mailersend_webhooks.py for the activity types and statuses. One event per POST; no sender metadata.
 */
import { hexHmacSha256 } from '../../lambda/providers/hex-hmac-sha256';
import { simulatedHexId } from './ids';
import { batchSizeOf, checkEventName, type ProviderSimulator, type SimulateInput } from './types';

const SIGNATURE_HEADER = 'signature';

const SIMULATED_EVENTS: readonly string[] = [
  'activity.sent',
  'activity.delivered',
  'activity.soft_bounced',
  'activity.hard_bounced',
  'activity.deferred',
  'activity.opened',
  'activity.opened_unique',
  'activity.clicked',
  'activity.clicked_unique',
  'activity.unsubscribed',
  'activity.spam_complaint',
  'activity.survey_opened',
  'activity.survey_submitted',
];

/** The email status MailerSend 2.0 reports in `data.type`, and the `meta` it adds, for each activity. */
function simulatedDetails(type: string): { status: string; meta: unknown } {
  const browser = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/128.0';
  const engagement = {
    ip: '192.0.2.42',
    country: 'US',
    user_agent: browser,
    device_type: 'desktop',
    browser: 'Chrome',
  };
  switch (type) {
    case 'activity.sent':
      return { status: 'sent', meta: [] };
    case 'activity.soft_bounced':
      return {
        status: 'rejected',
        meta: { bounce_reason: 'Mailbox full', bounce_code: '452', bounce_type: 'soft' },
      };
    case 'activity.hard_bounced':
      return {
        status: 'rejected',
        meta: { bounce_reason: 'Host or domain name not found', bounce_code: '550', bounce_type: 'hard' },
      };
    case 'activity.deferred':
      return { status: 'deferred', meta: [] };
    case 'activity.clicked':
    case 'activity.clicked_unique':
      return { status: 'delivered', meta: { ...engagement, url: 'https://example.com/welcome' } };
    case 'activity.opened':
    case 'activity.opened_unique':
    case 'activity.survey_opened':
      return { status: 'delivered', meta: engagement };
    case 'activity.unsubscribed':
      return { status: 'delivered', meta: { unsubscribe_reason: 'NO_LONGER_WANT' } };
    default:
      return { status: 'delivered', meta: [] };
  }
}

/** MailerSend's timestamps: ISO 8601 UTC with microseconds. */
function mailerSendTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

function simulate(input: SimulateInput) {
  checkEventName(mailersendSimulator, input.eventName);
  batchSizeOf(input, mailersendSimulator);
  const { status, meta } = simulatedDetails(input.eventName);
  const payload = {
    type: input.eventName,
    created_at: mailerSendTime(input.now),
    data: {
      id: simulatedHexId(input.uniqueId, 'mailersend activity', 24),
      domain_id: 'dnvo4d93e0ng5r86',
      message_id: simulatedHexId(input.uniqueId, 'mailersend message', 24),
      email_id: simulatedHexId(input.uniqueId, 'mailersend email', 24),
      type: status,
      subject: 'Welcome to Example',
      recipient: input.recipient ?? 'recipient@example.com',
      tags: ['welcome'],
      meta,
    },
  };
  // MailerSend (PHP) escapes every "/" as "\/"; the signature covers those exact bytes.
  const body = Buffer.from(JSON.stringify(payload).replace(/\//g, '\\/'), 'utf8');
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (input.signingKey !== undefined) headers[SIGNATURE_HEADER] = hexHmacSha256(input.signingKey, body);
  return { headers, body };
}


/** MailerSend webhooks, simulated. */
export const mailersendSimulator: ProviderSimulator = {
  id: 'mailersend',
  source: 'MailerSend webhooks documentation (2.0 payloads); django-anymail tests/test_mailersend_webhooks.py (1.0 captures)',
  events: SIMULATED_EVENTS,
  maxBatch: 1,
  metadata: null,
  simulate,
};
