import { FetchHttpClient } from '../../../lambda/management/http-client';
import { sendgridManagement } from '../../../lambda/management/sendgrid';
import { type SendGridFake, startSendGridFake } from '../../support/fakes/sendgrid';
import {
  contractUrls,
  describeManagementContract,
  NEW_CREDENTIAL,
  OLD_CREDENTIAL,
} from '../../support/management-contract';

const API_KEY = 'SG.test-key-Vq3Jd8Lw';
const urls = contractUrls('sendgrid');

describeManagementContract({
  module: sendgridManagement,
  apiKey: { apiKey: API_KEY },
  start: (apiKey, seed) => startSendGridFake(apiKey.apiKey as string, seed),
  update: { method: 'PATCH', pathPrefix: '/v3/user/webhooks/event/settings/' },
});

describe('sendgrid management client', () => {
  let fake: SendGridFake | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });
  const http = new FetchHttpClient({ timeoutMs: 5000 });
  const desired = { url: urls.hookguard, credential: NEW_CREDENTIAL };

  it('sends the whole webhook object back with the credential as URL user info, never the OAuth secret', async () => {
    fake = await startSendGridFake(API_KEY, [{ url: urls.hookguard, credential: OLD_CREDENTIAL }]);
    const before = structuredClone(fake.webhooks.find((webhook) => webhook.id === 'hookguard-1'));
    const client = sendgridManagement.create({
      account: { apiBaseUrl: fake.api.baseUrl, options: { onBehalfOf: 'subuser-7' } },
      apiKey: { apiKey: API_KEY },
      http,
    });
    await client.apply(desired);
    const patch = fake.api.requests.find((request) => request.method === 'PATCH');
    expect(patch?.path).toBe('/v3/user/webhooks/event/settings/hookguard-1');
    expect(patch?.headers['on-behalf-of']).toBe('subuser-7');
    expect(patch?.headers.authorization).toBe(`Bearer ${API_KEY}`);
    const body = JSON.parse(patch?.body ?? '{}') as Record<string, unknown>;
    expect(body.url).toBe(`https://hookguard:${NEW_CREDENTIAL.password}@hooks.example.com/webhooks/sendgrid`);
    // Every event switch and the OAuth client id/URL go back as they were; read-only fields do not.
    for (const field of ['enabled', 'delivered', 'bounce', 'processed', 'open', 'friendly_name', 'oauth_client_id', 'oauth_token_url']) {
      expect(body[field]).toEqual(before?.[field]);
    }
    for (const field of ['id', 'created_date', 'updated_date', 'public_key', 'oauth_client_secret']) {
      expect(body).not.toHaveProperty(field);
    }
  });

  it('reads a disabled webhook as inactive and skips the empty entry SendGrid documents for "no webhooks"', async () => {
    fake = await startSendGridFake(API_KEY, [{ url: urls.hookguard, credential: OLD_CREDENTIAL }]);
    const managed = fake.webhooks.find((webhook) => webhook.id === 'hookguard-1') as Record<string, unknown>;
    managed.enabled = false;
    fake.webhooks.push({});
    const client = sendgridManagement.create({ account: { apiBaseUrl: fake.api.baseUrl }, apiKey: { apiKey: API_KEY }, http });
    expect(await client.read(desired)).toEqual([
      {
        id: 'hookguard-1',
        displayUrl: 'https://***@hooks.example.com/webhooks/sendgrid',
        urlMatches: true,
        credential: 'other',
        active: false,
        superseded: false,
      },
    ]);
  });

  it('surfaces SendGrid’s "already exists" refusal as a 400 without quoting the body', async () => {
    fake = await startSendGridFake(API_KEY, [
      { url: urls.old, credential: null },
      { url: urls.hookguard, credential: NEW_CREDENTIAL },
    ]);
    const client = sendgridManagement.create({
      account: { apiBaseUrl: fake.api.baseUrl, webhookIds: ['hookguard-1'] },
      apiKey: { apiKey: API_KEY },
      http,
    });
    await expect(client.apply(desired)).rejects.toMatchObject({
      status: 400,
      message: 'sendgrid: update event webhook hookguard-1 answered HTTP 400',
    });
  });

  it('uses the EU host for region eu and names a missing API key field', async () => {
    const sent: string[] = [];
    const client = sendgridManagement.create({
      account: { region: 'eu' },
      apiKey: { apiKey: API_KEY },
      http: { send: async (request) => (sent.push(request.url), { status: 200, headers: {}, body: '{"webhooks":[]}' }) },
    });
    await expect(client.read(desired)).rejects.toThrow(/no webhook points at/);
    expect(sent).toEqual(['https://api.eu.sendgrid.com/v3/user/webhooks/event/settings/all']);
    const keyless = sendgridManagement.create({ account: {}, apiKey: {}, http: new FetchHttpClient() });
    await expect(keyless.read(desired)).rejects.toThrow(/no "apiKey"/);
  });
});
