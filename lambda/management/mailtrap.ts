/**
 * Mailtrap: account webhooks with a `url`; Basic credentials go in the URL's user info, which Mailtrap's docs
 * recommend [MT3].
 *
 * API [MT1][MT2] (mailtrap-ruby `lib/mailtrap/webhooks_api.rb` and its recorded answers): on `mailtrap.io`,
 * `GET /api/accounts/{account_id}/webhooks` answers `{"data": [{"id", "url", "active", "webhook_type",
 * "payload_format", "sending_stream", "domain_id", "event_types"}]}`; `PATCH /api/accounts/{account_id}/webhooks/{id}`
 * takes `{"webhook": {"url"}}` (updatable: url, active, payload_format, event_types) and answers `{"data": {...}}`.
 * Authenticated with `Authorization: Bearer <API token>`.
 */
import { apiOrigin, inPlaceClient, type RemoteWebhook, requiredKey, requiredOption } from './in-place';
import { expectOk, jsonBody, sendWithRetry } from './shared';
import { type HttpRequest, ManagementError, type ManagementModule } from './types';

const PROVIDER = 'mailtrap' as const;

/** The Mailtrap management module. */
export const mailtrapManagement: ManagementModule = {
  provider: PROVIDER,
  placement: 'url-userinfo',
  keyFields: ['apiKey'],
  keyScope:
    'an API token of this one account only (Mailtrap tokens are granted per account and resource); the exact permission for webhooks is not named in the sources examined, so check it under Settings > API Tokens',
  options: {
    accountId: 'required: the Mailtrap account id (the number in https://mailtrap.io/accounts/<id>/...)',
  },
  sources: [
    'https://github.com/mailtrap/mailtrap-ruby/blob/main/lib/mailtrap/webhooks_api.rb',
    'https://github.com/mailtrap/mailtrap-ruby/tree/main/spec/fixtures/vcr_cassettes/Mailtrap_WebhooksAPI',
    'https://docs.mailtrap.io/email-api-smtp/advanced/webhooks',
  ],
  create({ account, apiKey, http }) {
    const origin = apiOrigin(account, 'https://mailtrap.io');
    const base = () =>
      `${origin}/api/accounts/${encodeURIComponent(requiredOption(PROVIDER, account, 'accountId'))}/webhooks`;
    const send = (request: Omit<HttpRequest, 'headers'>) =>
      sendWithRetry(http, PROVIDER, {
        ...request,
        headers: {
          authorization: `Bearer ${requiredKey(PROVIDER, apiKey, 'apiKey')}`,
          accept: 'application/json',
          'content-type': 'application/json',
        },
      });

    return inPlaceClient<RemoteWebhook>({
      provider: PROVIDER,
      placement: 'url-userinfo',
      account,
      async list() {
        const response = expectOk(PROVIDER, 'listing webhooks', await send({ method: 'GET', url: base() }));
        const body = jsonBody(PROVIDER, 'listing webhooks', response) as { data?: unknown };
        if (!Array.isArray(body.data)) {
          throw new ManagementError(PROVIDER, 'listing webhooks answered without a data list', response.status);
        }
        return (body.data as Array<{ id?: unknown; url?: unknown; active?: unknown }>)
          .filter((hook) => (typeof hook.id === 'number' || typeof hook.id === 'string') && typeof hook.url === 'string')
          .map((hook) => ({ id: String(hook.id), url: hook.url as string, active: hook.active !== false }));
      },
      async updateUrl(hook, url) {
        expectOk(
          PROVIDER,
          `updating webhook ${hook.id}`,
          await send({
            method: 'PATCH',
            url: `${base()}/${encodeURIComponent(hook.id)}`,
            body: JSON.stringify({ webhook: { url } }),
          }),
        );
      },
    });
  },
};
