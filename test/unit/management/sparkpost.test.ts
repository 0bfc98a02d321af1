import { FetchHttpClient } from '../../../lambda/management/http-client';
import { sparkpostManagement } from '../../../lambda/management/sparkpost';
import { type SparkPostFake, startSparkPostFake } from '../../support/fakes/sparkpost';
import { withUserInfo } from '../../support/fakes/shared';
import {
  contractUrls,
  describeManagementContract,
  NEW_CREDENTIAL,
  OLD_CREDENTIAL,
} from '../../support/management-contract';

const API_KEY = '14ac5499cfdd2bb2859e4476d2e5b1d2bad079bf';
const urls = contractUrls('sparkpost');

describeManagementContract({
  module: sparkpostManagement,
  apiKey: { apiKey: API_KEY },
  start: (apiKey, seed) => startSparkPostFake(apiKey.apiKey as string, seed),
  update: { method: 'PUT', pathPrefix: '/api/v1/webhooks/' },
});

describe('sparkpost management client', () => {
  let fake: SparkPostFake | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });
  const http = new FetchHttpClient({ timeoutMs: 5000 });
  const desired = { url: urls.hookguard, credential: NEW_CREDENTIAL };
  const clientFor = (running: SparkPostFake, account: object = {}) =>
    sparkpostManagement.create({ account: { apiBaseUrl: running.api.baseUrl, ...account }, apiKey: { apiKey: API_KEY }, http });

  it('rotates auth_credentials alone without sending target, so SparkPost sends no test POST', async () => {
    fake = await startSparkPostFake(API_KEY, [{ url: urls.hookguard, credential: OLD_CREDENTIAL }]);
    await clientFor(fake, { options: { subaccount: '123' } }).apply(desired);
    const put = fake.api.requests.find((request) => request.method === 'PUT');
    expect(put?.headers.authorization).toBe(API_KEY);
    expect(put?.headers['x-msys-subaccount']).toBe('123');
    expect(JSON.parse(put?.body ?? '{}')).toEqual({
      auth_type: 'basic',
      auth_credentials: { username: 'hookguard', password: NEW_CREDENTIAL.password },
    });
    expect(fake.testPosts).toEqual([]);
  });

  it('changes target and credential in one request, so the test POST already carries the new credential', async () => {
    fake = await startSparkPostFake(API_KEY, [{ url: urls.old, credential: OLD_CREDENTIAL }], (_target, credential) =>
      credential?.password === NEW_CREDENTIAL.password ? 200 : 401,
    );
    await clientFor(fake, { matchUrl: urls.old }).apply(desired);
    expect(fake.testPosts).toEqual([{ target: urls.hookguard, credential: NEW_CREDENTIAL }]);
    expect(fake.webhooks.find((webhook) => webhook.id === 'hookguard-1')).toMatchObject({
      target: urls.hookguard,
      auth_type: 'basic',
    });
  });

  it('fails with SparkPost’s 400 and leaves the webhook as it was when the receiver refuses the test POST', async () => {
    fake = await startSparkPostFake(API_KEY, [{ url: urls.old, credential: OLD_CREDENTIAL }], () => 401);
    const before = structuredClone(fake.webhooks.find((webhook) => webhook.id === 'hookguard-1'));
    await expect(clientFor(fake, { matchUrl: urls.old }).apply(desired)).rejects.toMatchObject({
      status: 400,
      message: 'sparkpost: update webhook hookguard-1 answered HTTP 400',
    });
    expect(fake.webhooks.find((webhook) => webhook.id === 'hookguard-1')).toEqual(before);
  });

  it('moves an OAuth or user-info credential to basic auth_credentials', async () => {
    fake = await startSparkPostFake(API_KEY, []);
    fake.webhooks.push({
      id: 'pasted',
      target: withUserInfo(urls.hookguard, OLD_CREDENTIAL),
      auth_type: 'oauth2',
      auth_credentials: { access_token: '<oauth token>', expires_in: 3600 },
      active: false,
    });
    const client = clientFor(fake);
    const [snapshot] = await client.read(desired);
    expect(snapshot).toMatchObject({ id: 'pasted', credential: 'other', active: false });
    expect((await client.plan(desired))[0]?.summary).toBe(
      'auth_credentials: other credential -> desired credential; auth_type oauth2 -> basic; credential in target -> auth_credentials only',
    );
    await client.apply(desired);
    expect(fake.webhooks.find((webhook) => webhook.id === 'pasted')).toMatchObject({
      target: urls.hookguard,
      auth_type: 'basic',
      auth_credentials: { username: 'hookguard', password: NEW_CREDENTIAL.password },
    });
    expect(await client.plan(desired)).toEqual([]);
  });
});
