/**
 * Unisender Go webhook simulator (the default batch shape).
 *
 * Source: Unisender Go "Webhook" (callback) documentation (godocs.unisender.ru: `events_by_user[].events[]` with
 * `event_name` and `event_data`, UTC times as `YYYY-MM-DD HH:MM:SS`, `delivery_info` on bounces and engagement, `/`
 * escaped as `\/`) and django-anymail's tests/test_unisender_go_webhooks.py captures.
 */
import { createHash } from 'node:crypto';
import { simulatedHexId } from './ids';
import { batchSizeOf, batchUniqueId, checkEventName, type ProviderSimulator, type SimulateInput } from './types';

const STATUS_EVENT = 'transactional_email_status';
const SPAM_BLOCK_EVENT = 'transactional_spam_block';

function md5(data: Buffer): Buffer {
  return createHash('md5').update(data).digest();
}

/** An API key as it appears inside a JSON string written the way Unisender Go writes it (`/` escaped as `\/`). */
function jsonStringContent(value: string): string {
  return JSON.stringify(value).slice(1, -1).replace(/\//g, '\\/');
}

/** Unisender Go's time format: UTC, `YYYY-MM-DD HH:MM:SS`. */
function unisenderTime(date: Date): string {
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

const STATUSES: readonly string[] = [
  'sent',
  'delivered',
  'opened',
  'clicked',
  'unsubscribed',
  'subscribed',
  'spam',
  'soft_bounced',
  'hard_bounced',
];
const SIMULATED_EVENTS = [...STATUSES, SPAM_BLOCK_EVENT];
const BROWSER = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/128.0';

/** Status-specific fields, as Unisender Go's callback documentation shows them. */
function statusExtras(status: string): Record<string, unknown> {
  switch (status) {
    case 'opened':
      return { delivery_info: { user_agent: BROWSER, ip: '192.0.2.42' } };
    case 'clicked':
      return { url: 'https://example.com/welcome', delivery_info: { user_agent: BROWSER, ip: '192.0.2.42' } };
    case 'soft_bounced':
      return {
        delivery_info: {
          delivery_status: 'err_mailbox_full',
          destination_response: "452 4.2.2 Mailbox full 'recipient@example.com'",
        },
      };
    case 'hard_bounced':
      return {
        delivery_info: {
          delivery_status: 'err_user_unknown',
          destination_response: "550 5.1.1 User unknown 'recipient@example.com'",
        },
      };
    case 'unsubscribed':
      return { comment: 'I no longer want these emails' };
    default:
      return {};
  }
}

function simulatedEvent(input: SimulateInput, uniqueId: string): Record<string, unknown> {
  if (input.eventName === SPAM_BLOCK_EVENT) {
    return {
      event_name: SPAM_BLOCK_EVENT,
      event_data: {
        block_time: unisenderTime(input.now),
        block_type: 'one_smtp',
        domain: 'example.com',
        SMTP_blocks_count: 1,
        domain_status: 'blocked',
      },
    };
  }
  const job = simulatedHexId(uniqueId, 'unisender-go job', 14);
  return {
    event_name: STATUS_EVENT,
    event_data: {
      job_id: `${job.slice(0, 6)}-${job.slice(6, 12)}-${job.slice(12, 14).toUpperCase()}`,
      metadata: input.metadata ?? { campaign: 'welcome', simulation: uniqueId },
      email: input.recipient ?? 'recipient@example.com',
      status: input.eventName,
      event_time: unisenderTime(input.now),
      ...statusExtras(input.eventName),
    },
  };
}

/** Stands in for the auth value while the body is hashed; never a valid 32-hex digest, so it cannot collide. */
const AUTH_PLACEHOLDER = '__hookguard_auth_placeholder__';

function simulate(input: SimulateInput) {
  checkEventName(unisenderGoSimulator, input.eventName);
  const batch = batchSizeOf(input, unisenderGoSimulator);
  const group = {
    user_id: 456123,
    project_id: '6432890213745872',
    project_name: 'Example',
    events: Array.from({ length: batch }, (_, index) => simulatedEvent(input, batchUniqueId(input.uniqueId, index))),
  };
  const headers = { 'content-type': 'application/json' };
  if (input.signingKey === undefined) {
    return { headers, body: Buffer.from(JSON.stringify({ events_by_user: [group] }).replace(/\//g, '\\/'), 'utf8') };
  }
  // Exactly as Unisender Go signs: serialise with the API key in auth, hash, then put the digest in its place.
  const template = JSON.stringify({ auth: AUTH_PLACEHOLDER, events_by_user: [group] }).replace(/\//g, '\\/');
  const digest = md5(Buffer.from(template.replace(AUTH_PLACEHOLDER, jsonStringContent(input.signingKey)), 'utf8'));
  return { headers, body: Buffer.from(template.replace(AUTH_PLACEHOLDER, digest.toString('hex')), 'utf8') };
}


/** Unisender Go webhooks, simulated. */
export const unisenderGoSimulator: ProviderSimulator = {
  id: 'unisender-go',
  source: 'Unisender Go webhook documentation (batch shape, fields); django-anymail tests/test_unisender_go_webhooks.py',
  events: SIMULATED_EVENTS,
  maxBatch: 1000,
  metadata: 'event_data.metadata',
  simulate,
};
