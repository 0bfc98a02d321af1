/**
 * Builds the requests `hookguard send` posts: a provider module's own `simulate`, signed with the configured key
 * exactly as the vendor signs, for an event named natively (`bounce`) or by its normalised type (`bounced`).
 */
import { randomUUID } from 'node:crypto';
import { type EventType, isEventType } from '../../lambda/core/event';
import { signedUrlsFor } from '../../lambda/core/pipeline';
import type { BasicCredentialSecret } from '../../lambda/core/secret-formats';
import type { ProviderSettings } from '../../lambda/core/settings';
import type { ProviderModule, SimulatedRequest, WebhookRequest } from '../../lambda/providers/types';
import { UsageError } from '../local/options';

/** The normalised types one simulated event produces (unsigned: only the payload matters here). */
export function simulatedEventTypes(
  module: ProviderModule,
  eventName: string,
  settings: ProviderSettings | undefined,
  now: Date,
): EventType[] {
  const simulated = module.simulate({ eventName, now, uniqueId: 'hookguard-event-type-probe' });
  const request: WebhookRequest = {
    provider: module.id,
    method: 'POST',
    headers: simulated.headers,
    body: simulated.body,
    receivedAt: now,
  };
  return module
    .parse(request)
    .events.flatMap((event) => module.normalise(event, request, settings).map((draft) => draft.eventType));
}

/**
 * The simulated events to send for `<event-type>`: the provider's native name (exact, then ignoring case), else
 * every simulated event whose normalised type is that type (the first one of them is sent).
 *
 * @throws {UsageError} listing the names the provider can simulate.
 */
export function selectSimulatedEvent(
  module: ProviderModule,
  eventType: string,
  settings: ProviderSettings | undefined,
  now: Date,
): string {
  const exact = module.simulatedEvents.find((name) => name === eventType);
  if (exact !== undefined) return exact;
  const folded = module.simulatedEvents.find((name) => name.toLowerCase() === eventType.toLowerCase());
  if (folded !== undefined) return folded;
  if (isEventType(eventType)) {
    const matching = module.simulatedEvents.find((name) =>
      simulatedEventTypes(module, name, settings, now).includes(eventType),
    );
    if (matching !== undefined) return matching;
  }
  throw new UsageError(
    `${module.displayName} has no simulated event "${eventType}"; use one of: ${module.simulatedEvents.join(', ')} ` +
      '(or a normalised type one of them maps to)',
  );
}

/** What to sign and authenticate with. */
export interface SigningMaterial {
  /** The key `simulate` signs with; absent: unsigned. */
  readonly signingKey?: string;
  /** The credential whose URL Mandrill signs (the one `send` authenticates with). */
  readonly credential?: BasicCredentialSecret;
}

/**
 * Builds one request for `eventName` with a fresh unique id (so it is a new event, not a duplicate).
 * For Mandrill the signed URL is the configured `signedUrl` with the credential inserted, exactly as the verifier
 * rebuilds it.
 */
export async function buildSimulatedRequest(
  module: ProviderModule,
  eventName: string,
  settings: ProviderSettings | undefined,
  material: SigningMaterial,
  now: Date,
  uniqueId: string = randomUUID(),
): Promise<SimulatedRequest> {
  let signedUrl: string | undefined;
  if (settings?.signedUrl !== undefined) {
    const credential = material.credential;
    const accepted = credential ? [{ version: 'send', stage: 'AWSCURRENT' as const, ...credential }] : [];
    [signedUrl] = await signedUrlsFor({ acceptedCredentials: async () => accepted }, settings.signedUrl);
  }
  return module.simulate({
    eventName,
    now,
    uniqueId,
    ...(material.signingKey === undefined ? {} : { signingKey: material.signingKey }),
    ...(signedUrl === undefined ? {} : { signedUrl }),
  });
}
