/**
 * A fake SendGrid Event Webhook API, built from [SG1] twilio/sendgrid-oai `spec/yaml/tsg_webhooks_v3.yaml`
 * (commit dbe0e0d): `GET /v3/user/webhooks/event/settings/all` answers `{max_allowed, webhooks}`;
 * `PATCH /v3/user/webhooks/event/settings/{id}` takes EventWebhookRequest (`url` required), answers the updated
 * webhook (EventWebhookUnsignedResponse), 400 `Webhook at '<url>' already exists` when another webhook has the URL,
 * 404 `Invalid id provided.` for an unknown id. Auth: `Authorization: Bearer <API key>`.
 */
import { type FakeApiServer, startFakeApiServer } from '../fake-api-server';
import { type CarriedWebhook, type SeedWebhook, userInfoOf, withUserInfo } from './shared';

/** The two webhooks of the spec's "Two Webhooks" example (ListEventWebhook), field for field. */
export const SENDGRID_EXAMPLE_WEBHOOKS: readonly Record<string, unknown>[] = [
  {
    enabled: true,
    url: 'https://emailengagment.example.com',
    group_resubscribe: true,
    delivered: true,
    group_unsubscribe: true,
    spam_report: true,
    bounce: true,
    deferred: true,
    unsubscribe: true,
    processed: false,
    open: true,
    click: true,
    dropped: true,
    friendly_name: 'Engagment Webhook',
    id: '77d4a5da-7015-11ed-a1eb-0242ac120002',
    oauth_client_id: 'a835e7210bbb47edbfa71bdfc909b2d7',
    oauth_token_url: 'https://oauthservice.example.com',
    public_key: '123publickeyabc',
    created_date: '2023-01-01T12:00:00Z',
    updated_date: '2023-02-15T10:00:00Z',
  },
  {
    enabled: true,
    url: 'https://emaildelivery.example.com',
    group_resubscribe: false,
    delivered: true,
    group_unsubscribe: false,
    spam_report: false,
    bounce: true,
    deferred: true,
    unsubscribe: false,
    processed: true,
    open: false,
    click: false,
    dropped: true,
    friendly_name: 'Delivery Webhook',
    id: '77d4a5da-7015-11ed-a1eb-0242ac120003',
    oauth_client_id: 'a835e7210bbb47edbfa71bdfc909b2d7',
    oauth_token_url: 'https://oauthservice.example.com',
    public_key: '123publickeydef',
    created_date: '2023-01-01T12:00:00Z',
    updated_date: '2023-02-15T10:00:00Z',
  },
];

/** The fields EventWebhookRequest documents [SG1]; anything else in a PATCH is refused by this fake. */
const REQUEST_FIELDS = new Set([
  'enabled',
  'url',
  'group_resubscribe',
  'delivered',
  'group_unsubscribe',
  'spam_report',
  'bounce',
  'deferred',
  'unsubscribe',
  'processed',
  'open',
  'click',
  'dropped',
  'friendly_name',
  'oauth_client_id',
  'oauth_client_secret',
  'oauth_token_url',
]);

/** A running fake SendGrid account. */
export interface SendGridFake {
  readonly api: FakeApiServer;
  readonly webhooks: Record<string, unknown>[];
  carried(): CarriedWebhook[];
  close(): Promise<void>;
}

/** Starts the fake with the spec's example webhooks plus `seed` (each an Event Webhook at its URL). */
export async function startSendGridFake(apiKey: string, seed: readonly SeedWebhook[]): Promise<SendGridFake> {
  const api = await startFakeApiServer();
  const webhooks: Record<string, unknown>[] = SENDGRID_EXAMPLE_WEBHOOKS.map((webhook) => structuredClone(webhook));
  seed.forEach((entry, index) => {
    webhooks.push({
      ...structuredClone(SENDGRID_EXAMPLE_WEBHOOKS[1]),
      id: `hookguard-${index + 1}`,
      friendly_name: `Hookguard ${index + 1}`,
      url: withUserInfo(entry.url, entry.credential),
      public_key: undefined,
    });
  });
  const unauthorized = { status: 401, body: { errors: [{ field: null, message: 'authorization required' }] } };
  const authorized = (authorization: string | undefined) => authorization === `Bearer ${apiKey}`;

  api.route('GET', '/v3/user/webhooks/event/settings/all', (request) => {
    if (!authorized(request.headers.authorization)) return unauthorized;
    return { status: 200, body: { max_allowed: 5, webhooks } };
  });
  api.route('PATCH', '/v3/user/webhooks/event/settings/:id', (request, params) => {
    if (!authorized(request.headers.authorization)) return unauthorized;
    const webhook = webhooks.find((candidate) => candidate.id === params.id);
    if (webhook === undefined) return { status: 404, body: { errors: [{ message: 'Invalid id provided.' }] } };
    const body = JSON.parse(request.body) as Record<string, unknown>;
    const unknown = Object.keys(body).filter((field) => !REQUEST_FIELDS.has(field));
    if (typeof body.url !== 'string' || unknown.length > 0) {
      return { status: 400, body: { errors: [{ field: unknown[0] ?? 'url', message: 'invalid request' }] } };
    }
    const taken = webhooks.find((other) => other !== webhook && other.url === body.url);
    if (taken !== undefined) {
      return {
        status: 400,
        body: {
          errors: [
            { id: taken.id, message: `Webhook at '${body.url}' already exists. Please provide a unique URL.`, url: body.url },
          ],
        },
      };
    }
    delete body.oauth_client_secret;
    Object.assign(webhook, body, { updated_date: new Date().toISOString() });
    const answer: Record<string, unknown> = { ...webhook };
    delete answer.public_key;
    return { status: 200, body: answer };
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
