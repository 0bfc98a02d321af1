/**
 * A fake of MailerSend's webhooks API [MS1], built from developers.mailersend.com/api/v1/webhooks.html ("List
 * webhooks": `GET /v1/webhooks?domain_id=` with `limit` 10-100, answers `{"data": [...], "links", "meta"}`; "Update a
 * webhook": `PUT /v1/webhooks/{webhook_id}` with optional `url`, `name`, `events`, `enabled`, `version`, answers
 * `{"data": {...}}`; webhook fields `id, url, events, name, enabled, editable, created_at, updated_at`) and
 * mailersend/mailersend-nodejs `src/modules/email/Webhook.module.ts` (list passes `domain_id`, update is a PUT).
 * Authenticated with `Authorization: Bearer <token>`; errors answer `{"message"}`.
 */
import type { ProviderApiKey } from '../../../lambda/management/types';
import { type FakeApiServer, type RecordedRequest, startFakeApiServer } from '../fake-api-server';
import { type CarriedWebhook, type SeedWebhook, userInfoOf, withUserInfo } from './shared';

/** The domain id the fake's webhooks belong to (an id in the documentation's format). */
export const MAILERSEND_DOMAIN = 'jy7zpl9x5opg5vx6';

/** One webhook as the fake stores it. */
export interface MailersendWebhook {
  id: string;
  url: string;
  events: string[];
  name: string;
  enabled: boolean;
  editable: boolean;
  created_at: string;
  updated_at: string;
  domain_id: string;
}

/** A running MailerSend fake. */
export interface MailersendFake {
  readonly api: FakeApiServer;
  readonly webhooks: MailersendWebhook[];
  carried(): CarriedWebhook[];
  close(): Promise<void>;
}

/** A webhook shaped like the documented "List webhooks" answer. */
export function mailersendWebhook(id: string, url: string, domainId = MAILERSEND_DOMAIN): MailersendWebhook {
  return {
    id,
    url,
    events: ['activity.sent', 'activity.delivered'],
    name: 'Webhook name',
    enabled: true,
    editable: false,
    created_at: '2020-06-10 10:10:10',
    updated_at: '2020-06-10 10:10:10',
    domain_id: domainId,
  };
}

/**
 * Starts the fake: the documentation's example webhook, `seed` (in {@link MAILERSEND_DOMAIN}) and `extra` webhooks.
 * `limit` is honoured, so many webhooks exercise paging.
 */
export async function startMailersendFake(
  apiKey: ProviderApiKey,
  seed: readonly SeedWebhook[],
  extra: readonly MailersendWebhook[] = [],
): Promise<MailersendFake> {
  const server = await startFakeApiServer();
  const state: MailersendWebhook[] = [
    mailersendWebhook('aX7nQ', 'https://www.cartwright.info/eligendi-soluta-corporis-in-quod-ullam'),
    ...seed.map((webhook, index) => mailersendWebhook(`seed${index}`, withUserInfo(webhook.url, webhook.credential))),
    ...extra.map((hook) => ({ ...hook })),
  ];
  const authorized = (request: RecordedRequest) => request.headers.authorization === `Bearer ${apiKey.apiKey}`;
  const unauthenticated = { status: 401, body: { message: 'Unauthenticated.' } };
  const view = ({ domain_id: _domain, ...hook }: MailersendWebhook) => hook;

  server.route('GET', '/v1/webhooks', (request) => {
    if (!authorized(request)) return unauthenticated;
    const domainId = request.query.get('domain_id');
    if (domainId === null) {
      return { status: 422, body: { message: 'The domain id field is required.', errors: { domain_id: ['The domain id field is required.'] } } };
    }
    const limit = Math.max(10, Math.min(100, Number(request.query.get('limit') ?? 25)));
    const page = Number(request.query.get('page') ?? 1);
    const all = state.filter((hook) => hook.domain_id === domainId);
    const lastPage = Math.max(1, Math.ceil(all.length / limit));
    return {
      status: 200,
      body: {
        data: all.slice((page - 1) * limit, page * limit).map(view),
        links: { first: null, last: null, prev: null, next: null },
        meta: { current_page: page, last_page: lastPage, per_page: limit, total: all.length, path: '/v1/webhooks' },
      },
    };
  });
  server.route('PUT', '/v1/webhooks/:id', (request, params) => {
    if (!authorized(request)) return unauthenticated;
    const hook = state.find((candidate) => candidate.id === params.id);
    if (hook === undefined) return { status: 404, body: { message: 'Resource not found.' } };
    const body = JSON.parse(request.body) as Partial<MailersendWebhook>;
    if (body.url !== undefined) hook.url = body.url;
    if (body.name !== undefined) hook.name = body.name;
    if (body.events !== undefined) hook.events = body.events;
    if (body.enabled !== undefined) hook.enabled = body.enabled;
    hook.updated_at = '2026-12-02 06:00:00';
    return { status: 200, body: { data: view(hook) } };
  });
  return {
    api: server,
    webhooks: state,
    carried: () => state.map((hook) => ({ id: hook.id, url: hook.url, credential: userInfoOf(hook.url) })),
    close: () => server.close(),
  };
}
