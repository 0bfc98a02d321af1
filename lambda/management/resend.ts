/**
 * Resend: account webhooks with an `endpoint`. The API has no authentication field for the endpoint and Resend does
 * not document Basic credentials as URL user info [RS1], so this module has `placement: 'none'`: it keeps the
 * webhook pointing at Hookguard's URL but never writes a credential. Resend signs every request (Svix-style
 * `svix-signature` with the endpoint's `whsec_` secret), so run it with `auth: signature`; the signing secret is
 * rotated separately (`POST /webhooks/{id}/rotate-secret`, old and new both sign for 24 h [RS4]).
 *
 * API [RS1][RS2] (resend-node `src/webhooks/`, resend.com/docs/api-reference/webhooks): `GET /webhooks` answers
 * `{"object": "list", "has_more", "data": [{"id", "endpoint", "created_at", "status": "enabled" | "disabled",
 * "events"}]}` (paged with `limit` and `after`); `PATCH /webhooks/{id}` takes any of `endpoint`, `events`, `status`
 * and answers `{"object": "webhook", "id"}`. Authenticated with `Authorization: Bearer <API key>`.
 */
import { apiOrigin, inPlaceClient, type RemoteWebhook, requiredKey } from './in-place';
import { expectOk, jsonBody, sendWithRetry } from './shared';
import { type HttpRequest, ManagementError, type ManagementModule } from './types';

const PROVIDER = 'resend' as const;
const PAGE = 100;
const MAX_PAGES = 50;

/** The Resend management module. */
export const resendManagement: ManagementModule = {
  provider: PROVIDER,
  placement: 'none',
  keyFields: ['apiKey'],
  keyScope:
    'an API key with "Full access": Resend\'s only other permission, "Sending access", can send email but not manage webhooks [RS3]',
  options: {},
  sources: [
    'https://github.com/resend/resend-node/tree/main/src/webhooks',
    'https://resend.com/docs/api-reference/webhooks/update-webhook',
    'https://resend.com/changelog/new-api-key-permissions',
  ],
  create({ account, apiKey, http }) {
    const origin = apiOrigin(account, 'https://api.resend.com');
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
        const hooks: RemoteWebhook[] = [];
        let after: string | undefined;
        for (let page = 0; page < MAX_PAGES; page += 1) {
          const query = after === undefined ? `limit=${PAGE}` : `limit=${PAGE}&after=${encodeURIComponent(after)}`;
          const response = expectOk(PROVIDER, 'listing webhooks', await send({ method: 'GET', url: `${origin}/webhooks?${query}` }));
          const body = jsonBody(PROVIDER, 'listing webhooks', response) as { data?: unknown; has_more?: unknown };
          if (!Array.isArray(body.data)) {
            throw new ManagementError(PROVIDER, 'listing webhooks answered without a data list', response.status);
          }
          const items = body.data as Array<{ id?: unknown; endpoint?: unknown; status?: unknown }>;
          for (const hook of items) {
            if (typeof hook.id !== 'string' || typeof hook.endpoint !== 'string') continue;
            hooks.push({ id: hook.id, url: hook.endpoint, active: hook.status !== 'disabled' });
          }
          const last = items.at(-1);
          if (body.has_more !== true || last === undefined || typeof last.id !== 'string') break;
          after = last.id;
        }
        return hooks;
      },
      async updateUrl(hook, url) {
        expectOk(
          PROVIDER,
          `updating webhook ${hook.id}`,
          await send({ method: 'PATCH', url: `${origin}/webhooks/${encodeURIComponent(hook.id)}`, body: JSON.stringify({ endpoint: url }) }),
        );
      },
    });
  },
};
