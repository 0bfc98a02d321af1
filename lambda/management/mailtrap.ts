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
import { apiBase, inPlaceClient, jsonApi, type RemoteWebhook, requiredKey, requiredOption, unexpectedAnswer } from './in-place';
import { credentialInUrl, urlWithCredential } from './shared';
import type { ManagementModule } from './types';

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
    const origin = apiBase(account, { us: 'https://mailtrap.io' });
    const base = () =>
      `${origin}/api/accounts/${encodeURIComponent(requiredOption(PROVIDER, account, 'accountId'))}/webhooks`;
    const call = jsonApi(http, PROVIDER, () => ({ authorization: `Bearer ${requiredKey(PROVIDER, apiKey, 'apiKey')}` }));

    return inPlaceClient<RemoteWebhook>(account, {
      provider: PROVIDER,
      credentialField: 'URL user info',
      async list() {
        const answer = (await call('listing webhooks', 'GET', base())) as { data?: unknown } | null;
        if (!Array.isArray(answer?.data)) throw unexpectedAnswer(PROVIDER, 'listing webhooks');
        return (answer.data as Array<{ id?: unknown; url?: unknown; active?: unknown }>).flatMap((hook) =>
          (typeof hook.id === 'number' || typeof hook.id === 'string') && typeof hook.url === 'string'
            ? [{ id: String(hook.id), url: hook.url, credential: credentialInUrl(hook.url), active: hook.active !== false }]
            : [],
        );
      },
      async update(hook, desired) {
        await call(`updating webhook ${hook.id}`, 'PATCH', `${base()}/${encodeURIComponent(hook.id)}`, {
          webhook: { url: urlWithCredential(desired.url, desired.credential) },
        });
      },
    });
  },
};
