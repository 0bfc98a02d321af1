/**
 * A fake Mailgun domain-webhooks API (v3), built from [MG1] documentation.mailgun.com "Domain Webhooks" (Get domain
 * webhooks; Update domain webhook: PUT replaces the event type's URL list with the repeated `url` field, at most 3,
 * multipart/form-data; answers `{message, webhook: {urls}}`; 404 `{message}`) and [MG2] mailgun/mailgun.js
 * (`WebhookList` = `{[event]: {urls: string[]}}`; its tests' `Webhook has been updated` message and trackclick.com
 * URLs, given a scheme here). Auth: Basic `api:<API key>` [MG5]; a wrong key is answered 401 `Forbidden`.
 */
import { type FakeApiServer, startFakeApiServer } from '../fake-api-server';
import { type CarriedWebhook, type SeedWebhook, userInfoOf, withUserInfo } from './shared';

/** The event types v3 domain webhooks take [MG1]. */
export const MAILGUN_EVENTS = [
  'accepted',
  'clicked',
  'complained',
  'delivered',
  'opened',
  'permanent_fail',
  'temporary_fail',
  'unsubscribed',
] as const;

/** Event types the fake seeds each test webhook into (two, so per-event updates are exercised). */
export const MAILGUN_SEEDED_EVENTS = ['delivered', 'permanent_fail'] as const;

/** A running fake Mailgun domain. */
export interface MailgunFake {
  readonly api: FakeApiServer;
  /** Event type -> its URLs. */
  readonly webhooks: Record<string, string[]>;
  carried(): CarriedWebhook[];
  close(): Promise<void>;
}

/** The `url` fields of a multipart/form-data body, in order (all this fake needs of the format). */
export function multipartUrls(contentType: string | undefined, body: string): string[] | null {
  const boundary = /boundary=([^;]+)/.exec(contentType ?? '')?.[1];
  if (contentType?.startsWith('multipart/form-data') !== true || boundary === undefined) return null;
  const values: string[] = [];
  for (const part of body.split(`--${boundary}`)) {
    const match = /^\r\nContent-Disposition: form-data; name="([^"]+)"\r\n\r\n([\s\S]*)\r\n$/.exec(part);
    if (match?.[1] === 'url') values.push(match[2] as string);
  }
  return values;
}

/** Starts a fake account with domain `domain`, the SDK tests' example webhooks, and `seed` in two event types. */
export async function startMailgunFake(apiKey: string, domain: string, seed: readonly SeedWebhook[]): Promise<MailgunFake> {
  const api = await startFakeApiServer();
  const webhooks: Record<string, string[]> = {
    clicked: ['https://trackclick.com', 'https://trackclick1.com'],
    opened: ['https://trackopen.com'],
  };
  for (const entry of seed) {
    for (const event of MAILGUN_SEEDED_EVENTS) {
      (webhooks[event] ??= []).push(withUserInfo(entry.url, entry.credential));
    }
  }
  const authorized = (header: string | undefined) =>
    header === `Basic ${Buffer.from(`api:${apiKey}`).toString('base64')}`;

  api.route('GET', '/v3/domains/:domain/webhooks', (request, params) => {
    if (!authorized(request.headers.authorization)) return { status: 401, body: 'Forbidden' };
    if (params.domain !== domain) return { status: 404, body: { message: 'Domain not found' } };
    return {
      status: 200,
      body: { webhooks: Object.fromEntries(Object.entries(webhooks).map(([event, urls]) => [event, { urls }])) },
    };
  });
  api.route('PUT', '/v3/domains/:domain/webhooks/:event', (request, params) => {
    if (!authorized(request.headers.authorization)) return { status: 401, body: 'Forbidden' };
    if (params.domain !== domain) return { status: 404, body: { message: 'Domain not found' } };
    const event = params.event as string;
    if (webhooks[event] === undefined) return { status: 404, body: { message: 'Webhook not found' } };
    const urls = multipartUrls(request.headers['content-type'], request.body);
    if (urls === null || urls.length === 0 || urls.length > 3) {
      return { status: 400, body: { message: 'url: 1 to 3 URLs required' } };
    }
    webhooks[event] = urls;
    return { status: 200, body: { message: 'Webhook has been updated', webhook: { urls } } };
  });

  return {
    api,
    webhooks,
    carried: () =>
      Object.entries(webhooks).flatMap(([event, urls]) =>
        urls.map((url) => ({ id: event, url, credential: userInfoOf(url) })),
      ),
    close: () => api.close(),
  };
}
