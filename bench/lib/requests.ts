/**
 * Builders for the inputs the provider modules take, so every figure calls them exactly as the pipeline does.
 */
import type { ProviderId } from '../../lambda/core/provider-ids';
import type { ProviderSettings } from '../../lambda/core/settings';
import type { CertificateSource, VerifyContext, WebhookRequest } from '../../lambda/providers/types';

/** Signature-checking settings for a benchmark (the larger body limit lets the 6 MB batch through). */
export function benchSettings(overrides: Partial<ProviderSettings> = {}): ProviderSettings {
  return { auth: 'signature', timestampToleranceSeconds: 300, maxBodyBytes: 8 * 1024 * 1024, ...overrides };
}

/** No provider benchmarked here uses SNS certificates; a call would be a wiring mistake, so it fails loudly. */
const noCertificates: CertificateSource = {
  certificate: () => Promise.reject(new Error('benchmarks fetch no certificates')),
};

/** The context a provider's `verify` gets from the pipeline. */
export function verifyContext(signingKeys: readonly string[], now: Date, settings = benchSettings()): VerifyContext {
  return { settings, signingKeys, signedUrls: [], now, certificates: noCertificates };
}

/** A received webhook request (header names lower-cased, as the pipeline guarantees). */
export function webhookRequest(
  provider: ProviderId,
  headers: Readonly<Record<string, string>>,
  body: Buffer,
  receivedAt: Date,
): WebhookRequest {
  const lower = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
  return { provider, method: 'POST', headers: lower, body, receivedAt };
}
