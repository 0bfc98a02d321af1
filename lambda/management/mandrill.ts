/**
 * Mandrill (Mailchimp Transactional) webhooks: the Basic credential rides in the URL's user info, and Mandrill signs
 * every batch over the URL exactly as configured, user info included [MD3]. So the URL set here is built by the same
 * text insertion as the verifier's `signedUrlsFor` (lambda/core/pipeline.ts): Hookguard's URL (which must equal the
 * provider's `signedUrl` setting) with the percent-encoded credential after the scheme. Changing the credential
 * changes the signed URL; the verifier checks signatures over the URL of every accepted credential (AWSCURRENT,
 * AWSPENDING, AWSPREVIOUS), so batches signed before and after the change both verify during the overlap.
 *
 * API: JSON POSTs to `https://mandrillapp.com/api/1.0/<call>` with the API key in the body's `key` field [MD1];
 * `webhooks/list` answers an array of webhooks; `webhooks/update` takes `{id, url, description, events}` and
 * answers the webhook [MD2]. `description` and `events` are sent back as listed so they stay as they are. Errors are
 * HTTP 500 with `{status: "error", code, name, message}`; the `name` (e.g. `Invalid_Key`) is quoted, the message
 * is not.
 *
 * Sources: [MD1] mailchimp/mailchimp-transactional-node `src/api/WebhooksApi.js`, `src/ApiClient.js`;
 * [MD2] rubydoc.info/gems/mailchimp_transactional/2.0.0 (webhooks update body and answer); [MD3]
 * mandrill.zendesk.com/hc/en-us/articles/360039232513-How-to-Authenticate-Webhook-Requests.
 */
import { apiBase, inPlaceClient, type RemoteWebhook, requiredKey, unexpectedAnswer } from './in-place';
import { credentialInUrl, jsonBody, sameTarget, sendWithRetry } from './shared';
import {
  type DesiredWebhook,
  type HttpClient,
  ManagementError,
  type ManagementModule,
  type ProviderApiKey,
} from './types';

const PROVIDER = 'mandrill';

interface MandrillWebhook extends RemoteWebhook {
  readonly raw: Readonly<Record<string, unknown>>;
}

/**
 * The URL Mandrill should hold: `desired.url` with the credential inserted as text after the scheme, byte for byte
 * what the verifier signs against (lambda/core/pipeline.ts `signedUrlsFor`).
 */
export function mandrillSignedUrl(desired: DesiredWebhook): string {
  const match = /^([a-z][a-z0-9+.-]*:\/\/)(.+)$/i.exec(desired.url);
  if (match === null) throw new ManagementError(PROVIDER, 'the desired webhook URL is not an absolute URL');
  const { username, password } = desired.credential;
  return `${match[1]}${encodeURIComponent(username)}:${encodeURIComponent(password)}@${match[2]}`;
}

/** One Mandrill API call; a failure names the call, the status and Mandrill's error name, never the body. */
async function call(
  http: HttpClient,
  base: string,
  apiKey: ProviderApiKey,
  name: 'webhooks/list' | 'webhooks/update',
  fields: Readonly<Record<string, unknown>>,
): Promise<unknown> {
  const response = await sendWithRetry(http, PROVIDER, {
    method: 'POST',
    url: `${base}/api/1.0/${name}`,
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ key: requiredKey(PROVIDER, apiKey, 'apiKey'), ...fields }),
  });
  if (response.status >= 200 && response.status < 300) return jsonBody(PROVIDER, name, response);
  let errorName = '';
  try {
    const parsed = JSON.parse(response.body) as { name?: unknown };
    if (typeof parsed.name === 'string' && /^[A-Za-z_]{1,40}$/.test(parsed.name)) errorName = ` (${parsed.name})`;
  } catch {
    // Not JSON: the status alone says enough.
  }
  throw new ManagementError(PROVIDER, `${name} answered HTTP ${response.status}${errorName}`, response.status);
}

/** The Mandrill management module. */
export const mandrillManagement: ManagementModule = {
  provider: PROVIDER,
  placement: 'url-userinfo',
  keyFields: ['apiKey'],
  keyScope:
    'A Mandrill API key created for Hookguard alone; where the account lets a key be limited to chosen API calls, ' +
    'allow only webhooks/list and webhooks/update',
  options: {},
  sources: [
    'https://github.com/mailchimp/mailchimp-transactional-node/blob/master/src/api/WebhooksApi.js',
    'https://rubydoc.info/gems/mailchimp_transactional/2.0.0/file/docs/Body85.md',
    'https://mandrill.zendesk.com/hc/en-us/articles/360039232513-How-to-Authenticate-Webhook-Requests',
  ],
  create({ account, apiKey, http }) {
    const base = () => apiBase(account, { us: 'https://mandrillapp.com' });
    return inPlaceClient<MandrillWebhook>(account, {
      provider: PROVIDER,
      credentialField: 'URL user info (signed by Mandrill)',
      async list() {
        const answer = await call(http, base(), apiKey, 'webhooks/list', {});
        if (!Array.isArray(answer)) throw unexpectedAnswer(PROVIDER, 'webhooks/list');
        return answer.flatMap((entry: Record<string, unknown>) => {
          if ((typeof entry?.id !== 'number' && typeof entry?.id !== 'string') || typeof entry.url !== 'string') {
            return [];
          }
          // Mandrill reports no enabled flag: a listed webhook is delivered to.
          return [{ id: String(entry.id), url: entry.url, credential: credentialInUrl(entry.url), active: true, raw: entry }];
        });
      },
      otherDifference(webhook, desired) {
        // Same target and credential, but not the exact text the verifier signs against (e.g. different encoding).
        if (!sameTarget(webhook.url, desired.url) || webhook.url === mandrillSignedUrl(desired)) return null;
        return 'URL text -> the form Hookguard verifies signatures over';
      },
      async update(webhook, desired) {
        await call(http, base(), apiKey, 'webhooks/update', {
          id: webhook.raw.id,
          url: mandrillSignedUrl(desired),
          ...(webhook.raw.description === undefined ? {} : { description: webhook.raw.description }),
          ...(Array.isArray(webhook.raw.events) ? { events: webhook.raw.events } : {}),
        });
      },
    });
  },
};
