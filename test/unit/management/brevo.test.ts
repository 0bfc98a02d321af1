import { FetchHttpClient } from '../../../lambda/management/http-client';
import { brevoManagement } from '../../../lambda/management/brevo';
import { type BrevoFake, startBrevoFake } from '../../support/fakes/brevo';
import { withUserInfo } from '../../support/fakes/shared';
import {
  contractUrls,
  describeManagementContract,
  NEW_CREDENTIAL,
  OLD_CREDENTIAL,
} from '../../support/management-contract';

const API_KEY = 'xkeysib-test-Ab12Cd34';
const urls = contractUrls('brevo');

describeManagementContract({
  module: brevoManagement,
  apiKey: { apiKey: API_KEY },
  start: (apiKey, seed) => startBrevoFake(apiKey.apiKey as string, seed),
  update: { method: 'PUT', pathPrefix: '/v3/webhooks/' },
});

describe('brevo management client', () => {
  let fake: BrevoFake | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });
  const http = new FetchHttpClient({ timeoutMs: 5000 });
  const desired = { url: urls.hookguard, credential: NEW_CREDENTIAL };
  const clientFor = (running: BrevoFake, options?: Record<string, string>) =>
    brevoManagement.create({ account: { apiBaseUrl: running.api.baseUrl, options }, apiKey: { apiKey: API_KEY }, http });

  it('sets the password as the bearer token and sends only url and auth, keeping events', async () => {
    fake = await startBrevoFake(API_KEY, [{ url: urls.hookguard, credential: OLD_CREDENTIAL }]);
    await clientFor(fake).apply(desired);
    const put = fake.api.requests.find((request) => request.method === 'PUT');
    expect(put?.path).toBe('/v3/webhooks/100');
    expect(put?.headers['api-key']).toBe(API_KEY);
    expect(JSON.parse(put?.body ?? '{}')).toEqual({
      url: urls.hookguard,
      auth: { type: 'bearer', token: NEW_CREDENTIAL.password },
    });
    expect(fake.webhooks.find((webhook) => webhook.id === 100)?.events).toEqual(['delivered', 'hardBounce', 'softBounce', 'spam']);
    expect(fake.api.requests[0]?.url).toBe('/v3/webhooks?type=transactional');
  });

  it('moves a credential pasted as URL user info to the bearer token', async () => {
    fake = await startBrevoFake(API_KEY, [{ url: withUserInfo(urls.hookguard, OLD_CREDENTIAL), credential: null }]);
    const client = clientFor(fake);
    expect((await client.plan(desired))[0]?.summary).toBe(
      'auth.token: other credential -> desired credential; credential in url -> auth.token only',
    );
    await client.apply(desired);
    expect(fake.webhooks.find((webhook) => webhook.id === 100)).toMatchObject({
      url: urls.hookguard,
      auth: { type: 'bearer', token: NEW_CREDENTIAL.password },
    });
    expect(await client.plan(desired)).toEqual([]);
  });

  it('treats a bearer webhook whose token Brevo does not return as unreadable, and rewrites it', async () => {
    fake = await startBrevoFake(API_KEY, []);
    fake.webhooks.push({ ...fake.webhooks[0], id: 9, url: urls.hookguard, auth: { type: 'bearer' } });
    const client = clientFor(fake);
    expect((await client.read(desired))[0]?.credential).toBe('unreadable');
    expect(await client.apply(desired)).toHaveLength(1);
  });

  it('lists the configured webhook type and refuses an unknown one before calling Brevo', async () => {
    fake = await startBrevoFake(API_KEY, [{ url: urls.hookguard, credential: OLD_CREDENTIAL }]);
    await expect(clientFor(fake, { type: 'marketing' }).read(desired)).rejects.toThrow(/no webhook points at/);
    expect(fake.api.requests.at(-1)?.url).toBe('/v3/webhooks?type=marketing');
    const count = fake.api.requests.length;
    await expect(clientFor(fake, { type: 'everything' }).read(desired)).rejects.toThrow(
      'brevo: managed.options.type must be transactional, marketing or inbound',
    );
    expect(fake.api.requests).toHaveLength(count);
  });
});
