/**
 * Mailtrap (Email Sending) webhook simulator.
 *
 * Source: Mailtrap "Webhooks" documentation (payload `{"events":[...]}` with one sample per event: `event_id`,
 * `message_id` UUIDs, `timestamp` seconds, `custom_variables`, `response`/`response_code`/`bounce_category` on bounces,
 * `reason` on suspensions and rejections) and django-anymail's tests/test_mailtrap_webhooks.py captures.
 */
import { hexHmacSha256 } from '../../lambda/providers/hex-hmac-sha256';
import { simulatedUuid } from './ids';
import { batchSizeOf, batchUniqueId, checkEventName, type ProviderSimulator, type SimulateInput } from './types';

const SIGNATURE_HEADER = 'mailtrap-signature';

const SIMULATED_EVENTS: readonly string[] = [
  'delivery',
  'open',
  'click',
  'bounce',
  'soft bounce',
  'suspension',
  'spam',
  'unsubscribe',
  'reject',
];

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

function simulatedEvent(input: SimulateInput, uniqueId: string): Record<string, unknown> {
  return {
    event: input.eventName,
    timestamp: Math.floor(input.now.getTime() / 1000),
    sending_stream: 'transactional',
    category: 'welcome',
    custom_variables: input.metadata ?? { user_id: '4242', simulation: uniqueId },
    message_id: simulatedUuid(uniqueId, 'mailtrap message'),
    email: input.recipient ?? 'recipient@example.com',
    event_id: simulatedUuid(uniqueId, 'mailtrap event'),
    ...simulatedExtras(input.eventName),
  };
}

function simulate(input: SimulateInput) {
  checkEventName(mailtrapSimulator, input.eventName);
  const batch = batchSizeOf(input, mailtrapSimulator);
  const events = Array.from({ length: batch }, (_, index) => simulatedEvent(input, batchUniqueId(input.uniqueId, index)));
  const body = Buffer.from(JSON.stringify({ events }), 'utf8');
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (input.signingKey !== undefined) headers[SIGNATURE_HEADER] = hexHmacSha256(input.signingKey, body);
  return { headers, body };
}


/** Mailtrap webhooks, simulated. */
export const mailtrapSimulator: ProviderSimulator = {
  id: 'mailtrap',
  source: 'Mailtrap webhooks documentation (samples); django-anymail tests/test_mailtrap_webhooks.py (captures)',
  events: SIMULATED_EVENTS,
  maxBatch: 500,
  metadata: 'custom_variables',
  simulate,
};
