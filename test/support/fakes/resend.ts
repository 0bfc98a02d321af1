/**
 * A fake of Resend's webhooks API [RS1][RS2], built from resend/resend-node `src/webhooks/` (the interfaces
 * `ListWebhooksResponseSuccess` `{"object": "list", "has_more", "data"}`, `Webhook` `{id, endpoint, created_at,
 * status: "enabled" | "disabled", events}`, `UpdateWebhookOptions` `{endpoint?, events?, status?}`,
 * `UpdateWebhookResponseSuccess` `{"object": "webhook", id}`; `webhooks.spec.ts` for `GET /webhooks?limit=` and the
 * `{"name": "not_found", "message", "statusCode": 404}` error) and resend.com/docs/api-reference/webhooks
 * (`PATCH /webhooks/{id}`, cursor paging with `after`). Authenticated with `Authorization: Bearer <API key>`.
 */
import type { ProviderApiKey } from '../../../lambda/management/types';
import { type FakeApiServer, type RecordedRequest, startFakeApiServer } from '../fake-api-server';
import { type CarriedWebhook, type SeedWebhook, userInfoOf, withUserInfo } from './shared';

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
  readonly api: FakeApiServer;
  readonly webhooks: ResendWebhook[];
  carried(): CarriedWebhook[];
  close(): Promise<void>;
}

/** A webhook shaped like resend-node's list fixture. */
export function resendWebhook(id: string, endpoint: string): ResendWebhook {
  return { id, endpoint, created_at: '2023-06-21T06:10:36.144Z', status: 'enabled', events: ['email.sent', 'email.delivered'] };
}

/**
 * Starts the fake: the two webhooks of resend-node's list fixture, `seed`, then `extra`. `limit` is honoured
 * (1-100), so many webhooks exercise the `after` cursor.
 */
export async function startResendFake(
  apiKey: ProviderApiKey,
  seed: readonly SeedWebhook[],
  extra: readonly ResendWebhook[] = [],
): Promise<ResendFake> {
  const server = await startFakeApiServer();
  const state: ResendWebhook[] = [
    resendWebhook('430eed87-632a-4ea6-90db-0aace67ec228', 'https://example.com/webhook'),
    { ...resendWebhook('b6d24b8e-af0b-4c3c-be0c-359bbd97381e', 'https://example.com/webhook2'), events: ['email.bounced'] },
    ...seed.map((webhook, index) =>
      resendWebhook(`c0ffee00-0000-4000-8000-${String(index).padStart(12, '0')}`, withUserInfo(webhook.url, webhook.credential)),
    ),
    ...extra.map((hook) => ({ ...hook })),
  ];
  const authorized = (request: RecordedRequest) => request.headers.authorization === `Bearer ${apiKey.apiKey}`;
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
  return {
    api: server,
    webhooks: state,
    carried: () => state.map((hook) => ({ id: hook.id, url: hook.endpoint, credential: userInfoOf(hook.endpoint) })),
    close: () => server.close(),
  };
}
