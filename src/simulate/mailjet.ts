/**
 * Mailjet Event API simulator.
 *
 * Source: Mailjet "Event API" guide (dev.mailjet.com/email/guides/webhooks/, one sample per event: `MessageID` a bare
 * 64-bit integer, `mj_message_id` a string on `sent`, `Payload` and `CustomID` as sent) and django-anymail's
 * tests/test_mailjet_webhooks.py captures. One object per POST, or an array with "group events" (Event API v2).
 */
import { batchSizeOf, batchUniqueId, checkEventName, type ProviderSimulator, type SimulateInput } from './types';

const SIMULATED_EVENTS: readonly string[] = ['sent', 'open', 'click', 'bounce', 'blocked', 'spam', 'unsub'];

/**
 * A Mailjet-style message id (17 digits, beyond 2^53 like real ones), derived from `uniqueId` so that two
 * simulations get different ids.
 */
function simulatedMessageId(uniqueId: string): string {
  let hash = 0n;
  for (const char of uniqueId) hash = (hash * 131n + BigInt(char.codePointAt(0) ?? 0)) % 90_000_000_000_000_000n;
  return (10_000_000_000_000_000n + hash).toString();
}

function simulatedEvent(input: SimulateInput, uniqueId: string): string {
  const { eventName: name, now } = input;
  const messageId = simulatedMessageId(uniqueId);
  const fields: Record<string, unknown> = {
    event: name,
    time: Math.floor(now.getTime() / 1000),
    MessageID: '__MESSAGE_ID__',
    Message_GUID: uniqueId,
    email: input.recipient ?? 'api@mailjet.com',
    mj_campaign_id: 7257,
    mj_contact_id: 4,
    customcampaign: 'spring-sale',
    CustomID: 'helloworld',
    Payload: JSON.stringify(input.metadata ?? { order_id: 'A-1001' }),
  };
  switch (name) {
    case 'sent':
      Object.assign(fields, {
        mj_message_id: messageId,
        smtp_reply: '250 2.0.0 OK 1433333948 fa5si855896wjc.199 - gsmtp',
      });
      break;
    case 'open':
    case 'click':
    case 'unsub':
      Object.assign(fields, {
        ip: '127.0.0.1',
        geo: 'US',
        agent: 'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0',
      });
      if (name === 'click') fields.url = 'https://mailjet.com';
      if (name === 'unsub') fields.mj_list_id = 1;
      break;
    case 'bounce':
      Object.assign(fields, {
        blocked: false,
        hard_bounce: true,
        error_related_to: 'recipient',
        error: 'user unknown',
        comment: 'Host or domain name not found',
      });
      break;
    case 'blocked':
      Object.assign(fields, { error_related_to: 'recipient', error: 'preblocked' });
      break;
    case 'spam':
      fields.source = 'JMRPP';
      break;
    default:
      break;
  }
  // Mailjet writes MessageID as a bare 64-bit integer, which JSON.stringify cannot produce from a number exactly.
  return JSON.stringify(fields).replace('"__MESSAGE_ID__"', messageId);
}

function simulate(input: SimulateInput) {
  checkEventName(mailjetSimulator, input.eventName);
  const batch = batchSizeOf(input, mailjetSimulator);
  const events = Array.from({ length: batch }, (_, index) => simulatedEvent(input, batchUniqueId(input.uniqueId, index)));
  // Without "group events" Mailjet posts one object; grouped, an array.
  const body = input.batch === undefined ? (events[0] ?? '') : `[${events.join(',')}]`;
  return { headers: { 'content-type': 'application/json' }, body: Buffer.from(body) };
}

/** Mailjet Event API webhooks, simulated. */
export const mailjetSimulator: ProviderSimulator = {
  id: 'mailjet',
  source: 'Mailjet Event API guide (samples); django-anymail tests/test_mailjet_webhooks.py (captures)',
  events: SIMULATED_EVENTS,
  maxBatch: 1000,
  metadata: 'Payload (JSON)',
  simulate,
};
