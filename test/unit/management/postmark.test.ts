import { FetchHttpClient } from '../../../lambda/management/http-client';
import { postmarkManagement } from '../../../lambda/management/postmark';
import { type PostmarkFake, startPostmarkFake } from '../../support/fakes/postmark';
import { withUserInfo } from '../../support/fakes/shared';
import {
  contractUrls,
  describeManagementContract,
  NEW_CREDENTIAL,
  OLD_CREDENTIAL,
} from '../../support/management-contract';

const TOKEN = 'server-token-postmark-Hh2Jk5';
const urls = contractUrls('postmark');

describeManagementContract({
  module: postmarkManagement,
  apiKey: { serverToken: TOKEN },
  options: { messageStream: 'outbound' },
  start: (apiKey, seed) => startPostmarkFake(apiKey.serverToken as string, seed),
  update: { method: 'PUT', pathPrefix: '/webhooks/' },
});

describe('postmark management client', () => {
  let fake: PostmarkFake | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });
  const http = new FetchHttpClient({ timeoutMs: 5000 });
  const desired = { url: urls.hookguard, credential: NEW_CREDENTIAL };
  const clientFor = (running: PostmarkFake, options: Record<string, string> = { messageStream: 'outbound' }) =>
    postmarkManagement.create({ account: { apiBaseUrl: running.api.baseUrl, options }, apiKey: { serverToken: TOKEN }, http });

  it('puts the credential in HttpAuth and sends only Url and HttpAuth, keeping triggers and headers', async () => {
    fake = await startPostmarkFake(TOKEN, [{ url: urls.hookguard, credential: OLD_CREDENTIAL }]);
    const managed = fake.webhooks.find((webhook) => webhook.ID === 2000001) as Record<string, unknown>;
    const triggers = structuredClone(managed.Triggers);
    await clientFor(fake).apply(desired);
    const put = fake.api.requests.find((request) => request.method === 'PUT');
    expect(put?.path).toBe('/webhooks/2000001');
    expect(JSON.parse(put?.body ?? '{}')).toEqual({
      Url: urls.hookguard,
      HttpAuth: { Username: 'hookguard', Password: NEW_CREDENTIAL.password },
    });
    expect(managed.Triggers).toEqual(triggers);
    expect(fake.api.requests[0]?.url).toBe('/webhooks?MessageStream=outbound');
  });

  it('moves a credential pasted as URL user info into HttpAuth', async () => {
    fake = await startPostmarkFake(TOKEN, [{ url: withUserInfo(urls.hookguard, NEW_CREDENTIAL), credential: null }]);
    const client = clientFor(fake);
    const [snapshot] = await client.read(desired);
    expect(snapshot).toMatchObject({ credential: 'desired', displayUrl: 'https://***@hooks.example.com/webhooks/postmark' });
    expect((await client.plan(desired))[0]?.summary).toBe('credential in Url -> HttpAuth only');
    await client.apply(desired);
    const managed = fake.webhooks.find((webhook) => webhook.ID === 2000001);
    expect(managed).toMatchObject({ Url: urls.hookguard, HttpAuth: { Username: 'hookguard', Password: NEW_CREDENTIAL.password } });
    expect(await client.plan(desired)).toEqual([]);
  });

  it('reads a webhook with every trigger off as inactive', async () => {
    fake = await startPostmarkFake(TOKEN, [{ url: urls.hookguard, credential: OLD_CREDENTIAL }]);
    const managed = fake.webhooks.find((webhook) => webhook.ID === 2000001) as Record<string, unknown>;
    for (const trigger of Object.values(managed.Triggers as Record<string, { Enabled: boolean }>)) trigger.Enabled = false;
    expect((await clientFor(fake).read(desired))[0]?.active).toBe(false);
  });

  it('reports an unknown message stream as Postmark’s 422', async () => {
    fake = await startPostmarkFake(TOKEN, [{ url: urls.hookguard, credential: OLD_CREDENTIAL }]);
    await expect(clientFor(fake, { messageStream: 'no-such-stream' }).read(desired)).rejects.toMatchObject({
      status: 422,
      message: 'postmark: list webhooks answered HTTP 422',
    });
  });
});
