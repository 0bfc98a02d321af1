/**
 * SparkPost webhook simulator.
 *
 * Source: SparkPost "Event types" reference (developers.sparkpost.com/api/webhooks, the sample of each event) and
 * django-anymail's tests/test_sparkpost_webhooks.py captures: a JSON array of `{"msys": {"<class>": {...}}}` entries,
 * ids and `timestamp` as strings (ids are decimal digits), `rcpt_meta` an object, `rcpt_tags` an array.
 */
import { createHash } from 'node:crypto';
import { batchSizeOf, batchUniqueId, checkEventName, type ProviderSimulator, type SimulateInput } from './types';

/** Each documented event `type` with its `msys` class. */
const EVENT_CLASSES: ReadonlyMap<string, string> = new Map([
  ['injection', 'message_event'],
  ['delivery', 'message_event'],
  ['bounce', 'message_event'],
  ['out_of_band', 'message_event'],
  ['delay', 'message_event'],
  ['policy_rejection', 'message_event'],
  ['spam_complaint', 'message_event'],
  ['sms_status', 'message_event'],
  ['open', 'track_event'],
  ['amp_open', 'track_event'],
  ['initial_open', 'track_event'],
  ['amp_initial_open', 'track_event'],
  ['click', 'track_event'],
  ['amp_click', 'track_event'],
  ['generation_failure', 'gen_event'],
  ['generation_rejection', 'gen_event'],
  ['list_unsubscribe', 'unsubscribe_event'],
  ['link_unsubscribe', 'unsubscribe_event'],
  ['relay_injection', 'relay_event'],
  ['relay_rejection', 'relay_event'],
  ['relay_permfail', 'relay_event'],
  ['relay_tempfail', 'relay_event'],
  ['relay_delivery', 'relay_event'],
  ['ab_test_completed', 'ab_test_event'],
  ['ab_test_cancelled', 'ab_test_event'],
  ['success', 'ingest_event'],
  ['error', 'ingest_event'],
]);

/** A SparkPost-style decimal id (event and transmission ids are 17-18 digit strings), stable per `uniqueId`. */
function decimalId(uniqueId: string, purpose: string): string {
  const hex = createHash('sha256').update(`${purpose}:${uniqueId}`).digest('hex').slice(0, 14);
  return (BigInt(`0x${hex}`) + 10n ** 16n).toString();
}

/** Fields of SparkPost's documented sample message event, shared by the message, track, gen and unsubscribe classes. */
function messageFields(input: SimulateInput, uniqueId: string, timestamp: string): Record<string, unknown> {
  const recipient = input.recipient ?? 'recipient@example.com';
  return {
    campaign_id: 'Example Campaign Name',
    customer_id: '1',
    event_id: decimalId(uniqueId, 'event'),
    friendly_from: 'sender@example.com',
    injection_time: new Date(Number(timestamp) * 1000).toISOString(),
    ip_pool: 'Example-Ip-Pool',
    message_id: decimalId(uniqueId, 'message').slice(0, 12).padStart(20, '0'),
    msg_from: 'sender@example.com',
    rcpt_meta: input.metadata ?? { customKey: 'customValue' },
    rcpt_tags: ['male', 'US'],
    rcpt_to: recipient.toLowerCase(),
    raw_rcpt_to: recipient,
    rcpt_type: 'cc',
    recipient_domain: recipient.slice(recipient.lastIndexOf('@') + 1).toLowerCase(),
    routing_domain: 'example.com',
    sending_ip: '127.0.0.1',
    subaccount_id: '101',
    subject: 'Summer deals are here!',
    template_id: 'templ-1234',
    template_version: '1',
    timestamp,
    transmission_id: decimalId(uniqueId, 'transmission'),
  };
}

function simulatedEventBody(input: SimulateInput, uniqueId: string, timestamp: string): Record<string, unknown> {
  const type = input.eventName;
  const base = { type, ...messageFields(input, uniqueId, timestamp) };
  switch (type) {
    case 'bounce':
    case 'out_of_band':
      return {
        ...base,
        bounce_class: '10',
        error_code: '550',
        reason: '550 5.1.1 <recipient@example.com>: Recipient address rejected: User unknown',
        raw_reason: '550 5.1.1 <recipient@example.com>: Recipient address rejected: User unknown',
      };
    case 'delay':
      return {
        ...base,
        bounce_class: '21',
        error_code: '454',
        num_retries: '1',
        reason: '454 4.4.4 [internal] no MX or A for domain',
        raw_reason: '454 4.4.4 [internal] no MX or A for domain',
        queue_time: '12',
      };
    case 'policy_rejection':
      return {
        ...base,
        bounce_class: '25',
        error_code: '554',
        reason: '554 5.7.1 [internal] recipient is on the suppression list',
        raw_reason: '554 5.7.1 [internal] recipient is on the suppression list',
        remote_addr: '127.0.0.1',
      };
    case 'spam_complaint':
      return {
        ...base,
        fbtype: 'abuse',
        report_by: 'server.email.com',
        report_to: 'abuse.example.com',
        user_str: 'Additional Example Information',
      };
    case 'generation_failure':
    case 'generation_rejection':
      return {
        ...base,
        error_code: '554',
        reason: 'Message generation rejected',
        raw_reason: 'Message generation rejected',
      };
    case 'click':
    case 'amp_click':
      return {
        ...base,
        geo_ip: { country: 'US', city: 'Columbia' },
        ip_address: '127.0.0.1',
        target_link_name: 'Example Link Name',
        target_link_url: 'https://example.com',
        user_agent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)',
      };
    case 'open':
    case 'amp_open':
    case 'initial_open':
    case 'amp_initial_open':
    case 'link_unsubscribe':
      return {
        ...base,
        geo_ip: { country: 'US', city: 'Columbia' },
        ip_address: '127.0.0.1',
        user_agent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)',
      };
    case 'list_unsubscribe':
      return { ...base, mailfrom: 'recipient@example.com' };
    case 'sms_status':
      return {
        ...base,
        sms_coding: 'ASCII',
        sms_dst: '7876712656',
        sms_remoteids: ['0000'],
        sms_src: '1234',
        sms_text: 'lol',
      };
    case 'relay_injection':
    case 'relay_rejection':
    case 'relay_delivery':
    case 'relay_tempfail':
    case 'relay_permfail':
      return {
        type,
        event_id: decimalId(uniqueId, 'event'),
        customer_id: '1',
        relay_id: 'Example Relay Id',
        msg_from: 'sender@example.com',
        rcpt_to: 'recipient@relay.example.com',
        raw_rcpt_to: 'recipient@relay.example.com',
        timestamp,
        ...(type === 'relay_rejection' || type === 'relay_permfail'
          ? { reason: 'Relay webhook returned an error', raw_reason: '554 5.7.1 relay refused' }
          : {}),
      };
    case 'ab_test_completed':
    case 'ab_test_cancelled':
      return {
        type,
        event_id: decimalId(uniqueId, 'event'),
        customer_id: '1',
        subaccount_id: '101',
        timestamp,
        ab_test: {
          id: 'password-reset',
          name: 'Password Reset',
          version: 1,
          test_mode: 'bayesian',
          engagement_metric: 'count_unique_clicked',
        },
      };
    case 'success':
    case 'error':
      return {
        type,
        event_id: decimalId(uniqueId, 'event'),
        customer_id: '1',
        subaccount_id: '101',
        timestamp,
        batch_id: `${uniqueId}-batch`,
        number_succeeded: 500,
        number_failed: type === 'error' ? 50 : 0,
        number_duplicates: 0,
        ...(type === 'error' ? { error_type: 'validation', retryable: false } : {}),
      };
    default:
      return base;
  }
}

function simulate(input: SimulateInput) {
  checkEventName(sparkpostSimulator, input.eventName);
  const batch = batchSizeOf(input, sparkpostSimulator);
  const eventClass = EVENT_CLASSES.get(input.eventName) ?? 'message_event';
  const timestamp = String(Math.floor(input.now.getTime() / 1000));
  const entries = Array.from({ length: batch }, (_, index) => ({
    msys: { [eventClass]: simulatedEventBody(input, batchUniqueId(input.uniqueId, index), timestamp) },
  }));
  return {
    headers: {
      'content-type': 'application/json',
      'user-agent': 'SparkPost',
      'x-messagesystems-batch-id': decimalId(input.uniqueId, 'batch'),
    },
    body: Buffer.from(JSON.stringify(entries)),
  };
}

/** SparkPost webhooks, simulated. */
export const sparkpostSimulator: ProviderSimulator = {
  id: 'sparkpost',
  source: 'SparkPost webhook event types reference (samples); django-anymail tests/test_sparkpost_webhooks.py (captures)',
  events: [...EVENT_CLASSES.keys()],
  maxBatch: 1000,
  metadata: 'rcpt_meta',
  simulate,
};
