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
import { apiOrigin, inPlaceClient, type RemoteWebhook, requiredKey, requiredOption } from './in-place';
import { expectOk, jsonBody, sendWithRetry } from './shared';
import { type HttpRequest, ManagementError, type ManagementModule } from './types';

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
    const origin = apiOrigin(account, 'https://api.mailersend.com');
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
      placement: 'none',
      account,
      async list() {
        const domainId = encodeURIComponent(requiredOption(PROVIDER, account, 'domainId'));
        const hooks: RemoteWebhook[] = [];
        for (let page = 1; page <= MAX_PAGES; page += 1) {
          const response = expectOk(
            PROVIDER,
            'listing webhooks',
            await send({ method: 'GET', url: `${origin}/v1/webhooks?domain_id=${domainId}&limit=${PAGE}&page=${page}` }),
          );
          const body = jsonBody(PROVIDER, 'listing webhooks', response) as {
            data?: unknown;
            meta?: { last_page?: unknown };
          };
          if (!Array.isArray(body.data)) {
            throw new ManagementError(PROVIDER, 'listing webhooks answered without a data list', response.status);
          }
          for (const hook of body.data as Array<{ id?: unknown; url?: unknown; enabled?: unknown }>) {
            if (typeof hook.id !== 'string' || typeof hook.url !== 'string') continue;
            hooks.push({ id: hook.id, url: hook.url, active: hook.enabled !== false });
          }
          const lastPage = typeof body.meta?.last_page === 'number' ? body.meta.last_page : page;
          if (page >= lastPage || body.data.length === 0) break;
        }
        return hooks;
      },
      async updateUrl(hook, url) {
        expectOk(
          PROVIDER,
          `updating webhook ${hook.id}`,
          await send({ method: 'PUT', url: `${origin}/v1/webhooks/${encodeURIComponent(hook.id)}`, body: JSON.stringify({ url }) }),
        );
      },
    });
  },
};
