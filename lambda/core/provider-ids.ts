/**
 * Every provider Hookguard can receive webhooks from, as used in paths (`POST /webhooks/<id>`),
 * configuration keys and the `provider` field of normalised events.
 */
export const PROVIDER_IDS = [
  'amazon-ses',
  'brevo',
  'mailersend',
  'mailgun',
  'mailjet',
  'mailtrap',
  'mandrill',
  'postal',
  'postmark',
  'resend',
  'sendgrid',
  'sparkpost',
  'standard-webhooks',
  'unisender-go',
] as const;

/** A supported provider id (kebab-case). */
export type ProviderId = (typeof PROVIDER_IDS)[number];

/** Narrows an arbitrary string to a {@link ProviderId}. */
export function isProviderId(value: unknown): value is ProviderId {
  return typeof value === 'string' && (PROVIDER_IDS as readonly string[]).includes(value);
}

/**
 * Providers that sign nothing: Basic credentials (and, for Brevo, a bearer token) plus the WAF IP allow-list
 * are the only proof that a request comes from them.
 */
export const UNSIGNED_PROVIDERS: readonly ProviderId[] = ['brevo', 'mailjet', 'postmark', 'sparkpost'];

/** Providers whose vendor checks the webhook URL with a request other than POST; answered 200 without auth. */
export const URL_CHECK_METHODS: Readonly<Partial<Record<ProviderId, 'HEAD' | 'GET'>>> = {
  mandrill: 'HEAD',
  'unisender-go': 'GET',
};
