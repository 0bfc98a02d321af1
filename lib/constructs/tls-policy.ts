/**
 * The TLS policy of the API stage and its custom domain: API Gateway's "enhanced" security policies (AWS API Gateway
 * Developer Guide, "Security policies for REST APIs"), chosen as the strictest one every enabled provider's webhook
 * sender can negotiate.
 *
 * Only two enhanced regional policies matter here:
 * - `SecurityPolicy_TLS13_1_3_2025_09`: TLS 1.3 only;
 * - `SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09`: TLS 1.3, and TLS 1.2 with forward-secret (ECDHE) suites only, with
 *   post-quantum key exchange where the client offers it.
 * A provider gets TLS 1.3 only when its documentation says its webhook sender negotiates TLS 1.3; otherwise it keeps
 * TLS 1.2 with forward secrecy. The access log records `$context.tlsVersion` and `$context.cipherSuite`, so operators
 * can see what each provider really negotiates before they choose `tls13-only`.
 */
import type { ProviderId } from '../../lambda/core/provider-ids';

/** TLS 1.3 only. */
export const TLS13_ONLY_POLICY = 'SecurityPolicy_TLS13_1_3_2025_09';
/** TLS 1.3, and TLS 1.2 with forward secrecy (and post-quantum key exchange when offered). */
export const TLS12_PFS_POLICY = 'SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09';

/** An enhanced security policy Hookguard uses. */
export type EnhancedSecurityPolicy = typeof TLS13_ONLY_POLICY | typeof TLS12_PFS_POLICY;

/**
 * The configuration's choice: `provider-compatible` (the strictest every enabled provider negotiates; the default)
 * or `tls13-only` (TLS 1.3 only, whatever the providers' documentation says: check the access log's `tlsVersion`
 * first).
 */
export type TlsChoice = 'provider-compatible' | 'tls13-only';

/** What a provider documents about its webhook sender's TLS versions. */
export interface ProviderTls {
  /** True only when the provider's documentation says its webhook requests negotiate TLS 1.3. */
  readonly tls13: boolean;
  /** Where that comes from, or why it is unknown. */
  readonly source: string;
}

const UNDOCUMENTED =
  "not documented: the provider's webhook documentation (read 2026-12) states no TLS version for outgoing webhook requests";

/**
 * Each provider's documented webhook TLS support. None documents TLS 1.3 for its webhook sender (SendGrid documents
 * TLS 1.2+ for its inbound API, not for the Event Webhook; SparkPost documents HTTPS and mTLS without versions), so
 * every one keeps TLS 1.2 with forward secrecy until a source says otherwise.
 */
export const PROVIDER_TLS: Readonly<Record<ProviderId, ProviderTls>> = {
  'amazon-ses': {
    tls13: false,
    source: 'Amazon SNS HTTP/S delivery: the SNS developer guide gives no TLS version for HTTPS subscriptions',
  },
  brevo: { tls13: false, source: UNDOCUMENTED },
  mailersend: { tls13: false, source: UNDOCUMENTED },
  mailgun: { tls13: false, source: UNDOCUMENTED },
  mailjet: { tls13: false, source: UNDOCUMENTED },
  mailtrap: { tls13: false, source: UNDOCUMENTED },
  mandrill: { tls13: false, source: UNDOCUMENTED },
  postal: { tls13: false, source: 'self-hosted: depends on the Ruby/OpenSSL build of your own Postal server' },
  postmark: { tls13: false, source: UNDOCUMENTED },
  resend: { tls13: false, source: UNDOCUMENTED },
  sendgrid: {
    tls13: false,
    source: 'SendGrid documents TLS 1.2+ for connections to its API (support-for-tls-12), nothing for Event Webhook requests',
  },
  sparkpost: {
    tls13: false,
    source: 'SparkPost webhook-authentication page: HTTPS and mTLS, no TLS version',
  },
  'standard-webhooks': { tls13: false, source: 'depends on the sender; the specification sets no TLS version' },
  'unisender-go': { tls13: false, source: UNDOCUMENTED },
};

/**
 * The policy for a set of enabled providers: TLS 1.3 only when the configuration asks for it or every enabled
 * provider documents TLS 1.3, else TLS 1.3 + TLS 1.2 with forward secrecy.
 *
 * @example
 * securityPolicyFor(['sendgrid', 'mailgun'], 'provider-compatible'); // 'SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09'
 */
export function securityPolicyFor(providers: readonly ProviderId[], choice: TlsChoice): EnhancedSecurityPolicy {
  if (choice === 'tls13-only') return TLS13_ONLY_POLICY;
  return providers.length > 0 && providers.every((provider) => PROVIDER_TLS[provider].tls13)
    ? TLS13_ONLY_POLICY
    : TLS12_PFS_POLICY;
}

/** The providers that keep a stage off TLS 1.3 only, with the reason (for docs and the synth note). */
export function providersWithoutTls13(providers: readonly ProviderId[]): Array<{ provider: ProviderId; source: string }> {
  return providers
    .filter((provider) => !PROVIDER_TLS[provider].tls13)
    .map((provider) => ({ provider, source: PROVIDER_TLS[provider].source }));
}
