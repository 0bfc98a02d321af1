/**
 * Postmark webhooks: the Basic credential sits in the separate `HttpAuth {Username, Password}` field, so it rotates
 * without touching `Url`. `GET /webhooks?MessageStream=` lists a server's webhooks (HttpAuth included, password and
 * all); `PUT /webhooks/{ID}` with `{Url, HttpAuth}` updates one and leaves the fields not sent (triggers, headers) as
 * they are. A `Url` that still carries user info (also documented [PM3]) is rewritten without it, so the credential
 * lives in one place.
 *
 * Sources: [PM1] postmarkapp.com/developer/api/webhooks-api (List webhooks, Edit a webhook; header
 * `X-Postmark-Server-Token`, server-level); [PM2] ActiveCampaign/postmark.js `src/client/models/webhooks/Webhook.ts`
 * (UpdateWebhookRequest: Url, HttpAuth, HttpHeaders, Triggers, all optional) and `src/client/ServerClient.ts`
 * (getWebhooks, editWebhook = PUT /webhooks/{id}); [PM3] postmarkapp.com/developer/webhooks/webhooks-overview.
 */
import { apiBase, callApi, inPlaceClient, type RemoteWebhook, requiredKey, unexpectedAnswer } from './in-place';
import { credentialInUrl } from './shared';
import type { ManagementModule, WebhookCredential } from './types';

const PROVIDER = 'postmark';

interface PostmarkWebhook extends RemoteWebhook {
  /** Whether `Url` itself carries user info (it should not, once HttpAuth carries the credential). */
  readonly urlHasUserInfo: boolean;
}

function httpAuthOf(value: unknown): WebhookCredential | null {
  if (typeof value !== 'object' || value === null) return null;
  const { Username: username, Password: password } = value as { Username?: unknown; Password?: unknown };
  if (typeof username !== 'string' || username === '') return null;
  return { username, password: typeof password === 'string' ? password : '' };
}

/** The Postmark management module. */
export const postmarkManagement: ManagementModule = {
  provider: PROVIDER,
  placement: 'auth-field',
  keyFields: ['serverToken'],
  keyScope:
    'The Server API token of the Postmark server that sends the managed stream (X-Postmark-Server-Token): the ' +
    'webhooks API needs server-level privileges, and Postmark has no narrower token [PM1]',
  options: {
    messageStream:
      'Optional: the message stream whose webhooks are managed (e.g. outbound); absent: every stream of the server',
  },
  sources: [
    'https://postmarkapp.com/developer/api/webhooks-api',
    'https://github.com/ActiveCampaign/postmark.js/blob/main/src/client/models/webhooks/Webhook.ts',
    'https://postmarkapp.com/developer/webhooks/webhooks-overview',
  ],
  create({ account, apiKey, http }) {
    const base = () => apiBase(account, { us: 'https://api.postmarkapp.com' });
    const headers = () => ({
      'x-postmark-server-token': requiredKey(PROVIDER, apiKey, 'serverToken'),
      accept: 'application/json',
      'content-type': 'application/json',
    });
    return inPlaceClient<PostmarkWebhook>(account, {
      provider: PROVIDER,
      credentialField: 'HttpAuth',
      async list() {
        const operation = 'list webhooks';
        const stream = account.options?.messageStream;
        const query = stream === undefined ? '' : `?MessageStream=${encodeURIComponent(stream)}`;
        const answer = await callApi(http, PROVIDER, operation, {
          method: 'GET',
          url: `${base()}/webhooks${query}`,
          headers: headers(),
        });
        const webhooks = (answer as { Webhooks?: unknown } | null)?.Webhooks;
        if (!Array.isArray(webhooks)) throw unexpectedAnswer(PROVIDER, operation);
        return webhooks.flatMap((entry: Record<string, unknown>) => {
          if (typeof entry?.ID !== 'number' || typeof entry.Url !== 'string') return [];
          const inUrl = credentialInUrl(entry.Url);
          return [
            {
              id: String(entry.ID),
              url: entry.Url,
              credential: httpAuthOf(entry.HttpAuth) ?? inUrl,
              // Postmark's webhook object has no enabled flag: a webhook with every trigger off delivers nothing.
              active: Object.values((entry.Triggers ?? {}) as Record<string, { Enabled?: unknown }>).some(
                (trigger) => trigger?.Enabled === true,
              ),
              urlHasUserInfo: inUrl !== null,
            },
          ];
        });
      },
      otherDifference(webhook) {
        return webhook.urlHasUserInfo ? 'credential in Url -> HttpAuth only' : null;
      },
      async update(webhook, desired) {
        await callApi(http, PROVIDER, `edit webhook ${webhook.id}`, {
          method: 'PUT',
          url: `${base()}/webhooks/${encodeURIComponent(webhook.id)}`,
          headers: headers(),
          body: JSON.stringify({
            Url: desired.url,
            HttpAuth: { Username: desired.credential.username, Password: desired.credential.password },
          }),
        });
      },
    });
  },
};
