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
import { apiBase, inPlaceClient, jsonApi, type RemoteWebhook, requiredKey, unexpectedAnswer } from './in-place';
import { credentialInUrl } from './shared';
import type { ManagementModule } from './types';

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
    const origin = apiBase(account, { us: 'https://api.resend.com' });
    const call = jsonApi(http, PROVIDER, () => ({ authorization: `Bearer ${requiredKey(PROVIDER, apiKey, 'apiKey')}` }));

    return inPlaceClient<RemoteWebhook>(account, {
      provider: PROVIDER,
      credentialField: 'endpoint user info',
      carriesCredential: false,
      async list() {
        const hooks: RemoteWebhook[] = [];
        let after: string | undefined;
        for (let page = 0; page < MAX_PAGES; page += 1) {
          const cursor = after === undefined ? '' : `&after=${encodeURIComponent(after)}`;
          const answer = (await call('listing webhooks', 'GET', `${origin}/webhooks?limit=${PAGE}${cursor}`)) as {
            data?: unknown;
            has_more?: unknown;
          } | null;
          if (!Array.isArray(answer?.data)) throw unexpectedAnswer(PROVIDER, 'listing webhooks');
          const items = answer.data as Array<{ id?: unknown; endpoint?: unknown; status?: unknown }>;
          for (const { id, endpoint, status } of items) {
            if (typeof id !== 'string' || typeof endpoint !== 'string') continue;
            hooks.push({ id, url: endpoint, credential: credentialInUrl(endpoint), active: status !== 'disabled' });
          }
          const last = items.at(-1)?.id;
          if (answer.has_more !== true || typeof last !== 'string') break;
          after = last;
        }
        return hooks;
      },
      async update(hook, desired) {
        // Only the target: no credential is written (placement none).
        await call(`updating webhook ${hook.id}`, 'PATCH', `${origin}/webhooks/${encodeURIComponent(hook.id)}`, {
          endpoint: desired.url,
        });
      },
    });
  },
};
