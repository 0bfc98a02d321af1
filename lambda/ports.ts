/**
 * Ports: the small interfaces the core depends on. AWS adapters (`adapters/*`) implement them for the Lambdas,
 * local adapters for the local runtime, fakes for the tests. Core code never builds an SDK client.
 */
import type { ProviderId } from './core/provider-ids';

/** Outcome of trying to claim an event's dedupe key. */
export type ClaimOutcome =
  /**
   * The key was free (absent, expired, or its in-progress lease lapsed): this invocation now owns it.
   * `claimToken` identifies this claim; pass it to `complete` and `release` so they act on this claim only, never
   * on a later claimant's after this lease lapsed.
   */
  | { readonly status: 'claimed'; readonly claimToken?: string }
  /** The event was already published (completed and not expired): a duplicate, answered as success. */
  | { readonly status: 'duplicate' }
  /** Another invocation holds a live lease on it: the provider must retry later. */
  | { readonly status: 'in-progress' };

/**
 * The dedupe ledger. Keys are claimed before publishing, marked completed after, released on failure.
 * Implementations must make `claim` atomic (one conditional write) and treat expired items as absent.
 */
export interface DedupeLedger {
  /** Claims `key` with a lease of `leaseSeconds` from `now`. */
  claim(key: string, now: Date, leaseSeconds: number): Promise<ClaimOutcome>;
  /** Marks a claimed key completed; the record is kept for `retainSeconds` from `now` (the dedupe window). */
  complete(key: string, now: Date, retainSeconds: number, claimToken?: string): Promise<void>;
  /** Releases a claim this invocation holds, so that the provider's retry can claim it again. */
  release(key: string, claimToken?: string): Promise<void>;
}

/** One entry for the event bus, as EventBridge's PutEvents takes it. */
export interface BusEntry {
  readonly source: string;
  readonly detailType: string;
  /** JSON text of the event detail. */
  readonly detail: string;
  readonly time?: Date;
}

/** Per-entry result of a put: the indexes (into the call's entries) that failed, with the bus's error code. */
export interface PutEventsResult {
  readonly failed: ReadonlyArray<{
    readonly index: number;
    readonly errorCode: string;
    readonly errorMessage?: string;
  }>;
}

/**
 * The event bus. One call takes at most 10 entries (the PutEvents limit); a partial failure is reported in the
 * result, not thrown. A thrown error means the whole call failed.
 */
export interface EventBusPort {
  putEvents(entries: readonly BusEntry[]): Promise<PutEventsResult>;
}

/** The provider signing keys currently accepted, as the provider's dashboard shows them (several during a rotation). */
export interface SigningKeySource {
  keysFor(provider: ProviderId): Promise<readonly string[]>;
}

/** Which stored version a credential came from. */
export type CredentialStage = 'AWSCURRENT' | 'AWSPENDING' | 'AWSPREVIOUS';

/**
 * A Basic credential the API accepts now. Providers that authenticate with a bearer token instead (Brevo) send
 * the password as the token.
 */
export interface AcceptedCredential {
  /** A label safe to log and to put in the authorizer context (a stage or version id), never the secret. */
  readonly version: string;
  readonly stage: CredentialStage;
  readonly username: string;
  readonly password: string;
}

/** The credentials accepted now (current, pending during a rotation, previous within its grace period). */
export interface CredentialSource {
  acceptedCredentials(): Promise<readonly AcceptedCredential[]>;
}

/** Fetches a public resource over HTTPS (Amazon SNS signing certificates, subscription confirmation URLs). */
export interface HttpsGetter {
  /** GETs `url` and returns the body as text; throws on a non-2xx status or a network failure. */
  get(url: string): Promise<string>;
}

/** Structured logger. Implementations must never be handed bodies, signatures or secrets. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** A {@link Logger} that can derive one carrying more context. */
export interface ContextLogger extends Logger {
  /** A logger with the same settings whose entries also carry `fields` (e.g. a request id). */
  child(fields: Readonly<Record<string, unknown>>): ContextLogger;
}

/** A logger that drops everything (tests, benchmarks). */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
