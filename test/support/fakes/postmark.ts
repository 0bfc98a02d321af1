/**
 * A fake Postmark webhooks API, built from [PM1] postmarkapp.com/developer/api/webhooks-api: `GET /webhooks` with
 * the optional `MessageStream` query ("If a non existing stream is provided, an error is thrown instead of an empty
 * webhooks array") answers `{"Webhooks": [...]}` with `HttpAuth` (password included); `PUT /webhooks/{ID}` takes
 * any of `Url`, `HttpAuth`, `HttpHeaders`, `Triggers` ([PM2] UpdateWebhookRequest) and answers the webhook. Header
 * `X-Postmark-Server-Token`; a wrong token is answered 401. Postmark answers API errors 422 with `{ErrorCode,
 * Message}`; the codes for an unknown stream or webhook are not in [PM1], so this fake uses ErrorCode 0 for them.
 */
import { type FakeApiServer, startFakeApiServer } from '../fake-api-server';
import { type CarriedWebhook, type SeedWebhook, userInfoOf } from './shared';

/** The two webhooks of the "List webhooks" example response [PM1], field for field. */
export const POSTMARK_EXAMPLE_WEBHOOKS: readonly Record<string, unknown>[] = [
  {
    ID: 1234567,
    Url: 'http://www.example.com/webhook-test-tracking',
    MessageStream: 'outbound',
    HttpAuth: { Username: 'user', Password: 'pass' },
    HttpHeaders: [{ Name: 'name', Value: 'value' }],
    Triggers: {
      Open: { Enabled: true, PostFirstOpenOnly: false },
      Click: { Enabled: true },
      Delivery: { Enabled: true },
      Bounce: { Enabled: false, IncludeContent: false },
      SpamComplaint: { Enabled: false, IncludeContent: false },
      SubscriptionChange: { Enabled: true },
    },
  },
  {
    ID: 1234568,
    Url: 'http://www.example.com/webhook-test-bounce',
    MessageStream: 'outbound',
    HttpAuth: { Username: 'user', Password: 'pass' },
    HttpHeaders: [{ Name: 'name', Value: 'value' }],
    Triggers: {
      Open: { Enabled: false, PostFirstOpenOnly: false },
      Click: { Enabled: false },
      Delivery: { Enabled: false },
      Bounce: { Enabled: true, IncludeContent: false },
      SpamComplaint: { Enabled: false, IncludeContent: false },
      SubscriptionChange: { Enabled: false },
    },
  },
];

const STREAMS = new Set(['outbound', 'broadcast']);

/** A running fake Postmark server. */
export interface PostmarkFake {
  readonly api: FakeApiServer;
  readonly webhooks: Record<string, unknown>[];
  carried(): CarriedWebhook[];
  close(): Promise<void>;
}

function carriedCredential(webhook: Record<string, unknown>) {
  const auth = webhook.HttpAuth as { Username?: string; Password?: string } | undefined;
  if (auth?.Username) return { username: auth.Username, password: auth.Password ?? '' };
  return userInfoOf(String(webhook.Url));
}

/** Starts a fake server with the example webhooks plus `seed` (credential in `HttpAuth`, stream `outbound`). */
export async function startPostmarkFake(serverToken: string, seed: readonly SeedWebhook[]): Promise<PostmarkFake> {
  const api = await startFakeApiServer();
  const webhooks: Record<string, unknown>[] = POSTMARK_EXAMPLE_WEBHOOKS.map((webhook) => structuredClone(webhook));
  seed.forEach((entry, index) => {
    webhooks.push({
      ...structuredClone(POSTMARK_EXAMPLE_WEBHOOKS[0]),
      ID: 2000001 + index,
      Url: entry.url,
      HttpAuth:
        entry.credential === null
          ? { Username: '', Password: '' }
          : { Username: entry.credential.username, Password: entry.credential.password },
      HttpHeaders: [],
    });
  });
  const unauthorized = { status: 401, body: { ErrorCode: 10, Message: 'Bad or missing Server API token.' } };

  api.route('GET', '/webhooks', (request) => {
    if (request.headers['x-postmark-server-token'] !== serverToken) return unauthorized;
    const stream = request.query.get('MessageStream');
    if (stream !== null && !STREAMS.has(stream)) {
      return { status: 422, body: { ErrorCode: 0, Message: `The message stream '${stream}' was not found.` } };
    }
    return {
      status: 200,
      body: { Webhooks: webhooks.filter((webhook) => stream === null || webhook.MessageStream === stream) },
    };
  });
  api.route('PUT', '/webhooks/:id', (request, params) => {
    if (request.headers['x-postmark-server-token'] !== serverToken) return unauthorized;
    const webhook = webhooks.find((candidate) => String(candidate.ID) === params.id);
    if (webhook === undefined) return { status: 422, body: { ErrorCode: 0, Message: 'Webhook not found.' } };
    const body = JSON.parse(request.body) as Record<string, unknown>;
    for (const field of ['Url', 'HttpAuth', 'HttpHeaders', 'Triggers']) {
      if (body[field] !== undefined) webhook[field] = body[field];
    }
    return { status: 200, body: webhook };
  });

  return {
    api,
    webhooks,
    carried: () =>
      webhooks.map((webhook) => ({
        id: String(webhook.ID),
        url: String(webhook.Url),
        credential: carriedCredential(webhook),
      })),
    close: () => api.close(),
  };
}
