/**
 * What a provider's signing key looks like, checked before `hookguard keys set` writes it, so a key pasted into
 * the wrong provider (or a private key where the public one belongs) is refused at once instead of every webhook
 * failing its signature check later. Messages name the provider and the expected form, never the key.
 *
 * The forms are the ones each provider module's `verify` accepts (lambda/providers/<id>.ts) and the dashboards
 * issue (`src/local/signing-keys.ts` generates the same forms locally).
 */
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import type { ProviderId } from '../../lambda/core/provider-ids';
import { parsePostalKey } from '../../lambda/providers/postal';
import { decodeBase64Strict } from '../../lambda/providers/shared';
import { decodeStandardWebhookSecret } from '../../lambda/providers/standard-webhooks-signature';
import type { ProviderModule } from '../../lambda/providers/types';
import { needsSigningKey } from '../local/signing-keys';

/** A public key given as PEM or as the bare base64 SPKI DER dashboards show; null when it is neither. */
function publicKeyOf(text: string): KeyObject | null {
  const trimmed = text.trim();
  try {
    if (trimmed.startsWith('-----BEGIN')) return trimmed.includes('PRIVATE KEY') ? null : createPublicKey(trimmed);
    const der = decodeBase64Strict(trimmed.replace(/\s+/g, ''));
    return der === null ? null : createPublicKey({ key: der, format: 'der', type: 'spki' });
  } catch {
    return null;
  }
}

/** A shared secret: printable ASCII without spaces, at least 8 characters (every vendor's are 16 or more). */
function sharedSecretProblem(key: string, what: string): string | null {
  if (!/^[\x21-\x7e]+$/.test(key)) return `must be ${what}: printable characters without spaces`;
  if (key.length < 8) return `must be ${what}: at least 8 characters`;
  return null;
}

const SHARED_SECRET_NAMES: Readonly<Partial<Record<ProviderId, string>>> = {
  mailgun: 'the HTTP webhook signing key (Sending > Webhooks)',
  mailtrap: "the webhook's signing secret",
  mailersend: "the webhook's signing secret",
  mandrill: "the webhook's key (Settings > Webhooks)",
  'unisender-go': 'the API key',
};

/**
 * Why a key cannot be a signing key of a provider, or null when it has the provider's form.
 *
 * @example
 * keyFormatProblem(sendgridModule, 'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE...'); // null
 */
export function keyFormatProblem(module: ProviderModule, key: string): string | null {
  if (!needsSigningKey(module)) {
    return module.verify === undefined
      ? `${module.displayName} signs nothing: Basic credentials (and the WAF) authenticate it, so it takes no signing key`
      : `${module.displayName} needs no signing key: each message names its own certificate`;
  }
  if (key.trim() === '') return 'must not be empty';
  switch (module.id) {
    case 'sendgrid': {
      if (/PRIVATE KEY/.test(key)) return 'must be the public verification key, not a private key';
      const parsed = publicKeyOf(key);
      return parsed?.asymmetricKeyType === 'ec' && parsed.asymmetricKeyDetails?.namedCurve === 'prime256v1'
        ? null
        : 'must be the Signed Event Webhook verification key: an ECDSA P-256 public key, base64 (as the dashboard shows it) or PEM';
    }
    case 'postal':
      if (/PRIVATE KEY/.test(key)) return 'must be the public signing key, not a private key';
      return parsePostalKey(key) === null
        ? "must be the server's RSA public signing key, base64 (as in its DNS record) or PEM"
        : null;
    case 'resend':
    case 'standard-webhooks':
      return decodeStandardWebhookSecret(key) === null ? 'must be the signing secret: whsec_ followed by base64' : null;
    default:
      return sharedSecretProblem(key, SHARED_SECRET_NAMES[module.id] ?? 'the signing secret');
  }
}

/**
 * A fingerprint that identifies a key without revealing it: the first 12 hex digits of its SHA-256. For public
 * keys the key is public anyway; for shared secrets 48 bits of a hash give nothing usable away.
 */
export function keyFingerprint(key: string): string {
  return `sha256:${createHash('sha256').update(key.trim(), 'utf8').digest('hex').slice(0, 12)}`;
}
