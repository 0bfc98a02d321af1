/**
 * Signing keys for the local secrets file: what a provider's dashboard would show, freshly generated, so that
 * `hookguard send` can sign requests exactly as the provider does and the runtime verifies them with the same code
 * as in AWS.
 */
import { randomBytes } from 'node:crypto';
import type { ProviderId } from '../../lambda/core/provider-ids';
import type { ProviderModule } from '../../lambda/providers/types';
import { SIMULATORS, type SimulationKeyPair } from '../simulate';
import { type LocalProviderSecrets, randomAlphanumeric } from './secrets-file';

const lowercaseAlphanumeric = (length: number): string =>
  randomAlphanumeric(length * 2)
    .toLowerCase()
    .slice(0, length);

/**
 * Shared-secret formats, as each vendor issues them: Standard Webhooks / Svix secrets are `whsec_` + base64 of 24
 * random bytes; Mandrill webhook keys are 22 URL-safe base64 characters; the rest are hex or alphanumeric strings
 * used as HMAC (or MD5, Unisender Go) keys verbatim.
 */
const SHARED_SECRET_FORMATS: Readonly<Partial<Record<ProviderId, () => string>>> = {
  resend: () => `whsec_${randomBytes(24).toString('base64')}`,
  'standard-webhooks': () => `whsec_${randomBytes(24).toString('base64')}`,
  mailgun: () => randomBytes(16).toString('hex'),
  mailtrap: () => randomBytes(16).toString('hex'),
  mailersend: () => randomAlphanumeric(32),
  mandrill: () => randomBytes(16).toString('base64url'),
  'unisender-go': () => lowercaseAlphanumeric(54),
};

/**
 * Generates the secrets-file entry of one provider: a key pair for asymmetric schemes (the public key is the
 * signing key the verifier accepts, the private key the simulation key `send` signs with; the provider's simulator
 * makes the pair), or a shared secret in
 * the vendor's format. Undefined when the provider signs nothing or, like Amazon SES (SNS certificates), needs no
 * key from us.
 */
export function generateProviderSecrets(
  module: ProviderModule,
  keyPairGenerator: (id: ProviderId) => (() => SimulationKeyPair) | undefined = (id) =>
    SIMULATORS.get(id)?.generateKeyPair,
): LocalProviderSecrets | undefined {
  if (!needsSigningKey(module)) return undefined;
  const generateKeyPair = keyPairGenerator(module.id);
  if (generateKeyPair) {
    const pair = generateKeyPair();
    return { signingKeys: [pair.verificationKey], simulationKey: pair.simulationKey };
  }
  const generate = SHARED_SECRET_FORMATS[module.id];
  return generate ? { signingKeys: [generate()] } : undefined;
}

/** Whether the operator must configure a signing key for a provider (it signs, with keys the operator holds). */
export function needsSigningKey(module: ProviderModule): boolean {
  return module.verify !== undefined && (module.usesSigningKeys ?? true);
}
