/**
 * Mandrill (Mailchimp Transactional) webhook simulator.
 *
 * Source: Mailchimp Transactional "Message Event Webhook Format", "Sync Event Webhook Format" and "Inbound Webhook
 * Format" (the documented sample batch), and django-anymail's tests/test_mandrill_webhooks.py captures. A form post
 * whose `mandrill_events` field holds a JSON array of up to 1000 events.
 */
import { hmac } from '../../lambda/providers/shared';
import { batchSizeOf, batchUniqueId, checkEventName, type ProviderSimulator, type SimulateInput } from './types';

const SIGNATURE_HEADER = 'x-mandrill-signature';
const EVENTS_FIELD = 'mandrill_events';
const MESSAGE_EVENTS = ['send', 'deferral', 'hard_bounce', 'soft_bounce', 'open', 'click', 'spam', 'unsub', 'reject'];
const SYNC_EVENTS = ['whitelist', 'blacklist'] as const;
const SIMULATED_EVENTS: readonly string[] = [...MESSAGE_EVENTS, 'inbound', ...SYNC_EVENTS];

/** One event shaped as in Mandrill's "Message Event Webhook Format" and sample batch, ids from `uniqueId`. */
function simulatedEvent(input: SimulateInput, uniqueId: string): Record<string, unknown> {
  const { eventName } = input;
  const ts = Math.floor(input.now.getTime() / 1000);
  const recipient = input.recipient ?? 'example.webhook@mandrillapp.com';
  if ((SYNC_EVENTS as readonly string[]).includes(eventName)) {
    const entry = {
      email: recipient,
      detail: eventName === 'blacklist' ? '550 mailbox does not exist' : 'Added manually',
      created_at: new Date(ts * 1000).toISOString().replace('T', ' ').slice(0, 19),
      ...(eventName === 'blacklist' ? { reason: 'hard-bounce', expired: false, subaccount: null, sender: null } : {}),
    };
    return { type: eventName, action: 'add', [eventName === 'blacklist' ? 'reject' : 'entry']: entry, ts };
  }
  if (eventName === 'inbound') {
    return {
      event: 'inbound',
      ts,
      msg: {
        raw_msg: `From: Sender <sender@example.com>\nTo: ${recipient}\nSubject: Hello\nMessage-Id: <${uniqueId}@example.com>\n\nHi`,
        headers: { Subject: 'Hello', 'Message-Id': `<${uniqueId}@example.com>` },
        text: 'Hi',
        from_email: 'sender@example.com',
        from_name: 'Sender',
        to: [[recipient, null]],
        email: recipient,
        subject: 'Hello',
        tags: [],
        sender: null,
      },
    };
  }
  const msg: Record<string, unknown> = {
    ts: ts - 60,
    subject: 'This an example webhook message',
    email: recipient,
    sender: 'example.sender@mandrillapp.com',
    tags: ['webhook-example'],
    opens: [],
    clicks: [],
    state: 'sent',
    metadata: input.metadata ?? { user_id: 111 },
    _id: uniqueId,
    _version: 'exampleaaaaaaaaaaaaaaa',
  };
  const event: Record<string, unknown> = { event: eventName, msg, _id: uniqueId, ts };
  switch (eventName) {
    case 'deferral':
      msg.state = 'deferred';
      msg.smtp_events = [
        {
          destination_ip: '127.0.0.1',
          diag: '451 4.3.5 Temporarily unavailable, try again later.',
          source_ip: '127.0.0.1',
          ts,
          type: 'deferred',
          size: 0,
        },
      ];
      break;
    case 'hard_bounce':
      Object.assign(msg, {
        state: 'bounced',
        bounce_description: 'bad_mailbox',
        bgtools_code: 10,
        diag: 'smtp;550 5.1.1 The email account that you tried to reach does not exist.',
      });
      break;
    case 'soft_bounce':
      Object.assign(msg, {
        state: 'soft-bounced',
        bounce_description: 'mailbox_full',
        bgtools_code: 22,
        diag: 'smtp;552 5.2.2 Over Quota',
      });
      break;
    case 'open':
    case 'click':
      msg.opens = [{ ts }];
      Object.assign(event, {
        ip: '127.0.0.1',
        location: {
          country_short: 'US',
          country: 'United States',
          region: 'Oklahoma',
          city: 'Oklahoma City',
          latitude: 35.4675598145,
          longitude: -97.5164337158,
          postal_code: '73101',
          timezone: '-05:00',
        },
        user_agent: 'Mozilla/5.0 (Macintosh; U; Intel Mac OS X 10.6; en-US; rv:1.9.1.8) Gecko/20100317 Postbox/1.1.3',
        user_agent_parsed: {
          type: 'Email Client',
          ua_family: 'Postbox',
          ua_name: 'Postbox 1.1.3',
          ua_version: '1.1.3',
          os_family: 'OS X',
          os_name: 'OS X 10.6 Snow Leopard',
          mobile: false,
        },
      });
      if (eventName === 'click') {
        msg.clicks = [{ ts, url: 'http://mandrill.com' }];
        event.url = 'http://mandrill.com';
      }
      break;
    case 'reject':
      msg.state = 'rejected';
      break;
    default:
      break;
  }
  return event;
}

function simulate(input: SimulateInput) {
  checkEventName(mandrillSimulator, input.eventName);
  const batch = batchSizeOf(input, mandrillSimulator);
  const events = JSON.stringify(
    Array.from({ length: batch }, (_, index) => simulatedEvent(input, batchUniqueId(input.uniqueId, index))),
  );
  const body = Buffer.from(new URLSearchParams({ [EVENTS_FIELD]: events }).toString());
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    'user-agent': 'Mandrill-Webhook/1.0',
  };
  if (input.signingKey !== undefined) {
    if (input.signedUrl === undefined) throw new Error('Simulating a signed Mandrill request needs signedUrl');
    headers[SIGNATURE_HEADER] = hmac('sha1', input.signingKey, input.signedUrl, `${EVENTS_FIELD}${events}`).toString(
      'base64',
    );
  }
  return { headers, body };
}


/** Mandrill webhooks, simulated. */
export const mandrillSimulator: ProviderSimulator = {
  id: 'mandrill',
  source:
    'Mailchimp Transactional message/sync/inbound webhook formats (sample batch); django-anymail tests/test_mandrill_webhooks.py',
  events: SIMULATED_EVENTS,
  maxBatch: 1000,
  metadata: 'msg.metadata',
  simulate,
};
