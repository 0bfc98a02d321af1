/**
 * The shape of a provider simulator: tooling that builds the requests a provider would send, for `hookguard send`,
 * the local runtime, the tests, the benchmarks, the docs generators and the scheduled canary function (the only
 * Lambda that carries simulators: `lambda/canary/simulators.ts`). The request path's Lambdas carry none: the
 * provider modules in `lambda/providers/` only verify, parse and normalise.
 */
import type { ProviderId } from '../../lambda/core/provider-ids';

/** A request a provider would send: headers (lower-cased names) and the exact body bytes. */
export interface SimulatedRequest {
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

/** Input of {@link ProviderSimulator.simulate}. */
export interface SimulateInput {
  /** One of {@link ProviderSimulator.events}. */
  readonly eventName: string;
  /**
   * Key to sign with, exactly as the provider signs: the shared secret as the dashboard shows it (HMAC schemes) or
   * the `simulationKey` of {@link ProviderSimulator.generateKeyPair} (asymmetric schemes). Absent: unsigned request.
   */
  readonly signingKey?: string;
  /** Mandrill: the URL the provider signs (with credentials). */
  readonly signedUrl?: string;
  readonly now: Date;
  /** Makes ids in the payload unique per call, so two simulated requests are two events. */
  readonly uniqueId: string;
  /** The recipient address of the simulated events. Default: the address of the provider's own example. */
  readonly recipient?: string;
  /**
   * Sender-defined metadata (custom args, user variables, `Metadata`, ...) to carry where the provider carries it,
   * in place of the example's. Ignored by providers whose payloads carry none ({@link ProviderSimulator.metadata}).
   */
  readonly metadata?: Readonly<Record<string, string>>;
  /**
   * How many events the one request carries, for providers that batch ({@link ProviderSimulator.maxBatch} > 1).
   * Each gets its own ids. Default: 1.
   */
  readonly batch?: number;
}

/** A key pair for an asymmetric scheme. */
export interface SimulationKeyPair {
  /** The public key as the provider's dashboard shows it: what goes in the signing keys. */
  readonly verificationKey: string;
  /** The private key `simulate` signs with. */
  readonly simulationKey: string;
}

/** One provider's simulator, registered in `src/simulate/index.ts` beside its provider module. */
export interface ProviderSimulator {
  readonly id: ProviderId;
  /**
   * Where the simulated payloads come from: the provider's documented examples or published real captures they
   * were checked against (field presence, types, batch shape).
   */
  readonly source: string;
  /** Provider-native event names `simulate` can build (e.g. SendGrid `bounce`). */
  readonly events: readonly string[];
  /**
   * The most events one simulated request may carry: 1 for providers that post one event per request; for
   * providers that batch, a bound well within what they send (SendGrid and Mandrill post up to 1000 per request).
   */
  readonly maxBatch: number;
  /** Where `metadata` goes in the payload (e.g. `msg.metadata`), or null when the provider's payload carries none. */
  readonly metadata: string | null;
  /** Builds a realistic request for one event (or `batch` events of that name), signed as the provider signs it. */
  readonly simulate: (input: SimulateInput) => SimulatedRequest;
  /**
   * For asymmetric schemes (SendGrid ECDSA, Postal RSA): makes a fresh key pair, so the local runtime and tests can
   * sign as the provider does. Absent for HMAC schemes (one shared key) and for Amazon SES (SNS certificates).
   */
  readonly generateKeyPair?: () => SimulationKeyPair;
}

/** The batch size asked for, checked against what the simulator allows. */
export function batchSizeOf(input: SimulateInput, simulator: Pick<ProviderSimulator, 'id' | 'maxBatch'>): number {
  const batch = input.batch ?? 1;
  if (!Number.isInteger(batch) || batch < 1 || batch > simulator.maxBatch) {
    throw new Error(
      simulator.maxBatch === 1
        ? `${simulator.id} posts one event per request: it has no batch`
        : `${simulator.id} batch must be an integer from 1 to ${simulator.maxBatch}`,
    );
  }
  return batch;
}

/** The unique id of the `index`-th event of a batch: the request's own for the first, so batches of one stay stable. */
export function batchUniqueId(uniqueId: string, index: number): string {
  return index === 0 ? uniqueId : `${uniqueId}-${index}`;
}

/** Throws the one message every simulator gives for an event it cannot build. */
export function checkEventName(simulator: Pick<ProviderSimulator, 'id' | 'events'>, eventName: string): void {
  if (!simulator.events.includes(eventName)) {
    throw new Error(`${simulator.id} cannot simulate event "${eventName}"; use one of: ${simulator.events.join(', ')}`);
  }
}
