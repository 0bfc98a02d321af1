/**
 * A fake of Mailtrap's webhooks API, built from mailtrap/mailtrap-ruby [MT1]: `lib/mailtrap/webhooks_api.rb`
 * (paths `/api/accounts/{account_id}/webhooks[/{id}]`, the `{"webhook": {...}}` request wrapper, updatable fields
 * `url`, `active`, `payload_format`, `event_types`) and its recorded answers
 * `spec/fixtures/vcr_cassettes/Mailtrap_WebhooksAPI/_list`, `_update` (2026-05): `{"data": [...]}` and
 * `{"data": {...}}`, webhook fields `id, url, active, webhook_type, payload_format, sending_stream, domain_id,
 * event_types`, `Authorization: Bearer <token>`.
 */
import { type FakeApiServer, type RecordedRequest, startFakeApiServer } from '../fake-api-server';

/** One webhook as the fake stores it (the recorded answer's fields). */
export interface MailtrapWebhook {
  id: number;
  url: string;
  active: boolean;
  webhook_type: 'email_sending' | 'audit_log';
  payload_format: 'json' | 'jsonlines';
  sending_stream: 'transactional' | 'bulk';
  domain_id: number | null;
  event_types: string[];
}

/** A running Mailtrap fake. */
export interface MailtrapFake {
  readonly server: FakeApiServer;
  readonly webhooks: MailtrapWebhook[];
  close(): Promise<void>;
}

const UPDATABLE = ['url', 'active', 'payload_format', 'event_types'] as const;

/** Starts the fake for one account; only `Bearer <token>` is accepted. */
export async function startMailtrapFake(accountId: string, token: string, webhooks: MailtrapWebhook[]): Promise<MailtrapFake> {
  const server = await startFakeApiServer();
  const state = webhooks.map((hook) => ({ ...hook }));
  const authorized = (request: RecordedRequest) => request.headers.authorization === `Bearer ${token}`;
  const unauthorized = { status: 401, body: { error: 'Incorrect API token' } };
  const notFound = { status: 404, body: { error: 'Not Found' } };

  server.route('GET', '/api/accounts/:account/webhooks', (request, params) => {
    if (!authorized(request)) return unauthorized;
    if (params.account !== accountId) return { status: 403, body: { errors: 'Access forbidden' } };
    return { status: 200, body: { data: state } };
  });
  server.route('PATCH', '/api/accounts/:account/webhooks/:id', (request, params) => {
    if (!authorized(request)) return unauthorized;
    if (params.account !== accountId) return { status: 403, body: { errors: 'Access forbidden' } };
    const hook = state.find((candidate) => String(candidate.id) === params.id);
    if (hook === undefined) return notFound;
    const body = JSON.parse(request.body) as { webhook?: Partial<MailtrapWebhook> };
    if (body.webhook === undefined) return { status: 422, body: { errors: { webhook: ['is missing'] } } };
    for (const field of UPDATABLE) {
      if (body.webhook[field] !== undefined) Object.assign(hook, { [field]: body.webhook[field] });
    }
    return { status: 200, body: { data: hook } };
  });
  return { server, webhooks: state, close: () => server.close() };
}
