/**
 * MailerSend: per-domain webhooks with a `url`. MailerSend's documentation describes no credential field and does
 * not document Basic credentials as URL user info [MS1], so this module has `placement: 'none'`: it keeps the
 * webhook pointing at Hookguard's URL (for example after the path token changes) but never writes a credential.
 * MailerSend signs every request (`Signature`, HMAC-SHA256 with the webhook's secret), so run the provider with
 * `auth: signature` and the signature alone authenticates it; the rotation then has nothing to push here.
 *
 * API [MS1] (developers.mailersend.com/api/v1/webhooks.html; mailersend-nodejs `Webhook.module.ts`):
 * `GET /v1/webhooks?domain_id=` answers `{"data": [{"id", "url", "events", "name", "enabled", "editable",
 * "created_at", "updated_at"}], "links", "meta"}` (paged: `page`, `limit` up to 100);
 * `PUT /v1/webhooks/{webhook_id}` takes any of `url`, `name`, `events`, `enabled`, `version` and answers
 * `{"data": {...}}`. Authenticated with `Authorization: Bearer <API token>`.
 */
import { apiBase, inPlaceClient, jsonApi, type RemoteWebhook, requiredKey, requiredOption, unexpectedAnswer } from './in-place';
import { credentialInUrl } from './shared';
import type { ManagementModule } from './types';

const PROVIDER = 'mailersend' as const;
const PAGE = 100;
/** A bound on pages read, so a misbehaving answer cannot loop for ever. */
const MAX_PAGES = 50;

/** The MailerSend management module. */
export const mailersendManagement: ManagementModule = {
  provider: PROVIDER,
  placement: 'none',
  keyFields: ['apiKey'],
  keyScope:
    'an API token with "Custom access" limited to the one domain and, in it, only the Webhooks scope at "Full access" (MailerSend tokens are per domain with per-area scopes; the exact scope name is not given in the sources examined)',
  options: {
    domainId: 'required: the MailerSend domain id whose webhooks are managed (Domains > Manage, or GET /v1/domains)',
  },
  sources: [
    'https://developers.mailersend.com/api/v1/webhooks.html',
    'https://github.com/mailersend/mailersend-nodejs/blob/main/src/modules/email/Webhook.module.ts',
  ],
  create({ account, apiKey, http }) {
    const origin = apiBase(account, { us: 'https://api.mailersend.com' });
    const call = jsonApi(http, PROVIDER, () => ({ authorization: `Bearer ${requiredKey(PROVIDER, apiKey, 'apiKey')}` }));

    return inPlaceClient<RemoteWebhook>(account, {
      provider: PROVIDER,
      credentialField: 'URL user info',
      carriesCredential: false,
      async list() {
        const domainId = encodeURIComponent(requiredOption(PROVIDER, account, 'domainId'));
        const hooks: RemoteWebhook[] = [];
        for (let page = 1; page <= MAX_PAGES; page += 1) {
          const url = `${origin}/v1/webhooks?domain_id=${domainId}&limit=${PAGE}&page=${page}`;
          const answer = (await call('listing webhooks', 'GET', url)) as {
            data?: unknown;
            meta?: { last_page?: unknown };
          } | null;
          if (!Array.isArray(answer?.data)) throw unexpectedAnswer(PROVIDER, 'listing webhooks');
          for (const hook of answer.data as Array<{ id?: unknown; url?: unknown; enabled?: unknown }>) {
            if (typeof hook.id !== 'string' || typeof hook.url !== 'string') continue;
            hooks.push({ id: hook.id, url: hook.url, credential: credentialInUrl(hook.url), active: hook.enabled !== false });
          }
          const lastPage = typeof answer.meta?.last_page === 'number' ? answer.meta.last_page : page;
          if (page >= lastPage || answer.data.length === 0) break;
        }
        return hooks;
      },
      async update(hook, desired) {
        // Only the target: no credential is written (placement none).
        await call(`updating webhook ${hook.id}`, 'PUT', `${origin}/v1/webhooks/${encodeURIComponent(hook.id)}`, {
          url: desired.url,
        });
      },
    });
  },
};
