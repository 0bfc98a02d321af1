/**
 * Resend webhook simulator (Svix headers).
 *
 * Source: Resend "Event types" documentation (resend.com/docs/webhooks/event-types: one example body per type, with
 * `data.tags` an object, `data.bounce.{message,subType,type}`, `data.click`, `data.failed`, `data.suppressed`) and
 * django-anymail's tests/test_resend_webhooks.py captures (older payloads: tags as `{name, value}` pairs, bounces
 * without `subType`). One event per POST.
 */
import { simulateStandardWebhook } from './standard-webhooks-signing';
import { batchSizeOf, checkEventName, type ProviderSimulator, type SimulateInput } from './types';

const SIMULATED_EVENTS: readonly string[] = [
  'email.sent',
  'email.scheduled',
  'email.delivered',
  'email.delivery_delayed',
  'email.complained',
  'email.bounced',
  'email.opened',
  'email.clicked',
  'email.received',
  'email.failed',
  'email.suppressed',
  'contact.created',
  'contact.updated',
  'contact.deleted',
  'domain.created',
  'domain.updated',
  'domain.deleted',
  'suppression.added',
  'suppression.removed',
];

function simulatedData(input: SimulateInput): Record<string, unknown> {
  const { eventName, uniqueId, now } = input;
  const createdAt = now.toISOString();
  if (eventName.startsWith('contact.')) {
    return {
      id: `${uniqueId}-contact`,
      audience_id: '78261eea-8f8b-4381-83c6-79fa7120f1cf',
      segment_ids: [],
      created_at: createdAt,
      updated_at: createdAt,
      email: 'steve.wozniak@gmail.com',
      first_name: 'Steve',
      last_name: 'Wozniak',
      unsubscribed: false,
    };
  }
  if (eventName.startsWith('domain.')) {
    return {
      id: `${uniqueId}-domain`,
      name: 'example.com',
      status: 'verified',
      created_at: createdAt,
      region: 'us-east-1',
      records: [],
    };
  }
  if (eventName.startsWith('suppression.')) {
    return {
      id: `${uniqueId}-suppression`,
      email: 'bounced@example.com',
      origin: 'bounce',
      source_id: null,
      created_at: createdAt,
    };
  }
  const data: Record<string, unknown> = {
    created_at: createdAt,
    email_id: `${uniqueId}-email`,
    from: 'Acme <onboarding@resend.dev>',
    to: [input.recipient ?? 'delivered@resend.dev'],
    subject: 'Sending this example',
    tags: input.metadata ?? { category: 'confirm_email' },
  };
  switch (eventName) {
    case 'email.bounced':
      data.bounce = {
        message:
          "The recipient's email address is on the suppression list because it has a recent history of producing hard bounces.",
        subType: 'Suppressed',
        type: 'Permanent',
      };
      break;
    case 'email.clicked':
      data.click = {
        ipAddress: '122.115.53.11',
        link: 'https://resend.com',
        timestamp: createdAt,
        userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36',
      };
      break;
    case 'email.failed':
      data.failed = { reason: 'reached_daily_quota' };
      break;
    case 'email.suppressed':
      data.suppressed = { message: 'This address is on your suppression list.', type: 'OnAccountSuppressionList' };
      break;
    default:
      break;
  }
  return data;
}

function simulate(input: SimulateInput) {
  checkEventName(resendSimulator, input.eventName);
  batchSizeOf(input, resendSimulator);
  return simulateStandardWebhook('svix', input, {
    type: input.eventName,
    created_at: input.now.toISOString(),
    data: simulatedData(input),
  });
}

/** Resend webhooks, simulated. */
export const resendSimulator: ProviderSimulator = {
  id: 'resend',
  source: 'Resend webhook event types documentation (example bodies); django-anymail tests/test_resend_webhooks.py',
  events: SIMULATED_EVENTS,
  maxBatch: 1,
  metadata: 'data.tags',
  simulate,
};
