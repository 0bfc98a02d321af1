/**
 * In-memory stand-ins for the pipeline's ports, so in-process figures time Hookguard's own code and nothing of the
 * network. They behave like the real adapters where it matters to the pipeline (a claimed key is a duplicate
 * once completed; the bus reports no failures) and keep as little as possible (the bus counts, it does not store).
 */

import type { WebhookProcessorDeps } from '../../lambda/core/pipeline';
import type { ProviderId } from '../../lambda/core/provider-ids';
import type { RuntimeSettings } from '../../lambda/core/settings';
import {
  type AcceptedCredential,
  type BusEntry,
  type ClaimOutcome,
  type CredentialSource,
  type DedupeLedger,
  type EventBusPort,
  type PutEventsResult,
  type SigningKeySource,
  silentLogger,
} from '../../lambda/ports';
import { mailgunProvider } from '../../lambda/providers/mailgun';
import { sendgridProvider } from '../../lambda/providers/sendgrid';
import { standardWebhooksProvider } from '../../lambda/providers/standard-webhooks';
import type { CertificateSource, ProviderModule } from '../../lambda/providers/types';
import { benchSettings } from './requests';

/** A dedupe ledger in a Map: claim, complete and release with the port's semantics, no expiry. */
export class MemoryLedger implements DedupeLedger {
  private readonly records = new Map<string, 'IN_PROGRESS' | 'COMPLETED'>();

  async claim(key: string): Promise<ClaimOutcome> {
    const status = this.records.get(key);
    if (status === 'COMPLETED') return { status: 'duplicate' };
    if (status === 'IN_PROGRESS') return { status: 'in-progress' };
    this.records.set(key, 'IN_PROGRESS');
    return { status: 'claimed' };
  }

  async complete(key: string): Promise<void> {
    this.records.set(key, 'COMPLETED');
  }

  async release(key: string): Promise<void> {
    if (this.records.get(key) === 'IN_PROGRESS') this.records.delete(key);
  }

  /** Keys recorded so far. */
  get size(): number {
    return this.records.size;
  }
}

/** An event bus that accepts everything and counts entries and bytes (as EventBridge would bill them). */
export class CountingBus implements EventBusPort {
  entries = 0;
  detailBytes = 0;

  async putEvents(entries: readonly BusEntry[]): Promise<PutEventsResult> {
    this.entries += entries.length;
    for (const entry of entries) this.detailBytes += entry.detail.length;
    return { failed: [] };
  }
}

/** The same keys for every provider asked. */
export class StaticSigningKeys implements SigningKeySource {
  constructor(private readonly keys: Readonly<Partial<Record<ProviderId, readonly string[]>>>) {}

  async keysFor(provider: ProviderId): Promise<readonly string[]> {
    return this.keys[provider] ?? [];
  }
}

/** A fixed list of accepted credentials. */
export class StaticCredentials implements CredentialSource {
  constructor(private readonly credentials: readonly AcceptedCredential[]) {}

  async acceptedCredentials(): Promise<readonly AcceptedCredential[]> {
    return this.credentials;
  }
}

const noCertificates: CertificateSource = {
  certificate: () => Promise.reject(new Error('benchmarks fetch no certificates')),
};

/** Pipeline dependencies over the fakes above, with signature checking on for the given providers. */
export function inMemoryPipelineDeps(
  keys: Readonly<Partial<Record<ProviderId, readonly string[]>>>,
  overrides: Partial<WebhookProcessorDeps> = {},
): WebhookProcessorDeps & { readonly ledger: MemoryLedger; readonly bus: CountingBus } {
  const providers = Object.keys(keys) as ProviderId[];
  const settings: RuntimeSettings = {
    providers: Object.fromEntries(providers.map((provider) => [provider, benchSettings({ auth: 'signature' })])),
    dedupeWindowSeconds: 7 * 24 * 3600,
    claimLeaseSeconds: 60,
  };
  // The benchmarked modules directly, so the figures do not depend on what the registry holds today.
  const registry: ReadonlyMap<ProviderId, ProviderModule> = new Map(
    [sendgridProvider, mailgunProvider, standardWebhooksProvider].map((module) => [module.id, module]),
  );
  return {
    providers: registry,
    settings,
    ledger: new MemoryLedger(),
    bus: new CountingBus(),
    signingKeys: new StaticSigningKeys(keys),
    credentials: new StaticCredentials([]),
    certificates: noCertificates,
    https: { get: () => Promise.reject(new Error('benchmarks make no HTTPS calls')) },
    logger: silentLogger,
    now: () => new Date(),
    ...overrides,
  } as WebhookProcessorDeps & { readonly ledger: MemoryLedger; readonly bus: CountingBus };
}
