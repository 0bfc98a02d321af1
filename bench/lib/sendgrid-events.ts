/**
 * Realistic SendGrid event batches, signed as SendGrid signs them, for the batch, memory and load figures.
 *
 * The events follow SendGrid's Event Webhook reference (field names, per-type fields, a realistic mix of types:
 * mostly processed/delivered/open, some clicks, few bounces and complaints), about 300 bytes each.
 */
import { createPrivateKey, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';

/** SendGrid's signature headers. */
export const SENDGRID_SIGNATURE_HEADER = 'x-twilio-email-event-webhook-signature';
export const SENDGRID_TIMESTAMP_HEADER = 'x-twilio-email-event-webhook-timestamp';

/** Cumulative weights of the event types in a typical SendGrid stream. */
const MIX: ReadonlyArray<readonly [string, number]> = [
  ['processed', 0.28],
  ['delivered', 0.56],
  ['open', 0.76],
  ['click', 0.84],
  ['deferred', 0.88],
  ['bounce', 0.91],
  ['dropped', 0.93],
  ['spamreport', 0.95],
  ['unsubscribe', 0.97],
  ['group_unsubscribe', 0.99],
  ['group_resubscribe', 1],
];

const DOMAINS = ['example.com', 'example.org', 'mail.example.net', 'customer.example'];
const CATEGORIES = ['invoice', 'newsletter', 'password-reset', 'welcome', 'order-update'];
const USER_AGENT = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15';

/** A deterministic pseudo-random sequence (mulberry32), so batches are the same on every run. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(items: readonly T[], next: () => number): T {
  return items[Math.floor(next() * items.length)] as T;
}

/**
 * `count` SendGrid events whose `sg_event_id`s are unique for a given `uniquePrefix` (use a fresh prefix per
 * request when events must be distinct), timestamps around `epochSeconds`.
 */
export function sendgridEvents(count: number, uniquePrefix: string, epochSeconds: number, seed = 1): object[] {
  const next = random(seed);
  const events: object[] = [];
  for (let i = 0; i < count; i++) {
    const roll = next();
    const type = (MIX.find(([, weight]) => roll < weight) ?? MIX[0])?.[0] as string;
    const message = Math.floor(next() * 1e9).toString(36);
    const email = `user${Math.floor(next() * 100000)}@${pick(DOMAINS, next)}`;
    const base: Record<string, unknown> = {
      email,
      timestamp: epochSeconds - Math.floor(next() * 600),
      'smtp-id': `<${message}@ismtpd0039p1iad1.sendgrid.net>`,
      event: type,
      category: [pick(CATEGORIES, next)],
      sg_event_id: `${uniquePrefix}-${i.toString(36)}-${type}`,
      sg_message_id: `${message}.filterdrecv-p3mdw1-756b745b58-kmzbl-18-5F5FC76C-9.0`,
    };
    switch (type) {
      case 'delivered':
        Object.assign(base, { tls: 1, ip: '167.89.101.76' });
        break;
      case 'deferred':
        Object.assign(base, { response: '421 4.7.0 Try again later, closing connection.', attempt: '3', tls: 1 });
        break;
      case 'bounce':
        Object.assign(base, {
          reason: '550 5.1.1 The email account that you tried to reach does not exist.',
          status: '5.1.1',
          type: 'bounce',
          bounce_classification: 'Invalid Address',
        });
        break;
      case 'dropped':
        Object.assign(base, { reason: 'Bounced Address', status: '5.0.0' });
        break;
      case 'open':
        Object.assign(base, { useragent: USER_AGENT, ip: '203.0.113.42', sg_machine_open: false });
        break;
      case 'click':
        Object.assign(base, {
          useragent: USER_AGENT,
          ip: '203.0.113.42',
          url: 'https://acme.example/orders/481?utm_source=email',
          url_offset: { index: 0, type: 'html' },
        });
        break;
      case 'group_unsubscribe':
      case 'group_resubscribe':
        Object.assign(base, { asm_group_id: 10 });
        break;
      default:
        break;
    }
    events.push(base);
  }
  return events;
}

/** A SendGrid signing key pair: the public key as SendGrid's dashboard shows it (base64 SPKI DER). */
export interface SendgridKeyPair {
  readonly verificationKey: string;
  readonly privateKey: KeyObject;
  /** PKCS#8 PEM of the private key, to hand to another process. */
  readonly privateKeyPem: string;
}

/** A fresh P-256 key pair in SendGrid's formats. */
export function sendgridKeyPair(): SendgridKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return {
    verificationKey: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
    privateKey,
    privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
  };
}

/** A private key from its PEM (in a second process). */
export function privateKeyFromPem(pem: string): KeyObject {
  return createPrivateKey(pem);
}

/** A signed SendGrid request: body as SendGrid posts it (compact JSON array + CRLF) and its signature headers. */
export function signedSendgridRequest(
  events: readonly object[],
  privateKey: KeyObject,
  epochSeconds: number,
): { readonly headers: Record<string, string>; readonly body: Buffer } {
  const body = Buffer.from(`${JSON.stringify(events)}\r\n`, 'utf8');
  const timestamp = String(epochSeconds);
  const signature = sign('sha256', Buffer.concat([Buffer.from(timestamp), body]), privateKey).toString('base64');
  return {
    headers: {
      'content-type': 'application/json',
      [SENDGRID_SIGNATURE_HEADER]: signature,
      [SENDGRID_TIMESTAMP_HEADER]: timestamp,
    },
    body,
  };
}
