/**
 * Postal webhook simulator.
 *
 * Source: Postal's webhook documentation (docs.postalserver.io, "Webhooks": event names and payloads) and its source
 * (app/lib/webhook payloads: `message` objects with integer `id`, `direction`, float `timestamp`), cross-checked with
 * django-anymail's tests/test_postal_webhooks.py captures. One event per POST; no sender metadata.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import { postalKeyId } from '../../lambda/providers/postal';
import { simulatedNumber, simulatedUuid } from './ids';
import { batchSizeOf, checkEventName, type ProviderSimulator, type SimulateInput } from './types';

const SIGNATURE_256_HEADER = 'x-postal-signature-256';
const SIGNATURE_SHA1_HEADER = 'x-postal-signature';
const KEY_ID_HEADER = 'x-postal-signature-kid';

const SIMULATED_EVENTS: readonly string[] = [
  'MessageSent',
  'MessageDelayed',
  'MessageDeliveryFailed',
  'MessageHeld',
  'MessageBounced',
  'MessageLinkClicked',
  'MessageLoaded',
  'DomainDNSError',
  'SendLimitApproaching',
  'SendLimitExceeded',
];

/** Postal's `message` object for a simulated event. */
function simulatedMessage(input: SimulateInput, seconds: number): Record<string, unknown> {
  const id = simulatedNumber(input.uniqueId, 'postal message');
  return {
    id,
    token: simulatedUuid(input.uniqueId, 'postal token').slice(0, 8),
    direction: 'outgoing',
    message_id: `${simulatedUuid(input.uniqueId, 'postal message-id')}@mail.example.com`,
    to: input.recipient ?? 'recipient@example.com',
    from: 'sender@example.com',
    subject: 'Welcome to Example',
    timestamp: seconds - 2.5,
    spam_status: 'NotChecked',
    tag: 'welcome',
  };
}

const SERVER = {
  uuid: '54529725-8807-4069-ab29-a3746c1bbd98',
  name: 'Example',
  permalink: 'example',
  organization: 'acme',
};
const BROWSER = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/128.0';

/** The payload Postal sends for each event (shapes from Postal's webhook documentation and source). */
function simulatedPayload(input: SimulateInput, seconds: number): Record<string, unknown> {
  const message = simulatedMessage(input, seconds);
  const delivery = (status: string, details: string, output: string) => ({
    message,
    status,
    details,
    output,
    sent_with_ssl: true,
    timestamp: seconds,
    time: 0.22,
  });
  switch (input.eventName) {
    case 'MessageSent':
      return delivery('Sent', 'Message sent by SMTP to mx.example.com (192.0.2.25)', '250 2.0.0 OK queued as 4Xyz');
    case 'MessageDelayed':
      return delivery('SoftFail', 'Temporary SMTP delivery error; will retry', '451 4.7.1 Greylisted, try again later');
    case 'MessageDeliveryFailed':
      return delivery('HardFail', 'Permanent SMTP delivery error', '550 5.1.1 User unknown');
    case 'MessageHeld':
      return delivery('Held', 'Credential is configured to hold all messages sent through it', '');
    case 'MessageBounced':
      return {
        original_message: message,
        bounce: {
          ...message,
          id: simulatedNumber(input.uniqueId, 'postal bounce'),
          direction: 'incoming',
          to: 'bounces@psrp.mail.example.com',
          from: 'postmaster@example.com',
          subject: 'Delivery Status Notification (Failure)',
          tag: null,
        },
      };
    case 'MessageLinkClicked':
      return {
        url: 'https://example.com/welcome',
        token: simulatedUuid(input.uniqueId, 'postal link').slice(0, 8),
        ip_address: '192.0.2.42',
        user_agent: BROWSER,
        message,
      };
    case 'MessageLoaded':
      return { ip_address: '192.0.2.42', user_agent: BROWSER, message };
    case 'DomainDNSError':
      return {
        domain: 'example.com',
        uuid: simulatedUuid(input.uniqueId, 'postal domain'),
        dns_checked_at: seconds,
        spf_status: 'OK',
        spf_error: null,
        dkim_status: 'Invalid',
        dkim_error: 'The DKIM record at example.com does not match the record we have provided.',
        mx_status: 'OK',
        mx_error: null,
        return_path_status: 'OK',
        return_path_error: null,
        server: SERVER,
      };
    case 'SendLimitApproaching':
      return { server: SERVER, volume: 900, limit: 1000 };
    default:
      return { server: SERVER, volume: 1001, limit: 1000 };
  }
}


function simulate(input: SimulateInput) {
  checkEventName(postalSimulator, input.eventName);
  batchSizeOf(input, postalSimulator);
  const seconds = input.now.getTime() / 1000;
  const webhook = {
    event: input.eventName,
    timestamp: seconds,
    payload: simulatedPayload(input, seconds),
    uuid: simulatedUuid(input.uniqueId, 'postal webhook'),
  };
  const body = Buffer.from(JSON.stringify(webhook), 'utf8');
  const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'Postal/3.3.4' };
  if (input.signingKey !== undefined) {
    const privateKey = createPrivateKey(input.signingKey);
    headers[KEY_ID_HEADER] = postalKeyId(createPublicKey(privateKey));
    headers[SIGNATURE_SHA1_HEADER] = sign('sha1', body, privateKey).toString('base64');
    headers[SIGNATURE_256_HEADER] = sign('sha256', body, privateKey).toString('base64');
  }
  return { headers, body };
}


/** Postal webhooks, simulated. */
export const postalSimulator: ProviderSimulator = {
  id: 'postal',
  source: 'Postal webhook documentation and source (payloads); django-anymail tests/test_postal_webhooks.py (captures)',
  events: SIMULATED_EVENTS,
  maxBatch: 1,
  metadata: null,
  simulate,
  generateKeyPair() {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    return {
      // Postal shows (and publishes in DNS as p=) the SPKI DER in base64, without PEM armour.
      verificationKey: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
      simulationKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    };
  },
};
