/**
 * The "HMAC-SHA256 of the raw body, lowercase hex, in one header" scheme shared by MailerSend (`Signature`) and
 * Mailtrap (`Mailtrap-Signature`). The key is the signing secret exactly as the provider's dashboard shows it, used
 * as UTF-8 bytes (neither provider hex- or base64-decodes it). Nothing else is signed: no timestamp, no URL.
 */
import { SignatureError } from '../errors';
import { header, hmac, safeEqual } from './shared';
import type { VerifyResult, WebhookRequest } from './types';

/** Exactly what both providers send: 32 bytes as 64 lowercase hex digits. */
const LOWER_HEX_SHA256 = /^[0-9a-f]{64}$/;

/** The signature a provider puts in its header for `body`: lowercase hex HMAC-SHA256 keyed with `secret`. */
export function hexHmacSha256(secret: string, body: Buffer): string {
  return hmac('sha256', secret, body).toString('hex');
}

/**
 * Verifies a lowercase-hex HMAC-SHA256 of the raw body carried in `headerName`, accepting any of `secrets`
 * (several during a rotation). Fails closed with a {@link SignatureError} whose reason names what was wrong but
 * never the signature or a key (no configured secret is such a failure too: nothing could verify).
 */
export function verifyHexHmacSha256(
  request: WebhookRequest,
  secrets: readonly string[],
  headerName: string,
): VerifyResult {
  const usable = secrets.filter((secret) => secret.length > 0);
  if (usable.length === 0) throw new SignatureError('no signing secret configured');
  const signature = header(request.headers, headerName);
  if (signature === null) throw new SignatureError(`Missing ${headerName} header`);
  // Anything but the exact encoding the provider sends (64 lowercase hex digits) is refused before comparing.
  if (!LOWER_HEX_SHA256.test(signature)) throw new SignatureError(`${headerName} is not 64 lowercase hex digits`);
  const received = Buffer.from(signature, 'hex');
  for (const secret of usable) {
    if (safeEqual(hmac('sha256', secret, request.body), received)) return {};
  }
  throw new SignatureError(`${headerName} matches none of the ${usable.length} configured signing secret(s)`);
}
