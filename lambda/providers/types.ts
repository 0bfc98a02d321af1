import type { EventDraft } from '../core/event';
import type { ProviderId } from '../core/provider-ids';
import type { ProviderSettings } from '../core/settings';

/** A webhook request as received, before anything trusts it. */
export interface WebhookRequest {
  readonly provider: ProviderId;
  readonly method: string;
  /** Header names lower-cased; one value each (repeated headers joined with ", "). */
  readonly headers: Readonly<Record<string, string>>;
  /** The body bytes exactly as the provider sent them (base64 already undone). Signatures are checked on these. */
  readonly body: Buffer;
  readonly receivedAt: Date;
  /** The path token of the route it came in under (`/webhooks/<token>/<id>`), when the stage has one. */
  readonly pathToken?: string;
}

/** Fetches Amazon SNS signing certificates (PEM) by their already validated URL; the core caches them. */
export interface CertificateSource {
  certificate(url: string): Promise<string>;
}

/** Everything a provider's `verify` may use. */
export interface VerifyContext {
  readonly settings: ProviderSettings;
  /** Every signing key accepted now for this provider, as the provider's dashboard shows it. Never empty. */
  readonly signingKeys: readonly string[];
  /** Mandrill: every URL the provider may have signed (one per accepted credential). */
  readonly signedUrls: readonly string[];
  readonly now: Date;
  readonly certificates: CertificateSource;
}

/** What a successful signature check tells the pipeline. */
export interface VerifyResult {
  /** The timestamp the provider signed, if its scheme signs one; the pipeline enforces the window. */
  readonly signedAt?: Date;
}

/** The events one request carries. */
export interface ParseResult {
  /** Provider event objects, in order (a single-event provider gives one). */
  readonly events: readonly unknown[];
  /** Amazon SNS SubscriptionConfirmation: the validated URL to GET to confirm; no events then. */
  readonly subscriptionConfirmUrl?: string;
}

/**
 * One provider = one module of this shape, registered in `providers/index.ts`.
 *
 * The pipeline calls, in order: `verify` on the raw bytes (when the provider's auth mode needs a signature),
 * `parse` (only after the signature is good), and `normalise` for each parsed event.
 */
export interface ProviderModule {
  readonly id: ProviderId;
  /** Human name, for logs and docs. */
  readonly displayName: string;
  /** Media types (without parameters) the provider posts. Anything else is refused with 415. */
  readonly contentTypes: readonly string[];
  /** Default accepted skew of the signed timestamp, seconds; undefined when the scheme signs no timestamp. */
  readonly defaultTimestampToleranceSeconds?: number;
  /**
   * Whether `verify` needs operator-configured signing keys. False for schemes whose key arrives with each message
   * (Amazon SNS names its certificate). Default: true when `verify` exists.
   */
  readonly usesSigningKeys?: boolean;
  /** Checks the provider's signature over the raw request. Throws `SignatureError`. Absent for unsigned providers. */
  readonly verify?: (request: WebhookRequest, context: VerifyContext) => VerifyResult | Promise<VerifyResult>;
  /** Splits the verified body into provider events. Throws `PayloadError` (never echoing the body). */
  readonly parse: (request: WebhookRequest) => ParseResult;
  /**
   * Maps one provider event to normalised drafts: usually one, several when the provider fans one event out to
   * several recipients (Amazon SES), none for entries to skip (SparkPost pings). Unknown event names map to
   * `unknown`, never an error; a malformed event throws `PayloadError`. `settings` are the provider's runtime
   * settings; modules whose mapping is configured (Standard Webhooks' `eventTypeMap`) read them, the others ignore them.
   */
  readonly normalise: (event: unknown, request: WebhookRequest, settings?: ProviderSettings) => readonly EventDraft[];
}
