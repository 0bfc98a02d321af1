/**
 * The whole pipeline over every real provider module with in-memory ports, keys generated per run, and signing
 * material to sign hostile payloads with. Shared by the property-based and regression tests of issue 11.
 */
import { contractViolations } from '../../../lambda/core/contract';
import { createWebhookProcessor, type WebhookProcessor } from '../../../lambda/core/pipeline';
import type { ProviderId } from '../../../lambda/core/provider-ids';
import type { ProviderSettings, RuntimeSettings } from '../../../lambda/core/settings';
import { PROVIDERS } from '../../../lambda/providers';
import { SES_SIMULATOR_CERT_PEM, SES_SIMULATOR_CERT_URL, SES_SIMULATOR_TOPIC_ARN } from '../../../src/simulate/amazon-ses-test-keys';
import type { WebhookRequest } from '../../../lambda/providers/types';
import { generateProviderSecrets } from '../../../src/local/signing-keys';
import { FakeCertificates, FakeSigningKeys, type FakeWorld, fakeWorld, NOW } from '../../fixtures/verifier/fakes';
import { HOSTILE_MARKER } from './mutations';
import { withMailgunSignature } from './provider-payloads';
import type { ProviderSigningMaterial } from './sign-as-provider';
import { signAsProvider } from './sign-as-provider';

export const MANDRILL_SIGNED_URL = 'https://hooks.example.com/webhooks/mandrill';

/** Every provider enabled, verified by its signature alone (the Basic check is the authorizer's, not the pipeline's). */
export function hostileSettings(): RuntimeSettings {
  const providers: Partial<Record<ProviderId, ProviderSettings>> = {};
  for (const module of PROVIDERS.values()) {
    providers[module.id] = {
      auth: module.verify ? 'signature' : 'basic',
      timestampToleranceSeconds: module.defaultTimestampToleranceSeconds ?? 0,
      maxBodyBytes: 4 * 1024 * 1024,
      ...(module.id === 'mandrill' ? { signedUrl: MANDRILL_SIGNED_URL } : {}),
      ...(module.id === 'amazon-ses' ? { snsTopicArns: [SES_SIMULATOR_TOPIC_ARN] } : {}),
      ...(module.id === 'standard-webhooks'
        ? { eventTypeMap: { 'email.sent': 'sent', 'email.delivered': 'delivered', 'email.bounced': 'bounced' } }
        : {}),
    };
  }
  return { providers, dedupeWindowSeconds: 7 * 24 * 3600, claimLeaseSeconds: 60 };
}

/** A world plus what is needed to sign as each provider. */
export interface HostileWorld extends FakeWorld {
  readonly process: WebhookProcessor;
  readonly material: Readonly<Partial<Record<ProviderId, ProviderSigningMaterial>>>;
  /** Signs `bytes` as `provider` and builds the request. */
  request(provider: ProviderId, bytes: Buffer, uniqueId: string): WebhookRequest;
  /** The payload with Mailgun's in-body signature block signed with this world's key. */
  signedPayload(provider: ProviderId, payload: unknown): unknown;
}

export function hostileWorld(): HostileWorld {
  const keys: Partial<Record<ProviderId, string[]>> = {};
  const material: Partial<Record<ProviderId, ProviderSigningMaterial>> = {};
  for (const module of PROVIDERS.values()) {
    const secrets = generateProviderSecrets(module);
    if (secrets) keys[module.id] = [...secrets.signingKeys];
    material[module.id] = {
      ...(secrets && !secrets.simulationKey ? { sharedKey: secrets.signingKeys[0] } : {}),
      ...(secrets?.simulationKey ? { privateKey: secrets.simulationKey } : {}),
      ...(module.id === 'mandrill' ? { signedUrl: MANDRILL_SIGNED_URL } : {}),
    };
  }
  const world = fakeWorld({
    providers: PROVIDERS,
    settings: hostileSettings(),
    signingKeys: new FakeSigningKeys(keys),
    certificates: new FakeCertificates({ [SES_SIMULATOR_CERT_URL]: SES_SIMULATOR_CERT_PEM }),
  });
  return {
    ...world,
    process: createWebhookProcessor(world.deps),
    material,
    request(provider, bytes, uniqueId) {
      const signed = signAsProvider(provider, bytes, material[provider] ?? {}, NOW, uniqueId);
      return { provider, method: 'POST', headers: signed.headers, body: signed.body, receivedAt: NOW };
    },
    signedPayload(provider, payload) {
      return withMailgunSignature(provider, payload, material[provider]?.sharedKey);
    },
  };
}

/** What one request did, checked against the properties of issue 11 section 1 and 2. */
export interface HostileRun {
  readonly status: number;
  readonly problems: string[];
}

/**
 * Sends one request and checks: no 5xx (the ports are healthy), nothing published on a non-200 answer, every
 * published detail satisfies the contract, and neither the answer nor any log line quotes the marker.
 */
export async function runHostile(world: HostileWorld, request: WebhookRequest): Promise<HostileRun> {
  const publishedBefore = world.bus.accepted.length;
  const logsBefore = world.logger.entries.length;
  const { response } = await world.process(request);
  const problems: string[] = [];
  const published = world.bus.accepted.slice(publishedBefore);
  if (response.statusCode >= 500) problems.push(`answered ${response.statusCode}: ${response.body}`);
  if (response.statusCode !== 200 && published.length > 0) {
    problems.push(`published ${published.length} events on a ${response.statusCode}`);
  }
  for (const entry of published) {
    const detail: unknown = JSON.parse(entry.detail);
    const violations = contractViolations(detail);
    if (violations.length > 0) problems.push(`published a detail violating the contract: ${violations.join(', ')}`);
    if ((detail as { provider?: unknown }).provider !== request.provider) problems.push('published under another provider');
  }
  if (response.body.includes(HOSTILE_MARKER)) problems.push(`the answer quotes the request: ${response.body}`);
  // Messages and the error texts attached to them; ids in structured fields (eventId) are for tracing, not text.
  const texts = world.logger.entries
    .slice(logsBefore)
    .map(({ message, fields }) => [message, fields.errorMessage, fields.reason, fields.causeMessage].join(' | '));
  const quoting = texts.find((text) => text.includes(HOSTILE_MARKER));
  if (quoting !== undefined) problems.push(`a log message quotes the request: ${quoting.slice(0, 300)}`);
  return { status: response.statusCode, problems };
}
