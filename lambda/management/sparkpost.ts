/**
 * SparkPost event webhooks: the Basic credential sits in `auth_type: "basic"` + `auth_credentials {username,
 * password}`, apart from `target`. `GET /api/v1/webhooks` answers `{"results": [...]}` with the credentials;
 * `PUT /api/v1/webhooks/{id}` updates the fields sent. `target` is sent only when it changes: "If you change the
 * target URL, a test POST request will be sent. If this request does not receive an HTTP 200 response, your request
 * to the Webhooks API will fail with HTTP 400, and the webhook will not be updated" [SP1]. That test POST carries the
 * credential of the same request, so Hookguard must already accept it: during rotation setSecret pushes the pending
 * credential, which the authorizer accepts as AWSPENDING. Whether a change of `auth_credentials` alone is tested is
 * not documented.
 *
 * Sources: [SP1] SparkPost/developers.sparkpost.com `content/api/webhooks.apib` (List all Webhooks, Update a Webhook;
 * header `Authorization: <API key>`); `content/api/subaccounts.apib` (key grants `webhooks/view`, `webhooks/modify`;
 * header `X-MSYS-SUBACCOUNT`); [SP2] SparkPost/node-sparkpost `lib/webhooks.js`; [SP4] EU host api.eu.sparkpost.com.
 */
import { apiBase, callApi, inPlaceClient, type RemoteWebhook, requiredKey, unexpectedAnswer } from './in-place';
import { credentialInUrl } from './shared';
import type { ManagementModule, WebhookCredential } from './types';

const PROVIDER = 'sparkpost';

interface SparkPostWebhook extends RemoteWebhook {
  readonly authType: string;
  readonly targetHasUserInfo: boolean;
}

function basicCredentialsOf(value: unknown): WebhookCredential | null {
  if (typeof value !== 'object' || value === null) return null;
  const { username, password } = value as { username?: unknown; password?: unknown };
  if (typeof username !== 'string' || username === '') return null;
  return { username, password: typeof password === 'string' ? password : '' };
}

/** The SparkPost management module. */
export const sparkpostManagement: ManagementModule = {
  provider: PROVIDER,
  placement: 'auth-field',
  keyFields: ['apiKey'],
  keyScope: 'An API key with only the grants webhooks/view and webhooks/modify [SP1]',
  options: {
    subaccount:
      'Optional: the subaccount id whose webhooks are managed, sent as X-MSYS-SUBACCOUNT; absent: the primary account',
  },
  sources: [
    'https://github.com/SparkPost/developers.sparkpost.com/blob/main/content/api/webhooks.apib',
    'https://github.com/SparkPost/developers.sparkpost.com/blob/main/content/api/subaccounts.apib',
    'https://github.com/SparkPost/node-sparkpost/blob/master/lib/webhooks.js',
  ],
  create({ account, apiKey, http }) {
    const base = () => apiBase(account, { us: 'https://api.sparkpost.com', eu: 'https://api.eu.sparkpost.com' });
    const headers = () => ({
      authorization: requiredKey(PROVIDER, apiKey, 'apiKey'),
      accept: 'application/json',
      'content-type': 'application/json',
      ...(account.options?.subaccount === undefined ? {} : { 'x-msys-subaccount': account.options.subaccount }),
    });
    return inPlaceClient<SparkPostWebhook>(account, {
      provider: PROVIDER,
      credentialField: 'auth_credentials',
      async list() {
        const operation = 'list webhooks';
        const answer = await callApi(http, PROVIDER, operation, {
          method: 'GET',
          url: `${base()}/api/v1/webhooks`,
          headers: headers(),
        });
        const results = (answer as { results?: unknown } | null)?.results;
        if (!Array.isArray(results)) throw unexpectedAnswer(PROVIDER, operation);
        return results.flatMap((entry: Record<string, unknown>) => {
          if (typeof entry?.id !== 'string' || typeof entry.target !== 'string') return [];
          const authType = typeof entry.auth_type === 'string' ? entry.auth_type : 'none';
          const inTarget = credentialInUrl(entry.target);
          return [
            {
              id: entry.id,
              url: entry.target,
              credential: authType === 'basic' ? basicCredentialsOf(entry.auth_credentials) : inTarget,
              active: entry.active !== false,
              authType,
              targetHasUserInfo: inTarget !== null,
            },
          ];
        });
      },
      otherDifference(webhook) {
        const parts = [
          ...(webhook.authType === 'oauth2' ? ['auth_type oauth2 -> basic'] : []),
          ...(webhook.targetHasUserInfo ? ['credential in target -> auth_credentials only'] : []),
        ];
        return parts.length === 0 ? null : parts.join('; ');
      },
      async update(webhook, desired) {
        const body: Record<string, unknown> = {
          auth_type: 'basic',
          auth_credentials: { username: desired.credential.username, password: desired.credential.password },
        };
        if (webhook.url !== desired.url) body.target = desired.url;
        await callApi(http, PROVIDER, `update webhook ${webhook.id}`, {
          method: 'PUT',
          url: `${base()}/api/v1/webhooks/${encodeURIComponent(webhook.id)}`,
          headers: headers(),
          body: JSON.stringify(body),
        });
      },
    });
  },
};
