/**
 * Valid payloads of every provider (built by its simulator, unsigned) and the per-provider setup the hostile tests
 * and `scripts/hostile-input-check.ts` share: the JSON payload to mutate and how to turn it back into a request.
 */
import type { ProviderId } from '../../../lambda/core/provider-ids';
import { hmac } from '../../../lambda/providers/shared';
import { type ProviderSimulator, SIMULATORS } from '../../../src/simulate';
import { type ProviderSigningMaterial, type SignedPayload, signAsProvider } from './sign-as-provider';

/** The JSON payload a provider's simulated request carries (SES: the SNS Message; Mandrill: mandrill_events). */
export function payloadOf(module: ProviderSimulator, eventName: string, now: Date, uniqueId: string): unknown {
  const request = module.simulate({ eventName, now, uniqueId });
  const text = request.body.toString('utf8');
  if (module.id === 'amazon-ses') return JSON.parse((JSON.parse(text) as { Message: string }).Message);
  if (module.id === 'mandrill') return JSON.parse(new URLSearchParams(text).get('mandrill_events') ?? '[]');
  return JSON.parse(text);
}

/** Every provider's payloads, one per simulated event. */
export function allPayloads(now: Date): Array<{ provider: ProviderId; eventName: string; payload: unknown }> {
  return [...SIMULATORS.values()].flatMap((module) =>
    module.events.map((eventName) => ({
      provider: module.id,
      eventName,
      payload: payloadOf(module, eventName, now, `base-${module.id}-${eventName}`),
    })),
  );
}

/**
 * Mailgun signs `timestamp` + `token` inside the body: (re)signs that block in a payload (object), so mutations of
 * the event data keep a valid signature. Other payloads are returned unchanged.
 */
export function withMailgunSignature(provider: ProviderId, payload: unknown, key: string | undefined): unknown {
  if (provider !== 'mailgun' || key === undefined || typeof payload !== 'object' || payload === null) return payload;
  const block = (payload as { signature?: { timestamp?: unknown; token?: unknown } }).signature;
  if (typeof block?.timestamp !== 'string' || typeof block.token !== 'string') return payload;
  return {
    ...payload,
    signature: { ...block, signature: hmac('sha256', key, block.timestamp, block.token).toString('hex') },
  };
}

/** Signs payload bytes as `provider` (see `signAsProvider`). */
export function signedRequestFor(
  provider: ProviderId,
  bytes: Buffer,
  material: ProviderSigningMaterial,
  now: Date,
  uniqueId: string,
): SignedPayload {
  return signAsProvider(provider, bytes, material, now, uniqueId);
}
