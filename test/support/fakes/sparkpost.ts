/**
 * A fake SparkPost event-webhooks API, built from [SP1] SparkPost/developers.sparkpost.com `content/api/webhooks.apib`
 * (commit 88f24dc3): `GET /api/v1/webhooks` answers `{"results": [...]}` (the "List all Webhooks" example's three
 * webhooks, field for field); `PUT /api/v1/webhooks/{id}` updates the fields sent and answers `{"results": {id,
 * links}}`; changing `target` first sends a test POST to the new target with the request's credentials, and when that
 * is not answered 200 the API answers 400 and changes nothing. This fake cannot reach a real target, so the test POST
 * is a callback (`receiver`) that answers for the target. Header `Authorization: <API key>`; errors
 * `{"errors": [{message, description, code}]}`.
 */
import type { WebhookCredential } from '../../../lambda/management/types';
import { type FakeApiServer, startFakeApiServer } from '../fake-api-server';
import { type CarriedWebhook, type SeedWebhook, userInfoOf } from './shared';

/** The "List all Webhooks" example response's webhooks [SP1], field for field. */
export const SPARKPOST_EXAMPLE_WEBHOOKS: readonly Record<string, unknown>[] = [
  {
    id: 'a2b83490-10df-11e4-b670-c1ffa86371ff',
    name: 'Some webhook',
    target: 'http://client.example.com/some-webhook',
    events: ['delivery', 'injection', 'open', 'click'],
    auth_type: 'basic',
    auth_request_details: {},
    auth_credentials: { username: 'basicuser', password: 'somepass' },
    auth_token: '',
    last_successful: '2014-08-01 16:09:15',
    last_failure: '2014-06-01 15:15:45',
    custom_headers: { 'x-api-key': 'abcd' },
    active: true,
    links: [
      { href: '/api/v1/webhooks/a2b83490-10df-11e4-b670-c1ffa86371ff', rel: 'urn.msys.webhooks.webhook', method: ['GET', 'PUT'] },
    ],
  },
  {
    id: '12affc24-f183-11e3-9234-3c15c2c818c2',
    name: 'Example webhook',
    target: 'http://client.example.com/example-webhook',
    events: ['delivery', 'injection', 'open', 'click'],
    auth_type: 'oauth2',
    auth_request_details: {
      url: 'https://oauth.myurl.com/tokens',
      body: { client_id: '<oauth client id>', client_secret: '<oauth client secret>' },
    },
    auth_credentials: { access_token: '<oauth token>', expires_in: 3600 },
    auth_token: '',
    last_successful: '2014-07-01 16:09:15',
    last_failure: '2014-08-01 15:15:45',
    active: true,
    links: [
      { href: '/api/v1/webhooks/12affc24-f183-11e3-9234-3c15c2c818c2', rel: 'urn.msys.webhooks.webhook', method: ['GET', 'PUT'] },
    ],
  },
  {
    id: '123456-abcd-efgh-7890-123445566778',
    name: 'Another webhook',
    target: 'http://client.example.com/another-example',
    events: ['generation_rejection', 'generation_failure'],
    auth_type: 'none',
    auth_request_details: {},
    auth_credentials: {},
    auth_token: '5ebe2294ecd0e0f08eab7690d2a6ee69',
    active: true,
    links: [
      { href: '/api/v1/webhooks/123456-abcd-efgh-7890-123445566778', rel: 'urn.msys.webhooks.webhook', method: ['GET', 'PUT'] },
    ],
  },
];

/** Answers the test POST SparkPost sends to a changed target: the HTTP status the receiver would return. */
export type SparkPostReceiver = (target: string, credential: WebhookCredential | null) => number;

/** A running fake SparkPost account. */
export interface SparkPostFake {
  readonly api: FakeApiServer;
  readonly webhooks: Record<string, unknown>[];
  /** The test POSTs sent: target and credential. */
  readonly testPosts: { target: string; credential: WebhookCredential | null }[];
  carried(): CarriedWebhook[];
  close(): Promise<void>;
}

function carriedCredential(webhook: Record<string, unknown>): WebhookCredential | null {
  if (webhook.auth_type === 'basic') {
    const credentials = webhook.auth_credentials as { username?: string; password?: string };
    return { username: credentials.username ?? '', password: credentials.password ?? '' };
  }
  return userInfoOf(String(webhook.target));
}

/** Starts the fake with the example webhooks plus `seed` (credential as `auth_type: basic`). */
export async function startSparkPostFake(
  apiKey: string,
  seed: readonly SeedWebhook[],
  receiver: SparkPostReceiver = () => 200,
): Promise<SparkPostFake> {
  const api = await startFakeApiServer();
  const webhooks: Record<string, unknown>[] = SPARKPOST_EXAMPLE_WEBHOOKS.map((webhook) => structuredClone(webhook));
  const testPosts: { target: string; credential: WebhookCredential | null }[] = [];
  seed.forEach((entry, index) => {
    webhooks.push({
      ...structuredClone(SPARKPOST_EXAMPLE_WEBHOOKS[0]),
      id: `hookguard-${index + 1}`,
      name: `Hookguard ${index + 1}`,
      target: entry.url,
      auth_type: entry.credential === null ? 'none' : 'basic',
      auth_credentials: entry.credential === null ? {} : { ...entry.credential },
      custom_headers: {},
    });
  });
  const unauthorized = { status: 401, body: { errors: [{ message: 'Unauthorized.' }] } };

  api.route('GET', '/api/v1/webhooks', (request) => {
    if (request.headers.authorization !== apiKey) return unauthorized;
    return { status: 200, body: { results: webhooks } };
  });
  api.route('PUT', '/api/v1/webhooks/:id', (request, params) => {
    if (request.headers.authorization !== apiKey) return unauthorized;
    const webhook = webhooks.find((candidate) => candidate.id === params.id);
    if (webhook === undefined) {
      return { status: 404, body: { errors: [{ message: 'resource not found', code: '1600' }] } };
    }
    const body = JSON.parse(request.body) as Record<string, unknown>;
    if (body.auth_type === 'basic' && typeof (body.auth_credentials as { username?: unknown })?.username !== 'string') {
      return { status: 422, body: { errors: [{ message: 'auth_credentials.username is required', code: '1400' }] } };
    }
    if (typeof body.target === 'string' && body.target !== webhook.target) {
      const next = { ...webhook, ...body };
      const credential = carriedCredential(next);
      testPosts.push({ target: body.target, credential });
      if (receiver(body.target, credential) !== 200) {
        return { status: 400, body: { errors: [{ message: 'Target URL did not respond with HTTP 200', code: '1300' }] } };
      }
    }
    Object.assign(webhook, body);
    return {
      status: 200,
      body: {
        results: {
          id: webhook.id,
          links: [{ href: `/api/v1/webhooks/${String(webhook.id)}/validate`, rel: 'urn.msys.webhooks.validate', method: ['POST'] }],
        },
      },
    };
  });

  return {
    api,
    webhooks,
    testPosts,
    carried: () =>
      webhooks.map((webhook) => ({
        id: String(webhook.id),
        url: String(webhook.target),
        credential: carriedCredential(webhook),
      })),
    close: () => api.close(),
  };
}
