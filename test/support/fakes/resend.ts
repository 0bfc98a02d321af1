/**
 * A fake of Resend's webhooks API [RS1][RS2], built from resend/resend-node `src/webhooks/` (the interfaces
 * `ListWebhooksResponseSuccess` `{"object": "list", "has_more", "data"}`, `Webhook` `{id, endpoint, created_at,
 * status: "enabled" | "disabled", events}`, `UpdateWebhookOptions` `{endpoint?, events?, status?}`,
 * `UpdateWebhookResponseSuccess` `{"object": "webhook", id}`; `webhooks.spec.ts` for `GET /webhooks?limit=` and the
 * `{"name": "not_found", "message", "statusCode": 404}` error) and resend.com/docs/api-reference/webhooks
 * (`PATCH /webhooks/{id}`, cursor paging with `after`). Authenticated with `Authorization: Bearer <API key>`.
 */
import { type FakeApiServer, type RecordedRequest, startFakeApiServer } from '../fake-api-server';

/** One webhook as the fake stores it. */
export interface ResendWebhook {
  id: string;
  endpoint: string;
  created_at: string;
  status: 'enabled' | 'disabled';
  events: string[] | null;
}

/** A running Resend fake. */
export interface ResendFake {
  readonly server: FakeApiServer;
  readonly webhooks: ResendWebhook[];
  close(): Promise<void>;
}

/** Starts the fake; `limit` is honoured (1-100), so a small page exercises the `after` cursor. */
export async function startResendFake(apiKey: string, webhooks: ResendWebhook[]): Promise<ResendFake> {
  const server = await startFakeApiServer();
  const state = webhooks.map((hook) => ({ ...hook }));
  const authorized = (request: RecordedRequest) => request.headers.authorization === `Bearer ${apiKey}`;
  const unauthorized = { status: 401, body: { name: 'validation_error', message: 'API key is invalid', statusCode: 401 } };

  server.route('GET', '/webhooks', (request) => {
    if (!authorized(request)) return unauthorized;
    const limit = Math.max(1, Math.min(100, Number(request.query.get('limit') ?? 20)));
    const after = request.query.get('after');
    const start = after === null ? 0 : state.findIndex((hook) => hook.id === after) + 1;
    const data = state.slice(start, start + limit);
    return { status: 200, body: { object: 'list', has_more: start + limit < state.length, data } };
  });
  server.route('PATCH', '/webhooks/:id', (request, params) => {
    if (!authorized(request)) return unauthorized;
    const hook = state.find((candidate) => candidate.id === params.id);
    if (hook === undefined) {
      return { status: 404, body: { name: 'not_found', message: 'Failed to update webhook endpoint', statusCode: 404 } };
    }
    const body = JSON.parse(request.body) as Partial<ResendWebhook>;
    if (body.endpoint !== undefined) hook.endpoint = body.endpoint;
    if (body.events !== undefined) hook.events = body.events;
    if (body.status !== undefined) hook.status = body.status;
    return { status: 200, body: { object: 'webhook', id: hook.id } };
  });
  return { server, webhooks: state, close: () => server.close() };
}
