/**
 * A fake of Mailtrap's webhooks API, built from mailtrap/mailtrap-ruby [MT1]: `lib/mailtrap/webhooks_api.rb`
 * (paths `/api/accounts/{account_id}/webhooks[/{id}]`, the `{"webhook": {...}}` request wrapper, updatable fields
 * `url`, `active`, `payload_format`, `event_types`) and its recorded answers
 * `spec/fixtures/vcr_cassettes/Mailtrap_WebhooksAPI/_list`, `_update` (2026-05): `{"data": [...]}` and
 * `{"data": {...}}`, webhook fields `id, url, active, webhook_type, payload_format, sending_stream, domain_id,
 * event_types`, `Authorization: Bearer <token>`; the recorded account id 1111111 and webhook 3080 are the example.
 */
import type { ProviderApiKey } from '../../../lambda/management/types';
import { type FakeApiServer, type RecordedRequest, startFakeApiServer } from '../fake-api-server';
import { type CarriedWebhook, type SeedWebhook, userInfoOf, withUserInfo } from './shared';

/** The account id of the recorded answers. */
export const MAILTRAP_ACCOUNT = '1111111';

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
  readonly api: FakeApiServer;
  readonly webhooks: MailtrapWebhook[];
  carried(): CarriedWebhook[];
  close(): Promise<void>;
}

const UPDATABLE = ['url', 'active', 'payload_format', 'event_types'] as const;

/** A webhook shaped like the recorded `_list` answer. */
export function mailtrapWebhook(id: number, url: string): MailtrapWebhook {
  return {
    id,
    url,
    active: true,
    webhook_type: 'email_sending',
    payload_format: 'json',
    sending_stream: 'transactional',
    domain_id: null,
    event_types: ['delivery', 'bounce', 'unsubscribe'],
  };
}

/** Starts the fake for account {@link MAILTRAP_ACCOUNT}: the recorded example webhook plus `seed`. */
export async function startMailtrapFake(apiKey: ProviderApiKey, seed: readonly SeedWebhook[]): Promise<MailtrapFake> {
  const api = await startFakeApiServer();
  const webhooks: MailtrapWebhook[] = [
    { ...mailtrapWebhook(3080, 'https://example.com/mailtrap/webhooks'), active: false },
    ...seed.map((webhook, index) => mailtrapWebhook(3100 + index, withUserInfo(webhook.url, webhook.credential))),
  ];
  const authorized = (request: RecordedRequest) => request.headers.authorization === `Bearer ${apiKey.apiKey}`;
  const unauthorized = { status: 401, body: { error: 'Incorrect API token' } };
  const forbidden = { status: 403, body: { errors: 'Access forbidden' } };

  api.route('GET', '/api/accounts/:account/webhooks', (request, params) => {
    if (!authorized(request)) return unauthorized;
    if (params.account !== MAILTRAP_ACCOUNT) return forbidden;
    return { status: 200, body: { data: webhooks } };
  });
  api.route('PATCH', '/api/accounts/:account/webhooks/:id', (request, params) => {
    if (!authorized(request)) return unauthorized;
    if (params.account !== MAILTRAP_ACCOUNT) return forbidden;
    const hook = webhooks.find((candidate) => String(candidate.id) === params.id);
    if (hook === undefined) return { status: 404, body: { error: 'Not Found' } };
    const body = JSON.parse(request.body) as { webhook?: Partial<MailtrapWebhook> };
    if (body.webhook === undefined) return { status: 422, body: { errors: { webhook: ['is missing'] } } };
    for (const field of UPDATABLE) {
      if (body.webhook[field] !== undefined) Object.assign(hook, { [field]: body.webhook[field] });
    }
    return { status: 200, body: { data: hook } };
  });
  return {
    api,
    webhooks,
    carried: () => webhooks.map((hook) => ({ id: String(hook.id), url: hook.url, credential: userInfoOf(hook.url) })),
    close: () => api.close(),
  };
}
