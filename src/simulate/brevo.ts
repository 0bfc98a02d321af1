/**
 * Brevo transactional webhook simulator.
 *
 * Source: Brevo "Transactional webhooks" (developers.brevo.com/docs/transactional-webhooks, one sample per event) and
 * the real captures in django-anymail's tests/test_brevo_webhooks.py: `tag` (a JSON-serialised array when `tags` was
 * set on send) beside `tags`, `ts`/`ts_event` in seconds and `ts_epoch` in milliseconds, `X-Mailin-custom` as a string.
 * One JSON object per POST, or a JSON array when the webhook is created with `batched: true`.
 */
import { batchSizeOf, batchUniqueId, checkEventName, type ProviderSimulator, type SimulateInput } from './types';

/** Brevo's documented names only: `sent` (an SMS name) and the older spellings are accepted but not simulated. */
const SIMULATED_EVENTS: readonly string[] = [
  'request',
  'delivered',
  'hard_bounce',
  'soft_bounce',
  'invalid_email',
  'blocked',
  'spam',
  'deferred',
  'opened',
  'unique_opened',
  'proxy_open',
  'unique_proxy_open',
  'click',
  'unsubscribed',
  'error',
  'list_addition',
];

/** Brevo's `date` field: local time of the account (CET/CEST by default) as `YYYY-MM-DD HH:MM:SS`. */
function brevoDate(now: Date): string {
  const cet = new Date(now.getTime() + 3600 * 1000);
  return cet.toISOString().replace('T', ' ').slice(0, 19);
}

function simulatedEvent(input: SimulateInput, uniqueId: string): Record<string, unknown> {
  const { eventName: name, now } = input;
  const seconds = Math.floor(now.getTime() / 1000);
  const event: Record<string, unknown> = {
    event: name,
    email: input.recipient ?? 'example@domain.com',
    id: 1122334,
    date: brevoDate(now),
    ts: seconds,
    'message-id': `<${uniqueId}@smtp-relay.mailin.fr>`,
    ts_event: seconds,
    subject: 'My first Transactional',
    'X-Mailin-custom': JSON.stringify(input.metadata ?? { order_id: 'A-1001' }),
    sending_ip: '185.41.28.109',
    ts_epoch: now.getTime(),
    template_id: 22,
    tag: '["transac_messages"]',
    tags: ['transac_messages'],
    mirror_link: `https://app-smtp.brevo.com/log/preview/${uniqueId}`,
    contact_id: 8,
  };
  switch (name) {
    case 'hard_bounce':
      event.reason = '550 5.1.1 The email account that you tried to reach does not exist';
      break;
    case 'soft_bounce':
      event.reason = '452 4.2.2 The email account that you tried to reach is over quota';
      break;
    case 'deferred':
      event.reason = '421 4.7.0 Try again later';
      break;
    case 'blocked':
      event.reason = 'blocked : due to a previous hard bounce';
      break;
    case 'invalid_email':
      event.reason = 'invalid email address';
      break;
    case 'error':
      event.reason = 'Error while sending the message';
      break;
    case 'click':
      event.link = 'https://www.brevo.com';
      event.user_agent = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)';
      event.device_used = 'DESKTOP';
      break;
    case 'proxy_open':
    case 'unique_proxy_open':
      // Brevo's documented "Loaded via Proxy" sample: `tag` is an array, the time is `s_epoch` (milliseconds), and
      // there is no `ts`, `ts_event`, `ts_epoch`, `tags` or `X-Mailin-custom`.
      for (const field of ['ts', 'ts_event', 'ts_epoch', 'tags', 'X-Mailin-custom', 'mirror_link', 'contact_id']) {
        delete event[field];
      }
      event.tag = ['transac_messages'];
      event.s_epoch = now.getTime();
      break;
    case 'opened':
    case 'unique_opened':
      event.user_agent = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)';
      event.device_used = 'DESKTOP';
      break;
    case 'list_addition':
      event.list_id = [36];
      break;
    default:
      break;
  }
  return event;
}

function simulate(input: SimulateInput) {
  checkEventName(brevoSimulator, input.eventName);
  const batch = batchSizeOf(input, brevoSimulator);
  const events = Array.from({ length: batch }, (_, index) => simulatedEvent(input, batchUniqueId(input.uniqueId, index)));
  // A webhook created without `batched` posts one object; a batched one posts an array (even of one).
  const payload = input.batch === undefined ? events[0] : events;
  return { headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(payload)) };
}

/** Brevo transactional webhooks, simulated. */
export const brevoSimulator: ProviderSimulator = {
  id: 'brevo',
  source: 'Brevo transactional webhooks documentation (samples); django-anymail tests/test_brevo_webhooks.py (captures)',
  events: SIMULATED_EVENTS,
  maxBatch: 1000,
  metadata: 'X-Mailin-custom (JSON)',
  simulate,
};
