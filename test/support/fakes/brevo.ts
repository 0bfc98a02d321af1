/**
 * A fake Brevo webhooks API, built from [BR1] developers.brevo.com/reference/update-webhook (PUT
 * /v3/webhooks/{webhookId} answers 204 with no body; 404 for an unknown id) and [BR3] getbrevo/brevo-node
 * (`GET /v3/webhooks` with `type` = transactional, marketing or inbound, answering `{"webhooks": [GetWebhook]}`;
 * GetWebhook: url, id, description, events, type, createdAt, modifiedAt, batched?, auth {type, token}?, headers?;
 * header `api-key`). The example webhook is the reference's (`http://requestb.in/173lyyx1`, "Webhook triggered on
 * contact hardbounce"). Brevo errors are `{code, message}`; a wrong key is answered 401 `unauthorized`.
 */
import type { WebhookCredential } from '../../../lambda/management/types';
import { type FakeApiServer, startFakeApiServer } from '../fake-api-server';
import { type CarriedWebhook, type SeedWebhook, userInfoOf } from './shared';

/** The reference's example webhook [BR1][BR3]. */
export const BREVO_EXAMPLE_WEBHOOK: Readonly<Record<string, unknown>> = {
  url: 'http://requestb.in/173lyyx1',
  id: 2,
  description: 'Webhook triggered on contact hardbounce',
  events: ['hardBounce'],
  type: 'transactional',
  createdAt: '2016-06-08T12:07:36.000Z',
  modifiedAt: '2016-06-08T12:07:36.000Z',
};

/** A running fake Brevo account. */
export interface BrevoFake {
  readonly api: FakeApiServer;
  readonly webhooks: Record<string, unknown>[];
  carried(): CarriedWebhook[];
  close(): Promise<void>;
}

/** The bearer token stands for the password: reported with the user name Hookguard uses (`hookguard`). */
function carriedCredential(webhook: Record<string, unknown>): WebhookCredential | null {
  const auth = webhook.auth as { type?: string; token?: string } | undefined;
  if (auth?.type === 'bearer' && typeof auth.token === 'string') return { username: 'hookguard', password: auth.token };
  return userInfoOf(String(webhook.url));
}

/** Starts the fake with the example webhook plus `seed` (the password as the bearer token). */
export async function startBrevoFake(apiKey: string, seed: readonly SeedWebhook[]): Promise<BrevoFake> {
  const api = await startFakeApiServer();
  const webhooks: Record<string, unknown>[] = [structuredClone(BREVO_EXAMPLE_WEBHOOK)];
  seed.forEach((entry, index) => {
    webhooks.push({
      ...structuredClone(BREVO_EXAMPLE_WEBHOOK),
      id: 100 + index,
      url: entry.url,
      description: `Hookguard ${index + 1}`,
      events: ['delivered', 'hardBounce', 'softBounce', 'spam'],
      ...(entry.credential === null ? {} : { auth: { type: 'bearer', token: entry.credential.password } }),
    });
  });
  const unauthorized = { status: 401, body: { code: 'unauthorized', message: 'Key not found' } };

  api.route('GET', '/v3/webhooks', (request) => {
    if (request.headers['api-key'] !== apiKey) return unauthorized;
    const type = request.query.get('type') ?? 'transactional';
    return { status: 200, body: { webhooks: webhooks.filter((webhook) => webhook.type === type) } };
  });
  api.route('PUT', '/v3/webhooks/:id', (request, params) => {
    if (request.headers['api-key'] !== apiKey) return unauthorized;
    const webhook = webhooks.find((candidate) => String(candidate.id) === params.id);
    if (webhook === undefined) return { status: 404, body: { code: 'document_not_found', message: 'Webhook not found' } };
    const body = JSON.parse(request.body) as Record<string, unknown>;
    for (const field of ['url', 'description', 'events', 'domain', 'batched', 'auth', 'headers']) {
      if (body[field] !== undefined) webhook[field] = body[field];
    }
    webhook.modifiedAt = new Date().toISOString();
    return { status: 204 };
  });

  return {
    api,
    webhooks,
    carried: () =>
      webhooks.map((webhook) => ({
        id: String(webhook.id),
        url: String(webhook.url),
        credential: carriedCredential(webhook),
      })),
    close: () => api.close(),
  };
}
