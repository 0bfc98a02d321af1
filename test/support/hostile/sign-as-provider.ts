/**
 * Signs an arbitrary payload exactly as each provider signs its webhooks, so hostile payloads (mutated from valid
 * simulated ones) get past the signature check and reach parsing, normalising and publishing. Used by the
 * property-based tests and by `scripts/hostile-input-check.ts` against a running `npm start`.
 *
 * The payload is given as the provider's JSON text: for Amazon SES the SES event inside the SNS `Message`, for
 * Mandrill the `mandrill_events` JSON, for every other provider the whole body.
 */
import { isUtf8 } from 'node:buffer';
import { createHash, createPrivateKey, sign } from 'node:crypto';
import type { ProviderId } from '../../../lambda/core/provider-ids';
import { SES_SIMULATOR_CERT_URL, SES_SIMULATOR_PRIVATE_KEY_PEM, SES_SIMULATOR_TOPIC_ARN } from '../../../src/simulate/amazon-ses-test-keys';
import { snsStringToSign } from '../../../lambda/providers/amazon-ses';
import { hmac } from '../../../lambda/providers/shared';

/** The key material a provider signs with: the shared secret, or the private key of asymmetric schemes. */
export interface ProviderSigningMaterial {
  /** The shared secret as the dashboard shows it (HMAC and MD5 schemes). */
  readonly sharedKey?: string;
  /** PEM private key (SendGrid ECDSA, Postal RSA). */
  readonly privateKey?: string;
  /** Mandrill: the URL it signs. */
  readonly signedUrl?: string;
}

/** A request ready to post: headers (lower-case names) and the exact body bytes. */
export interface SignedPayload {
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

const JSON_TYPE = { 'content-type': 'application/json' };

/** Standard Webhooks / Svix: base64 HMAC-SHA256 under the base64 secret after `whsec_`, over `id.timestamp.body`. */
function standardWebhook(prefix: 'webhook' | 'svix', key: string, body: Buffer, now: Date, id: string): SignedPayload {
  const timestamp = String(Math.floor(now.getTime() / 1000));
  const secret = Buffer.from(key.startsWith('whsec_') ? key.slice(6) : key, 'base64');
  const mac = hmac('sha256', secret, `${id}.${timestamp}.`, body).toString('base64');
  return {
    headers: { ...JSON_TYPE, [`${prefix}-id`]: id, [`${prefix}-timestamp`]: timestamp, [`${prefix}-signature`]: `v1,${mac}` },
    body,
  };
}

function required(value: string | undefined, what: string): string {
  if (value === undefined) throw new Error(`Signing needs ${what}`);
  return value;
}

/**
 * Builds and signs the request `provider` would post for `payload` (JSON text, see the module comment).
 * `payload` may be deliberately broken (invalid JSON, invalid UTF-8 bytes): it is signed as given.
 *
 * @param uniqueId makes per-request ids (SNS MessageId, webhook-id) differ between calls
 */
export function signAsProvider(
  provider: ProviderId,
  payload: Buffer,
  material: ProviderSigningMaterial,
  now: Date,
  uniqueId: string,
): SignedPayload {
  switch (provider) {
    case 'brevo':
    case 'mailjet':
    case 'postmark':
    case 'sparkpost':
    case 'mailgun':
      // Unsigned, or (Mailgun) a signature over timestamp + token inside the body, which the payload already has.
      return { headers: { ...JSON_TYPE }, body: payload };
    case 'mailersend':
      return { headers: { ...JSON_TYPE, signature: hmac('sha256', required(material.sharedKey, 'a key'), payload).toString('hex') }, body: payload };
    case 'mailtrap':
      return {
        headers: { ...JSON_TYPE, 'mailtrap-signature': hmac('sha256', required(material.sharedKey, 'a key'), payload).toString('hex') },
        body: payload,
      };
    case 'resend':
      return standardWebhook('svix', required(material.sharedKey, 'a key'), payload, now, `msg_${uniqueId}`);
    case 'standard-webhooks':
      return standardWebhook('webhook', required(material.sharedKey, 'a key'), payload, now, `msg_${uniqueId}`);
    case 'sendgrid': {
      const timestamp = String(Math.floor(now.getTime() / 1000));
      const signature = sign('sha256', Buffer.concat([Buffer.from(timestamp), payload]), {
        key: required(material.privateKey, 'a private key'),
        dsaEncoding: 'der',
      });
      return {
        headers: {
          ...JSON_TYPE,
          'x-twilio-email-event-webhook-signature': signature.toString('base64'),
          'x-twilio-email-event-webhook-timestamp': timestamp,
        },
        body: payload,
      };
    }
    case 'postal': {
      const privateKey = createPrivateKey(required(material.privateKey, 'a private key'));
      return {
        headers: { ...JSON_TYPE, 'x-postal-signature-256': sign('sha256', payload, privateKey).toString('base64') },
        body: payload,
      };
    }
    case 'unisender-go': {
      // `auth` is MD5 of the body with the API key in its place; the placeholder is swapped for the digest after.
      const key = required(material.sharedKey, 'a key');
      const placeholder = '00000000000000000000000000000000';
      const text = payload.toString('latin1');
      const withAuth = text.startsWith('{') ? `{"auth":"${placeholder}",${text.slice(1)}` : text;
      const bytes = Buffer.from(withAuth, 'latin1');
      const at = bytes.indexOf(`"${placeholder}"`);
      if (at < 0) return { headers: { ...JSON_TYPE }, body: bytes };
      const keyed = Buffer.concat([bytes.subarray(0, at + 1), Buffer.from(key), bytes.subarray(at + 1 + placeholder.length)]);
      const auth = createHash('md5').update(keyed).digest('hex');
      return {
        headers: { ...JSON_TYPE },
        body: Buffer.concat([bytes.subarray(0, at + 1), Buffer.from(auth), bytes.subarray(at + 1 + placeholder.length)]),
      };
    }
    case 'mandrill': {
      const key = required(material.sharedKey, 'a key');
      const url = required(material.signedUrl, 'the signed URL');
      // Form-encode the raw bytes (invalid UTF-8 included) as %XX escapes, then sign what Mandrill signs.
      const encoded = [...payload].map((byte) => (isUnreserved(byte) ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
      const signature = hmac('sha1', key, url, 'mandrill_events', payload).toString('base64');
      return {
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-mandrill-signature': signature },
        body: Buffer.from(`mandrill_events=${encoded}`, 'latin1'),
      };
    }
    case 'amazon-ses': {
      // SNS signs the Message as text: bytes that are not UTF-8 are spliced into the signed envelope afterwards.
      const utf8 = isUtf8(payload);
      const message: Record<string, string> = {
        Type: 'Notification',
        MessageId: `sns-${uniqueId}`,
        TopicArn: SES_SIMULATOR_TOPIC_ARN,
        Message: utf8 ? payload.toString('utf8') : 'INVALID-UTF8-HERE',
        Timestamp: now.toISOString(),
        SignatureVersion: '2',
      };
      const signature = sign('sha256', Buffer.from(snsStringToSign(message) ?? '', 'utf8'), SES_SIMULATOR_PRIVATE_KEY_PEM);
      const envelope = { ...message, Signature: signature.toString('base64'), SigningCertURL: SES_SIMULATOR_CERT_URL };
      let body = Buffer.from(JSON.stringify(envelope), 'utf8');
      if (!utf8) {
        const at = body.indexOf('INVALID-UTF8-HERE');
        body = Buffer.concat([body.subarray(0, at), Buffer.from([0xff, 0xfe]), body.subarray(at + 17)]);
      }
      return {
        headers: {
          'content-type': 'text/plain; charset=UTF-8',
          'x-amz-sns-message-type': 'Notification',
          'x-amz-sns-message-id': message.MessageId as string,
          'x-amz-sns-topic-arn': SES_SIMULATOR_TOPIC_ARN,
        },
        body,
      };
    }
  }
}

function isUnreserved(byte: number): boolean {
  return (
    (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a) || byte === 0x2d || byte === 0x2e || byte === 0x5f || byte === 0x7e
  );
}
