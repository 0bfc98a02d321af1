/**
 * What to set at each provider for a webhook URL Hookguard prints: the one-line hint of the start-up banner and of
 * `hookguard urls`. Keys go in the local secrets file (`providers.<id>.signingKeys`) or the deployed signing keys
 * secret.
 */
import type { ProviderId } from '../../lambda/core/provider-ids';

/** One line per provider: where the URL goes at the vendor and what else to turn on or copy. */
export const PROVIDER_SETUP_HINTS: Readonly<Record<ProviderId, string>> = {
  'amazon-ses':
    'subscribe the URL to the SNS topic of your SES configuration set (protocol HTTPS, raw delivery off); the topic ARN must be in providers.amazon-ses.snsTopicArns; Hookguard confirms the subscription',
  brevo:
    'Transactional > Settings > Webhooks: paste the URL (or the URL without credentials plus the password as bearer token)',
  mailersend: 'Domains > Webhooks: paste the URL as the endpoint; copy the signing secret into signingKeys',
  mailgun: 'Sending > Webhooks: paste the URL for each event; copy the HTTP webhook signing key into signingKeys',
  mailjet: 'Account > Event notifications: paste the URL for each event (grouped events are fine)',
  mailtrap: 'Sending Domains > Webhooks: paste the URL; copy the signing secret into signingKeys',
  mandrill:
    'Settings > Webhooks: paste the URL exactly as providers.mandrill.signedUrl with the credentials; copy the webhook key into signingKeys',
  postal: "Server > Webhooks: paste the URL; copy the server's signing public key into signingKeys",
  postmark: 'Servers > Message stream > Webhooks: paste the URL and tick the events',
  resend: 'Webhooks > Add endpoint: paste the URL; copy the signing secret (whsec_...) into signingKeys',
  sendgrid:
    'Settings > Mail Settings > Event Webhook: paste the URL, enable Signed Event Webhook; copy the verification key into signingKeys',
  sparkpost: 'Webhooks > New webhook: paste the URL (authentication: Basic, from the URL)',
  'standard-webhooks':
    "the sender's webhook settings: paste the URL; copy the signing secret (whsec_...) into signingKeys",
  'unisender-go': 'Webhooks (webhook/set): paste the URL; the API key is the signing key in signingKeys',
};
