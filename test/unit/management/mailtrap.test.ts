import { FetchHttpClient } from '../../../lambda/management/http-client';
import { mailtrapManagement } from '../../../lambda/management/mailtrap';
import { urlWithCredential } from '../../../lambda/management/shared';
import { type MailtrapWebhook, startMailtrapFake } from '../../support/fakes/mailtrap';
import { inPlaceContract } from '../../support/in-place-contract';

const HOOKGUARD = 'https://hooks.example.com/webhooks/mailtrap';
const OLD = { username: 'hookguard', password: 'old-mailtrap-password-1' };
const NEW = { username: 'hookguard', password: 'new-mailtrap-password-2' };
const TOKEN = 'mt-api-token-0123456789';
const ACCOUNT = '1111111';

// Shaped like the recorded `_list` answer [MT1].
const webhook = (id: number, url: string): MailtrapWebhook => ({
  id,
  url,
  active: true,
  webhook_type: 'email_sending',
  payload_format: 'json',
  sending_stream: 'transactional',
  domain_id: null,
  event_types: ['delivery', 'bounce', 'unsubscribe'],
});

describe('Mailtrap management', () => {
  inPlaceContract({
    provider: 'mailtrap',
    placement: 'url-userinfo',
    hookguardUrl: HOOKGUARD,
    oldCredential: OLD,
    newCredential: NEW,
    managedIds: ['3080', '3081'],
    foreignId: '3082',
    keys: { apiKey: TOKEN },
    wrongKeys: { apiKey: 'mt-wrong-token' },
    unauthorizedMessage: 'mailtrap: listing webhooks answered HTTP 401',
    update: { method: 'PATCH', path: (id) => `/api/accounts/${ACCOUNT}/webhooks/${id}` },
    async start(initialUrl) {
      const fake = await startMailtrapFake(ACCOUNT, TOKEN, [
        webhook(3080, initialUrl),
        webhook(3081, initialUrl),
        webhook(3082, 'https://audit.example.org/mailtrap'),
      ]);
      return { server: fake.server, urlOf: (id) => fake.webhooks.find((hook) => String(hook.id) === id)?.url, close: fake.close };
    },
    client: (fake, keys, extra) =>
      mailtrapManagement.create({
        account: { apiBaseUrl: fake.server.baseUrl, options: { accountId: ACCOUNT }, ...extra },
        apiKey: keys,
        http: new FetchHttpClient(),
      }),
  });

  it('sends the documented PATCH body and keeps the other settings', async () => {
    const fake = await startMailtrapFake(ACCOUNT, TOKEN, [{ ...webhook(3080, urlWithCredential(HOOKGUARD, OLD)), active: false }]);
    try {
      const client = mailtrapManagement.create({
        account: { apiBaseUrl: fake.server.baseUrl, options: { accountId: ACCOUNT } },
        apiKey: { apiKey: TOKEN },
        http: new FetchHttpClient(),
      });
      expect((await client.read({ url: HOOKGUARD, credential: NEW }))[0]?.active).toBe(false);
      await client.apply({ url: HOOKGUARD, credential: NEW });
      const patch = fake.server.requests.find((request) => request.method === 'PATCH');
      expect(JSON.parse(patch?.body ?? '')).toEqual({ webhook: { url: urlWithCredential(HOOKGUARD, NEW) } });
      expect(patch?.headers.authorization).toBe(`Bearer ${TOKEN}`);
      // Hookguard changes the URL only: an operator's choice to pause the webhook stays.
      expect(fake.webhooks[0]).toMatchObject({ active: false, event_types: ['delivery', 'bounce', 'unsubscribe'] });
    } finally {
      await fake.close();
    }
  });

  it('requires the accountId option', async () => {
    const client = mailtrapManagement.create({ account: { apiBaseUrl: 'http://127.0.0.1:9' }, apiKey: { apiKey: TOKEN }, http: new FetchHttpClient() });
    await expect(client.read({ url: HOOKGUARD, credential: NEW })).rejects.toThrow('mailtrap: managed.options.accountId is required');
  });
});
