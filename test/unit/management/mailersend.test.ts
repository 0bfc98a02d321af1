import { FetchHttpClient } from '../../../lambda/management/http-client';
import { mailersendManagement } from '../../../lambda/management/mailersend';
import { urlWithCredential } from '../../../lambda/management/shared';
import { type MailersendWebhook, startMailersendFake } from '../../support/fakes/mailersend';
import { inPlaceContract } from '../../support/in-place-contract';

const HOOKGUARD = 'https://hooks.example.com/webhooks/mailersend';
const OLD = { username: 'hookguard', password: 'old-mailersend-password' };
const NEW = { username: 'hookguard', password: 'new-mailersend-password' };
const TOKEN = 'mlsn.0123456789abcdef';
const DOMAIN = 'jy7zpl9x5opg5vx6';

// Shaped like the documented "List webhooks" answer [MS1].
const webhook = (id: string, url: string, domain = DOMAIN): MailersendWebhook => ({
  id,
  url,
  events: ['activity.sent', 'activity.delivered'],
  name: `Webhook ${id}`,
  enabled: true,
  editable: false,
  created_at: '2020-06-10 10:10:10',
  updated_at: '2020-06-10 10:10:10',
  domain_id: domain,
});

describe('MailerSend management (placement none: URL only)', () => {
  inPlaceContract({
    provider: 'mailersend',
    placement: 'none',
    hookguardUrl: HOOKGUARD,
    oldCredential: OLD,
    newCredential: NEW,
    managedIds: ['aX7nQ', 'bY8oR'],
    foreignId: 'cZ9pS',
    keys: { apiKey: TOKEN },
    wrongKeys: { apiKey: 'mlsn.wrong' },
    unauthorizedMessage: 'mailersend: listing webhooks answered HTTP 401',
    update: { method: 'PUT', path: (id) => `/v1/webhooks/${id}` },
    async start(initialUrl) {
      const fake = await startMailersendFake(TOKEN, [
        webhook('aX7nQ', initialUrl),
        webhook('bY8oR', initialUrl),
        webhook('cZ9pS', 'https://crm.example.org/mailersend'),
      ]);
      return { server: fake.server, urlOf: (id) => fake.webhooks.find((hook) => hook.id === id)?.url, close: fake.close };
    },
    client: (fake, keys, extra) =>
      mailersendManagement.create({
        account: { apiBaseUrl: fake.server.baseUrl, options: { domainId: DOMAIN }, ...extra },
        apiKey: keys,
        http: new FetchHttpClient(),
      }),
  });

  it('never writes a credential: a webhook at Hookguard URL is left alone whatever it carries', async () => {
    const withUserinfo = urlWithCredential(HOOKGUARD, OLD);
    const fake = await startMailersendFake(TOKEN, [webhook('aX7nQ', withUserinfo), webhook('bY8oR', HOOKGUARD)]);
    try {
      const client = mailersendManagement.create({
        account: { apiBaseUrl: fake.server.baseUrl, options: { domainId: DOMAIN } },
        apiKey: { apiKey: TOKEN },
        http: new FetchHttpClient(),
      });
      const snapshots = await client.read({ url: HOOKGUARD, credential: NEW });
      expect(snapshots.map((snapshot) => snapshot.credential)).toEqual(['other', 'none']);
      expect(await client.apply({ url: HOOKGUARD, credential: NEW })).toEqual([]);
      expect(fake.webhooks.map((hook) => hook.url)).toEqual([withUserinfo, HOOKGUARD]);
    } finally {
      await fake.close();
    }
  });

  it('lists only the configured domain, page by page, and PUTs only the url', async () => {
    const many = Array.from({ length: 120 }, (_, index) => webhook(`w${index}`, `https://other.example.org/${index}`));
    const fake = await startMailersendFake(TOKEN, [
      ...many,
      webhook('late', HOOKGUARD.replace('/webhooks/', '/webhooks/old/')),
      webhook('elsewhere', HOOKGUARD.replace('/webhooks/', '/webhooks/old/'), 'another-domain'),
    ]);
    try {
      const client = mailersendManagement.create({
        account: { apiBaseUrl: fake.server.baseUrl, options: { domainId: DOMAIN }, matchUrl: HOOKGUARD.replace('/webhooks/', '/webhooks/old/') },
        apiKey: { apiKey: TOKEN },
        http: new FetchHttpClient(),
      });
      expect((await client.apply({ url: HOOKGUARD, credential: NEW })).map((change) => change.id)).toEqual(['late']);
      const gets = fake.server.requests.filter((request) => request.method === 'GET');
      expect(gets.map((request) => [request.query.get('domain_id'), request.query.get('page')])).toEqual([
        [DOMAIN, '1'],
        [DOMAIN, '2'],
      ]);
      const put = fake.server.requests.find((request) => request.method === 'PUT');
      expect(JSON.parse(put?.body ?? '')).toEqual({ url: HOOKGUARD });
      expect(fake.webhooks.find((hook) => hook.id === 'elsewhere')?.url).toContain('/webhooks/old/');
    } finally {
      await fake.close();
    }
  });

  it('documents why it cannot carry credentials', () => {
    expect(mailersendManagement.placement).toBe('none');
    expect(mailersendManagement.options.domainId).toMatch(/^required/);
  });
});
