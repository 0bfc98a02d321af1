/**
 * SendGrid Event Webhook simulator.
 *
 * Source: Twilio SendGrid "Event Webhook reference" (event examples per type) and the real captures replayed in
 * django-anymail's tests/test_sendgrid_webhooks.py. `smtp-id` appears only on the events of the sending side
 * (processed, dropped, deferred, delivered, bounce); engagement events (open, click, spamreport, unsubscribe, group
 * events) carry `sg_message_id` alone. `sg_message_id` is the send API's X-Message-Id followed by `.filter...` on
 * delivery-side and engagement events, the bare X-Message-Id on `processed`, and only the filter part on some
 * `dropped` events (as in anymail's captures).
 */
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { batchSizeOf, batchUniqueId, checkEventName, type ProviderSimulator, type SimulateInput } from './types';

const SIGNATURE_HEADER = 'x-twilio-email-event-webhook-signature';
const TIMESTAMP_HEADER = 'x-twilio-email-event-webhook-timestamp';
const DEFAULT_RECIPIENT = 'recipient@example.com';

/** A stable, id-shaped string for simulated payloads: the same `uniqueId` always yields the same id. */
function simulatedId(uniqueId: string, purpose: string, length: number): string {
  return createHash('sha256').update(`${purpose}:${uniqueId}`).digest('base64url').slice(0, length);
}

/** Event-specific fields of each simulated event, as SendGrid's Event Webhook reference shows them. */
const SIMULATED_FIELDS: ReadonlyMap<string, Readonly<Record<string, unknown>>> = new Map<
  string,
  Readonly<Record<string, unknown>>
>([
  ['processed', { send_at: 0, pool: { name: 'transactional', id: 210 } }],
  ['dropped', { reason: 'Bounced Address', status: '5.0.0' }],
  ['delivered', { ip: '168.1.1.1', response: '250 OK', tls: 1 }],
  ['deferred', { ip: '168.1.1.1', response: '400 try again later', attempt: '5', tls: 1 }],
  [
    'bounce',
    {
      ip: '168.1.1.1',
      reason: '550 5.1.1 The email account that you tried to reach does not exist',
      status: '5.1.1',
      tls: 1,
      type: 'bounce',
      bounce_classification: 'Invalid Address',
    },
  ],
  ['open', { ip: '255.255.255.255', useragent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)', sg_machine_open: false }],
  [
    'click',
    {
      ip: '255.255.255.255',
      useragent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)',
      url: 'https://www.example.com/welcome',
      url_offset: { index: 0, type: 'html' },
    },
  ],
  ['spamreport', {}],
  ['unsubscribe', {}],
  ['group_unsubscribe', { ip: '255.255.255.255', useragent: 'Mozilla/5.0', asm_group_id: 10 }],
  ['group_resubscribe', { ip: '255.255.255.255', useragent: 'Mozilla/5.0', asm_group_id: 10 }],
  ['account_status_change', { type: 'compliance_suspend' }],
]);

/** Events SendGrid's MTA reports: the only ones that carry `smtp-id`. */
const SMTP_ID_EVENTS: ReadonlySet<string> = new Set(['processed', 'dropped', 'deferred', 'delivered', 'bounce']);

function simulatedEvent(input: SimulateInput, uniqueId: string, seconds: number): Record<string, unknown> {
  const fields = SIMULATED_FIELDS.get(input.eventName) ?? {};
  const sgEventId = simulatedId(uniqueId, 'sg_event_id', 32);
  if (input.eventName === 'account_status_change') {
    return { event: input.eventName, sg_event_id: sgEventId, timestamp: seconds, ...fields };
  }
  // The X-Message-Id the send API returned for the request this message came from.
  const xMessageId = simulatedId(uniqueId, 'message', 22);
  const filter = 'filterdrecv-5bd8b7b7b9-xk7l2-1-6565B0C2-1.0';
  const sgMessageId =
    input.eventName === 'processed'
      ? xMessageId
      : input.eventName === 'dropped'
        ? `filter0093p1las1.9128.${xMessageId.slice(0, 10)}.0`
        : `${xMessageId}.${filter}`;
  return {
    email: input.recipient ?? DEFAULT_RECIPIENT,
    timestamp: seconds,
    ...(SMTP_ID_EVENTS.has(input.eventName) ? { 'smtp-id': `<${xMessageId}@ismtpd0001p1iad1.sendgrid.net>` } : {}),
    event: input.eventName,
    category: ['welcome'],
    sg_event_id: sgEventId,
    sg_message_id: sgMessageId,
    // Custom args are merged into the event at the top level.
    ...(input.metadata ?? { order_id: `order-${uniqueId}` }),
    ...fields,
  };
}

function simulate(input: SimulateInput) {
  checkEventName(sendgridSimulator, input.eventName);
  const batch = batchSizeOf(input, sendgridSimulator);
  const seconds = Math.floor(input.now.getTime() / 1000);
  const events = Array.from({ length: batch }, (_, index) =>
    simulatedEvent(input, batchUniqueId(input.uniqueId, index), seconds),
  );
  // SendGrid posts compact JSON followed by CRLF (as in its SDKs' signed test payloads).
  const body = Buffer.from(`${JSON.stringify(events)}\r\n`, 'utf8');
  const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'SendGrid Event API' };
  if (input.signingKey !== undefined) {
    const timestamp = String(seconds);
    const signature = sign('sha256', Buffer.concat([Buffer.from(timestamp, 'utf8'), body]), {
      key: input.signingKey,
      dsaEncoding: 'der',
    });
    headers[SIGNATURE_HEADER] = signature.toString('base64');
    headers[TIMESTAMP_HEADER] = timestamp;
  }
  return { headers, body };
}

/** SendGrid's signed Event Webhook, simulated. */
export const sendgridSimulator: ProviderSimulator = {
  id: 'sendgrid',
  source:
    'SendGrid Event Webhook reference (per-event examples); django-anymail tests/test_sendgrid_webhooks.py (captures)',
  events: [...SIMULATED_FIELDS.keys()],
  maxBatch: 1000,
  metadata: 'custom args merged into each event',
  simulate,
  /** A P-256 pair: the public key as the dashboard shows it (base64 SPKI DER), the private key as PKCS#8 PEM. */
  generateKeyPair() {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    return {
      verificationKey: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
      simulationKey: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    };
  },
};
