import fc from 'fast-check';
import { signedUrlsFor } from '../../../lambda/core/pipeline';
import { FetchHttpClient } from '../../../lambda/management/http-client';
import { mandrillManagement, mandrillSignedUrl } from '../../../lambda/management/mandrill';
import { type MandrillFake, startMandrillFake } from '../../support/fakes/mandrill';
import {
  contractUrls,
  describeManagementContract,
  NEW_CREDENTIAL,
  OLD_CREDENTIAL,
} from '../../support/management-contract';

const API_KEY = 'md-test-key-Wy6Ty9';
const urls = contractUrls('mandrill');

describeManagementContract({
  module: mandrillManagement,
  apiKey: { apiKey: API_KEY },
  start: (apiKey, seed) => startMandrillFake(apiKey.apiKey as string, seed),
  update: { method: 'POST', pathPrefix: '/api/1.0/webhooks/update' },
  // Mandrill answers every API error, a wrong key included, with HTTP 500 and an error name [MD1].
  unauthorizedStatus: 500,
});

describe('mandrill management client', () => {
  let fake: MandrillFake | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });
  const http = new FetchHttpClient({ timeoutMs: 5000 });
  const desired = { url: urls.hookguard, credential: NEW_CREDENTIAL };
  const clientFor = (running: MandrillFake, apiKey = API_KEY) =>
    mandrillManagement.create({
      account: { apiBaseUrl: running.api.baseUrl },
      apiKey: { apiKey },
      http,
    });
  const accepted = (...credentials: (typeof OLD_CREDENTIAL)[]) => ({
    acceptedCredentials: async () =>
      credentials.map((credential, index) => ({ version: `v${index}`, stage: (index === 0 ? 'AWSCURRENT' : 'AWSPENDING') as 'AWSCURRENT' | 'AWSPENDING', ...credential })),
  });

  it('sets exactly a URL the verifier signs against, old and new both verifiable during the overlap', async () => {
    fake = await startMandrillFake(API_KEY, [{ url: urls.hookguard, credential: OLD_CREDENTIAL }]);
    const before = String(fake.webhooks.find((webhook) => webhook.id === 100)?.url);
    await clientFor(fake).apply(desired);
    const after = String(fake.webhooks.find((webhook) => webhook.id === 100)?.url);
    expect(after).toBe(mandrillSignedUrl(desired));
    const verifierUrls = await signedUrlsFor(accepted(OLD_CREDENTIAL, NEW_CREDENTIAL), urls.hookguard);
    expect(verifierUrls).toContain(before);
    expect(verifierUrls).toContain(after);
  });

  it('keeps the description and events, sends the key only in the body, and never changes the signing key', async () => {
    fake = await startMandrillFake(API_KEY, [{ url: urls.hookguard, credential: OLD_CREDENTIAL }]);
    await clientFor(fake).apply(desired);
    const update = fake.api.requests.find((request) => request.path === '/api/1.0/webhooks/update');
    expect(JSON.parse(update?.body ?? '{}')).toEqual({
      key: API_KEY,
      id: 100,
      url: mandrillSignedUrl(desired),
      description: 'Hookguard 1',
      events: ['send', 'hard_bounce', 'soft_bounce', 'reject'],
    });
    expect(update?.url).not.toContain(API_KEY);
    expect(fake.webhooks.find((webhook) => webhook.id === 100)).toMatchObject({
      description: 'Hookguard 1',
      auth_key: 'signing-key-1',
    });
  });

  it('rewrites a URL carrying the right credential in another spelling, since Mandrill signs the text', async () => {
    fake = await startMandrillFake(API_KEY, []);
    fake.webhooks.push({
      id: 7,
      url: `https://hookguard:${NEW_CREDENTIAL.password}@HOOKS.example.com/webhooks/mandrill`,
      description: 'pasted by hand',
      events: ['send'],
    });
    const client = clientFor(fake);
    expect(await client.plan(desired)).toEqual([
      { action: 'update', id: '7', summary: 'URL text -> the form Hookguard verifies signatures over' },
    ]);
    await client.apply(desired);
    expect(await client.plan(desired)).toEqual([]);
  });

  it('names Mandrill’s error class, not its message, when a call fails', async () => {
    fake = await startMandrillFake(API_KEY, [{ url: urls.hookguard, credential: OLD_CREDENTIAL }]);
    await expect(clientFor(fake, 'wrong-key').read(desired)).rejects.toThrow(
      'mandrill: webhooks/list answered HTTP 500 (Invalid_Key)',
    );
  });

  it('writes, for any credential, a URL among those the verifier signs against (seeded property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1 }), fc.string(), async (username, password) => {
        const url = mandrillSignedUrl({ url: urls.hookguard, credential: { username, password } });
        expect(await signedUrlsFor(accepted({ username, password }), urls.hookguard)).toContain(url);
      }),
      { seed: 20261202, numRuns: 200 },
    );
  });
});
