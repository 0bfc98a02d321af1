/**
 * Generic Standard Webhooks simulator.
 *
 * Source: the Standard Webhooks specification (standardwebhooks.com: the recommended payload `{type, timestamp, data}`
 * and the `webhook-*` headers), with Resend-style email events in `data` as Svix-based email senders post them. One
 * event per POST. What the events mean comes from the stage's `eventTypeMap`.
 */
import { simulateStandardWebhook } from './standard-webhooks-signing';
import { batchSizeOf, checkEventName, type ProviderSimulator, type SimulateInput } from './types';

/** Example payloads in the specification's recommended shape (`type`, `timestamp`, `data`). */
const SIMULATED_EVENTS = [
  'email.sent',
  'email.delivered',
  'email.delivery_delayed',
  'email.bounced',
  'email.complained',
  'email.opened',
  'email.clicked',
  'contact.created',
] as const;

function simulatedData(input: SimulateInput): Record<string, unknown> {
  const { eventName, uniqueId } = input;
  const recipient = input.recipient ?? 'recipient@example.com';
  if (eventName.startsWith('contact.')) {
    return { id: `contact_${uniqueId}`, email: recipient, first_name: 'Ada' };
  }
  const data: Record<string, unknown> = {
    email_id: `email_${uniqueId}`,
    from: 'Acme <noreply@example.com>',
    to: [recipient],
    subject: 'Your receipt',
  };
  if (eventName === 'email.bounced') data.bounce = { type: 'Permanent', message: 'Mailbox does not exist' };
  if (eventName === 'email.clicked') data.click = { link: 'https://example.com/welcome', userAgent: 'Mozilla/5.0' };
  return data;
}

function simulate(input: SimulateInput) {
  checkEventName(standardWebhooksSimulator, input.eventName);
  batchSizeOf(input, standardWebhooksSimulator);
  return simulateStandardWebhook('webhook', input, {
    type: input.eventName,
    timestamp: input.now.toISOString(),
    data: simulatedData(input),
  });
}

/** Standard Webhooks senders, simulated. */
export const standardWebhooksSimulator: ProviderSimulator = {
  id: 'standard-webhooks',
  source: 'Standard Webhooks specification (payload shape and headers)',
  events: SIMULATED_EVENTS,
  maxBatch: 1,
  metadata: null,
  simulate,
};
