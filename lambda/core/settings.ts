import type { EventType } from './event';
import type { ProviderId } from './provider-ids';

/** How a provider's requests are authenticated: Basic credentials, the provider's signature, or both. */
export type AuthMode = 'basic' | 'signature' | 'both';

/**
 * What the verifier needs to know about one enabled provider at run time. Derived from the validated
 * configuration (`lib/config`) by `toRuntimeSettings`; the Lambda receives it as JSON, the local runtime directly.
 */
export interface ProviderSettings {
  readonly auth: AuthMode;
  /** Accepted clock skew for a signed timestamp, seconds, past and future. 0 disables the check (replays). */
  readonly timestampToleranceSeconds: number;
  /** Largest accepted body, bytes. */
  readonly maxBodyBytes: number;
  /** Amazon SES: the SNS topic ARNs allowed to deliver. Empty means none is accepted. */
  readonly snsTopicArns?: readonly string[];
  /**
   * Mandrill: the webhook URL exactly as configured at the provider, without credentials; the verifier inserts each
   * accepted Basic credential as userinfo, because Mandrill signs the URL including them.
   */
  readonly signedUrl?: string;
  /** Standard Webhooks: provider event type (e.g. `contact.created`) to normalised event type. */
  readonly eventTypeMap?: Readonly<Record<string, EventType>>;
}

/** Runtime settings of the whole request path, shared by the Lambdas and the local runtime. */
export interface RuntimeSettings {
  readonly providers: Readonly<Partial<Record<ProviderId, ProviderSettings>>>;
  /** How long a completed event's dedupe record is kept, seconds. */
  readonly dedupeWindowSeconds: number;
  /** How long an in-progress claim holds before another invocation may take it over, seconds. */
  readonly claimLeaseSeconds: number;
}
