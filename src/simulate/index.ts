/**
 * The simulator registry: the one place a provider simulator is registered, beside the provider registry in
 * `lambda/providers/index.ts` (one simulator per provider module, same id). Simulation is tooling: nothing under
 * `src/simulate/` is bundled into a Lambda of the request path. The scheduled canary function alone carries the
 * simulators it posts with (`lambda/canary/simulators.ts`), never Amazon SES's test keys.
 */
import type { ProviderId } from '../../lambda/core/provider-ids';
import { amazonSesSimulator } from './amazon-ses';
import { brevoSimulator } from './brevo';
import { mailersendSimulator } from './mailersend';
import { mailgunSimulator } from './mailgun';
import { mailjetSimulator } from './mailjet';
import { mailtrapSimulator } from './mailtrap';
import { mandrillSimulator } from './mandrill';
import { postalSimulator } from './postal';
import { postmarkSimulator } from './postmark';
import { resendSimulator } from './resend';
import { sendgridSimulator } from './sendgrid';
import { sparkpostSimulator } from './sparkpost';
import { standardWebhooksSimulator } from './standard-webhooks';
import type { ProviderSimulator } from './types';
import { unisenderGoSimulator } from './unisender-go';

const SIMULATOR_LIST: readonly ProviderSimulator[] = [
  amazonSesSimulator,
  brevoSimulator,
  mailersendSimulator,
  mailgunSimulator,
  mailjetSimulator,
  mailtrapSimulator,
  mandrillSimulator,
  postalSimulator,
  postmarkSimulator,
  resendSimulator,
  sendgridSimulator,
  sparkpostSimulator,
  standardWebhooksSimulator,
  unisenderGoSimulator,
];

/** Every provider's simulator, by provider id. */
export const SIMULATORS: ReadonlyMap<ProviderId, ProviderSimulator> = new Map(
  SIMULATOR_LIST.map((simulator) => [simulator.id, simulator]),
);

/** The simulator of `id`; throws for a provider without one (every registered provider has one). */
export function simulatorOf(id: ProviderId): ProviderSimulator {
  const simulator = SIMULATORS.get(id);
  if (simulator === undefined) throw new Error(`No simulator is registered for provider ${id}`);
  return simulator;
}

export type { ProviderSimulator, SimulatedRequest, SimulateInput, SimulationKeyPair } from './types';
