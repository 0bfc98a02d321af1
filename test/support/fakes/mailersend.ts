/**
 * A fake of MailerSend's webhooks API [MS1], built from developers.mailersend.com/api/v1/webhooks.html ("List
 * webhooks": `GET /v1/webhooks?domain_id=` with `limit` 10-100, answers `{"data": [...], "links", "meta"}`; "Update a
 * webhook": `PUT /v1/webhooks/{webhook_id}` with optional `url`, `name`, `events`, `enabled`, `version`, answers
 * `{"data": {...}}`; webhook fields `id, url, events, name, enabled, editable, created_at, updated_at`) and
 * mailersend/mailersend-nodejs `src/modules/email/Webhook.module.ts` (list passes `domain_id`, update is a PUT).
 * Authenticated with `Authorization: Bearer <token>`; errors answer `{"message"}`.
 */
import { type FakeApiServer, type RecordedRequest, startFakeApiServer } from '../fake-api-server';

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
  readonly server: FakeApiServer;
  readonly webhooks: MailersendWebhook[];
  close(): Promise<void>;
}

/** Starts the fake; `limit` is honoured, so a small page size exercises paging. */
export async function startMailersendFake(token: string, webhooks: MailersendWebhook[]): Promise<MailersendFake> {
  const server = await startFakeApiServer();
  const state = webhooks.map((hook) => ({ ...hook }));
  const authorized = (request: RecordedRequest) => request.headers.authorization === `Bearer ${token}`;
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
  return { server, webhooks: state, close: () => server.close() };
}
