/**
 * A fake Mandrill (Mailchimp Transactional) webhooks API, built from [MD1] mailchimp/mailchimp-transactional-node
 * (`POST {basePath}/webhooks/list`, `/webhooks/update`, the API key in the JSON body's `key`) and [MD2] the
 * webhooks/update parameters (`id`, `url`, `description`, `events`) and answer (`id`, `url`, `description`,
 * `auth_key`, `events`, `created_at`, `last_sent_at`, `batches_sent`, `events_sent`, `last_error`). Errors are HTTP
 * 500 `{status: "error", code, name, message}`: `Invalid_Key` for a wrong key, `Unknown_Webhook` for an unknown id.
 * Whether `auth_key` changes on update is not documented [provider-apis MD2]; this fake keeps it.
 */
import { type FakeApiServer, startFakeApiServer } from '../fake-api-server';
import { type CarriedWebhook, type SeedWebhook, userInfoOf, withUserInfo } from './shared';

/** The example webhook of Mandrill's webhooks/list documentation, field for field. */
export const MANDRILL_EXAMPLE_WEBHOOK: Readonly<Record<string, unknown>> = {
  id: 42,
  url: 'http://example/webhook-url',
  description: 'My Example Webhook',
  auth_key: 'example webhook_key',
  events: ['send', 'open', 'click'],
  created_at: '2013-01-01 15:30:27',
  last_sent_at: '2013-01-01 15:30:49',
  batches_sent: 42,
  events_sent: 42,
  last_error: 'example last_error',
};

/** A running fake Mandrill account. */
export interface MandrillFake {
  readonly api: FakeApiServer;
  readonly webhooks: Record<string, unknown>[];
  carried(): CarriedWebhook[];
  close(): Promise<void>;
}

/** Starts the fake (base path `/api/1.0`) with the example webhook plus `seed` (credential as URL user info). */
export async function startMandrillFake(apiKey: string, seed: readonly SeedWebhook[]): Promise<MandrillFake> {
  const api = await startFakeApiServer();
  const webhooks: Record<string, unknown>[] = [structuredClone(MANDRILL_EXAMPLE_WEBHOOK)];
  seed.forEach((entry, index) => {
    webhooks.push({
      ...structuredClone(MANDRILL_EXAMPLE_WEBHOOK),
      id: 100 + index,
      url: withUserInfo(entry.url, entry.credential),
      description: `Hookguard ${index + 1}`,
      auth_key: `signing-key-${index + 1}`,
      events: ['send', 'hard_bounce', 'soft_bounce', 'reject'],
    });
  });
  const error = (name: string, code: number, message: string) => ({
    status: 500,
    body: { status: 'error', code, name, message },
  });
  const parse = (body: string) => JSON.parse(body) as Record<string, unknown>;

  api.route('POST', '/api/1.0/webhooks/list', (request) => {
    if (parse(request.body).key !== apiKey) return error('Invalid_Key', -1, 'Invalid API key');
    return { status: 200, body: webhooks };
  });
  api.route('POST', '/api/1.0/webhooks/update', (request) => {
    const body = parse(request.body);
    if (body.key !== apiKey) return error('Invalid_Key', -1, 'Invalid API key');
    const webhook = webhooks.find((candidate) => candidate.id === body.id);
    if (webhook === undefined) return error('Unknown_Webhook', 3, `No webhook with id ${String(body.id)}`);
    if (typeof body.url !== 'string') return error('ValidationError', -2, 'Validation error: url required');
    webhook.url = body.url;
    webhook.description = body.description ?? '';
    webhook.events = Array.isArray(body.events) ? body.events : [];
    return { status: 200, body: webhook };
  });

  return {
    api,
    webhooks,
    carried: () =>
      webhooks.map((webhook) => ({
        id: String(webhook.id),
        url: String(webhook.url),
        credential: userInfoOf(String(webhook.url)),
      })),
    close: () => api.close(),
  };
}
