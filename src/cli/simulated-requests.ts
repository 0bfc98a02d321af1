/**
 * Builds the requests `hookguard send` posts: the provider's simulator (src/simulate), signed with the configured key
 * exactly as the vendor signs, for an event named natively (`bounce`) or by its normalised type (`bounced`).
 */
import { randomUUID } from 'node:crypto';
import { type EventType, isEventType } from '../../lambda/core/event';
import { signedUrlsFor } from '../../lambda/core/pipeline';
import type { BasicCredentialSecret } from '../../lambda/core/secret-formats';
import type { ProviderSettings } from '../../lambda/core/settings';
import type { ProviderModule, WebhookRequest } from '../../lambda/providers/types';
import { UsageError } from '../local/options';
import type { ProviderSimulator, SimulatedRequest, SimulateInput } from '../simulate';

/** The normalised types one simulated event produces (unsigned: only the payload matters here). */
export function simulatedEventTypes(
  module: ProviderModule,
  simulator: ProviderSimulator,
  eventName: string,
  settings: ProviderSettings | undefined,
  now: Date,
): EventType[] {
  const simulated = simulator.simulate({ eventName, now, uniqueId: 'hookguard-event-type-probe' });
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
  simulator: ProviderSimulator,
  eventType: string,
  settings: ProviderSettings | undefined,
  now: Date,
): string {
  const exact = simulator.events.find((name) => name === eventType);
  if (exact !== undefined) return exact;
  const folded = simulator.events.find((name) => name.toLowerCase() === eventType.toLowerCase());
  if (folded !== undefined) return folded;
  if (isEventType(eventType)) {
    const matching = simulator.events.find((name) =>
      simulatedEventTypes(module, simulator, name, settings, now).includes(eventType),
    );
    if (matching !== undefined) return matching;
  }
  throw new UsageError(
    `${module.displayName} has no simulated event "${eventType}"; use one of: ${simulator.events.join(', ')} ` +
      '(or a normalised type one of them maps to)',
  );
}

/** What the simulated payload should carry instead of the example's (`send --recipient`, `--metadata`, `--batch`). */
export type PayloadOptions = Pick<SimulateInput, 'recipient' | 'metadata' | 'batch'>;

/** What to sign and authenticate with. */
export interface SigningMaterial {
  /** The key `simulate` signs with; absent: unsigned. */
  readonly signingKey?: string;
  /** The credential whose URL Mandrill signs (the one `send` authenticates with). */
  readonly credential?: BasicCredentialSecret;
  /** The path token of the URL posted to: Mandrill signs the URL with it (`withPathToken`). @default null */
  readonly pathToken?: string | null;
}

/**
 * Builds one request for `eventName` with a fresh unique id (so it is a new event, not a duplicate).
 * For Mandrill the signed URL is the configured `signedUrl` with the credential inserted, exactly as the verifier
 * rebuilds it.
 */
export async function buildSimulatedRequest(
  simulator: ProviderSimulator,
  eventName: string,
  settings: ProviderSettings | undefined,
  material: SigningMaterial,
  now: Date,
  uniqueId: string = randomUUID(),
  payload: PayloadOptions = {},
): Promise<SimulatedRequest> {
  let signedUrl: string | undefined;
  if (settings?.signedUrl !== undefined) {
    const credential = material.credential;
    const accepted = credential ? [{ version: 'send', stage: 'AWSCURRENT' as const, ...credential }] : [];
    [signedUrl] = await signedUrlsFor(
      { acceptedCredentials: async () => accepted },
      settings.signedUrl,
      material.pathToken,
    );
  }
  return simulator.simulate({
    ...payload,
    eventName,
    now,
    uniqueId,
    ...(material.signingKey === undefined ? {} : { signingKey: material.signingKey }),
    ...(signedUrl === undefined ? {} : { signedUrl }),
  });
}
