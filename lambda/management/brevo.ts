/**
 * Brevo webhooks: the credential travels as `Authorization: Bearer <token>` from the webhook's `auth {type, token}`
 * field, and Hookguard's authorizer accepts the Basic password as that bearer token (lambda/core/basic-auth.ts
 * BEARER_PROVIDERS). So `auth.token` = the credential's password, and the user name plays no part. A credential
 * pasted as URL user info (also documented [BR2]) is moved to the bearer field.
 *
 * API: `GET /v3/webhooks?type=<type>` answers `{"webhooks": [...]}` (each with `auth` when set); `PUT
 * /v3/webhooks/{webhookId}` with `{url, auth}` answers 204 and leaves the fields not sent (events, description) as
 * they are. Header `api-key`.
 *
 * Sources: [BR1] developers.brevo.com/reference/update-webhook; [BR2] developers.brevo.com/docs/secured-webhooks
 * (user info in `url`; bearer `auth`); [BR3] getbrevo/brevo-node `api/webhooksApi.ts` (base
 * https://api.brevo.com/v3, `api-key` header, getWebhooks `type`/`sort`, updateWebhook PUT) and
 * `model/getWebhook.ts`, `model/getWebhookAuth.ts`, `model/updateWebhook.ts`.
 */
import { apiBase, callApi, inPlaceClient, type RemoteWebhook, requiredKey, unexpectedAnswer } from './in-place';
import { credentialInUrl } from './shared';
import { type DesiredWebhook, ManagementError, type ManagementModule, type WebhookCredential } from './types';

const PROVIDER = 'brevo';
const WEBHOOK_TYPES = new Set(['transactional', 'marketing', 'inbound']);

interface BrevoWebhook extends RemoteWebhook {
  readonly urlHasUserInfo: boolean;
}

/**
 * What a listed webhook carries, as a credential comparable with the desired one: a bearer token stands for the
 * password alone, so it is paired with the desired user name.
 */
function carriedCredential(entry: Record<string, unknown>, desired: DesiredWebhook): WebhookCredential | null | 'unreadable' {
  const auth = entry.auth as { type?: unknown; token?: unknown } | undefined;
  if (typeof auth === 'object' && auth !== null && String(auth.type).toLowerCase() === 'bearer') {
    if (typeof auth.token !== 'string') return 'unreadable';
    return { username: desired.credential.username, password: auth.token };
  }
  return credentialInUrl(String(entry.url));
}

/** The Brevo management module. */
export const brevoManagement: ManagementModule = {
  provider: PROVIDER,
  placement: 'bearer',
  keyFields: ['apiKey'],
  keyScope:
    'A v3 API key created for Hookguard alone (header api-key); Brevo documents no narrower scope for the webhooks ' +
    'API, so keep this key out of every other system and revoke it alone when needed [BR1]',
  options: {
    type: 'Optional: which webhooks are managed: transactional (default), marketing or inbound',
  },
  sources: [
    'https://developers.brevo.com/reference/update-webhook',
    'https://developers.brevo.com/docs/secured-webhooks',
    'https://github.com/getbrevo/brevo-node/blob/master/api/webhooksApi.ts',
  ],
  create({ account, apiKey, http }) {
    const base = () => apiBase(account, { us: 'https://api.brevo.com' });
    const headers = () => ({
      'api-key': requiredKey(PROVIDER, apiKey, 'apiKey'),
      accept: 'application/json',
      'content-type': 'application/json',
    });
    return inPlaceClient<BrevoWebhook>(account, {
      provider: PROVIDER,
      credentialField: 'auth.token',
      async list(desired) {
        const operation = 'list webhooks';
        const type = account.options?.type ?? 'transactional';
        if (!WEBHOOK_TYPES.has(type)) {
          throw new ManagementError(PROVIDER, 'managed.options.type must be transactional, marketing or inbound');
        }
        const answer = await callApi(http, PROVIDER, operation, {
          method: 'GET',
          url: `${base()}/v3/webhooks?type=${encodeURIComponent(type)}`,
          headers: headers(),
        });
        const webhooks = (answer as { webhooks?: unknown } | null)?.webhooks;
        if (!Array.isArray(webhooks)) throw unexpectedAnswer(PROVIDER, operation);
        return webhooks.flatMap((entry: Record<string, unknown>) => {
          if (typeof entry?.id !== 'number' || typeof entry.url !== 'string') return [];
          return [
            {
              id: String(entry.id),
              url: entry.url,
              credential: carriedCredential(entry, desired),
              // Brevo's GetWebhook model has no enabled flag; the reference's list shows only delivering webhooks.
              active: entry.isActive !== false,
              urlHasUserInfo: credentialInUrl(entry.url) !== null,
            },
          ];
        });
      },
      otherDifference(webhook) {
        return webhook.urlHasUserInfo ? 'credential in url -> auth.token only' : null;
      },
      async update(webhook, desired) {
        await callApi(http, PROVIDER, `update webhook ${webhook.id}`, {
          method: 'PUT',
          url: `${base()}/v3/webhooks/${encodeURIComponent(webhook.id)}`,
          headers: headers(),
          body: JSON.stringify({ url: desired.url, auth: { type: 'bearer', token: desired.credential.password } }),
        });
      },
    });
  },
};
