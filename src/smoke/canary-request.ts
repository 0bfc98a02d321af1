/**
 * Canary requests: what `hookguard smoke` (and the scheduled canary built on it) posts to prove a stage end to end.
 * A realistic provider request from the provider's simulator, signed as the provider signs it, with the canary mark
 * of `lambda/core/canary.ts` over its exact body, and the normalised events it must publish, to find them again
 * on the bus. Pure apart from the simulators' crypto; no I/O.
 */
import { basicAuthorizationHeader } from '../../lambda/core/basic-auth';
import { CANARY_HEADER, type CanaryEventIdentity, canaryEventKey, canaryTag } from '../../lambda/core/canary';
import { completeEvent, type NormalisedEvent } from '../../lambda/core/event';
import { signedUrlsFor } from '../../lambda/core/pipeline';
import type { ProviderSettings } from '../../lambda/core/settings';
import { webhookPath } from '../../lambda/core/webhook-path';
import type { ProviderModule, WebhookRequest } from '../../lambda/providers/types';
import type { ProviderSimulator, SimulatedRequest } from '../simulate';

/**
 * Recipient of every canary event: `.invalid` is reserved (RFC 2606), so no real message is ever addressed to it.
 * A convenience for people reading logs; what marks a canary is the header, never this address.
 */
export const CANARY_RECIPIENT = 'canary@hookguard.invalid';

/** What {@link buildCanaryRequest} needs. */
export interface CanaryRequestInput {
  /** The provider's module (to compute the events the verifier will publish). */
  readonly module: ProviderModule;
  /** The provider's simulator (builds and signs the request as the provider would). */
  readonly simulator: ProviderSimulator;
  /** The provider's runtime settings (auth mode, Mandrill's signed URL, Standard Webhooks' type map). */
  readonly settings: ProviderSettings;
  /** The stage's current Basic credential: Basic auth (unless the route is `signature`) and the key of the mark. */
  readonly credential: { readonly username: string; readonly password: string };
  /** The key the provider signs with (HMAC secret, or the private key of an asymmetric scheme); absent: unsigned. */
  readonly signingKey?: string;
  readonly now: Date;
  /** Unique per run: makes the canary a new event (never a duplicate of an earlier run). */
  readonly runId: string;
  /**
   * The stage's path token (`webhook-path.ts`): the request goes to `/webhooks/<token>/<provider>`, and Mandrill's
   * signed URL carries it.
   * @default null (the stage has none: `/webhooks/<provider>`)
   */
  readonly pathToken?: string | null;
  /**
   * Recipient of the simulated events: the scheduled canary uses its own (`SCHEDULED_CANARY_RECIPIENT`), which its
   * queue's rule matches.
   * @default CANARY_RECIPIENT
   */
  readonly recipient?: string;
  /**
   * Leave the canary mark off (for requests that must be refused before publishing, such as a wrong signature).
   * @default false
   */
  readonly unmarked?: boolean;
}

// Moved to the core (the scheduled canary Lambda matches events with them); re-exported for the smoke command.
export { type CanaryEventIdentity, canaryEventKey };

/** A canary request, ready to post to `<base><path>`, and the events it must publish. */
export interface CanaryRequest {
  /** The stage's webhook path of the provider (`webhookPath`): `/webhooks/<provider>` or `/webhooks/<token>/<provider>`. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  /** The provider's own event name simulated (e.g. SendGrid `delivered`). */
  readonly eventName: string;
  /** The normalised events the verifier publishes for it: provider, id and recipient, to find them on the bus. */
  readonly events: ReadonlyArray<CanaryEventIdentity>;
}

function normalisedEventsOf(
  module: ProviderModule,
  settings: ProviderSettings,
  simulated: SimulatedRequest,
  now: Date,
): NormalisedEvent[] {
  const request: WebhookRequest = {
    provider: module.id,
    method: 'POST',
    headers: simulated.headers,
    body: simulated.body,
    receivedAt: now,
  };
  return module
    .parse(request)
    .events.flatMap((raw) => module.normalise(raw, request, settings))
    .map((draft) => completeEvent(module.id, draft, now));
}

/**
 * The simulated event a canary uses: the provider's first event that normalises to `delivered`, else its first
 * event. (A canary never reaches a route, so its type only has to be one the provider really sends.)
 */
export function canaryEventName(
  module: ProviderModule,
  simulator: ProviderSimulator,
  settings: ProviderSettings,
  now: Date,
): string {
  for (const name of simulator.events) {
    const simulated = simulator.simulate({ eventName: name, now, uniqueId: 'hookguard-canary-probe' });
    if (normalisedEventsOf(module, settings, simulated, now).some((event) => event.eventType === 'delivered')) {
      return name;
    }
  }
  const first = simulator.events[0];
  if (first === undefined) throw new Error(`The ${module.id} simulator builds no event`);
  return first;
}

/**
 * Builds a canary request: the simulator's request for {@link canaryEventName}, signed with `signingKey` as the
 * provider signs (Mandrill: over the configured signed URL with the credential inserted, exactly as the verifier
 * rebuilds it), Basic credentials when the route has the authorizer, and the canary mark over the exact body.
 *
 * @example
 * const canary = await buildCanaryRequest({ module, simulator, settings, credential, signingKey, now, runId });
 * await fetch(`${baseUrl}${canary.path}`, { method: 'POST', headers: canary.headers, body: canary.body });
 */
export async function buildCanaryRequest(input: CanaryRequestInput): Promise<CanaryRequest> {
  const { module, simulator, settings, credential, now } = input;
  const eventName = canaryEventName(module, simulator, settings, now);
  let signedUrl: string | undefined;
  if (settings.signedUrl !== undefined) {
    const accepted = [{ version: 'canary', stage: 'AWSCURRENT' as const, ...credential }];
    [signedUrl] = await signedUrlsFor(
      { acceptedCredentials: async () => accepted },
      settings.signedUrl,
      input.pathToken,
    );
  }
  const simulated = simulator.simulate({
    eventName,
    now,
    uniqueId: `hookguard-canary-${input.runId}`,
    recipient: input.recipient ?? CANARY_RECIPIENT,
    ...(input.signingKey === undefined ? {} : { signingKey: input.signingKey }),
    ...(signedUrl === undefined ? {} : { signedUrl }),
  });
  const body = Buffer.from(simulated.body);
  const headers: Record<string, string> = { ...simulated.headers };
  if (!input.unmarked) headers[CANARY_HEADER] = canaryTag(credential.password, body);
  if (settings.auth !== 'signature') headers.authorization = basicAuthorizationHeader(credential);
  const events = normalisedEventsOf(module, settings, { headers: simulated.headers, body }, now).map((event) => ({
    provider: event.provider,
    eventId: event.eventId,
    recipient: event.recipient,
  }));
  return { path: webhookPath(module.id, input.pathToken), headers, body, eventName, events };
}
