import { FetchHttpClient } from '../../../lambda/management/http-client';
import { mailtrapManagement } from '../../../lambda/management/mailtrap';
import { urlWithCredential } from '../../../lambda/management/shared';
import { MAILTRAP_ACCOUNT, startMailtrapFake } from '../../support/fakes/mailtrap';
import {
  contractUrls,
  describeManagementContract,
  NEW_CREDENTIAL,
  OLD_CREDENTIAL,
} from '../../support/management-contract';

const KEYS = { apiKey: 'mt-api-token-0123456789' };
const urls = contractUrls('mailtrap');
const desired = { url: urls.hookguard, credential: NEW_CREDENTIAL };

describeManagementContract({
  module: mailtrapManagement,
  apiKey: KEYS,
  options: { accountId: MAILTRAP_ACCOUNT },
  start: startMailtrapFake,
  update: { method: 'PATCH', pathPrefix: `/api/accounts/${MAILTRAP_ACCOUNT}/webhooks/` },
});

describe('Mailtrap management: specifics', () => {
  it('sends the documented PATCH body with the bearer token and keeps a paused webhook paused', async () => {
    const fake = await startMailtrapFake(KEYS, [{ url: urls.hookguard, credential: OLD_CREDENTIAL }]);
    try {
      const managed = fake.webhooks[1];
      if (managed) managed.active = false;
      const client = mailtrapManagement.create({
        account: { apiBaseUrl: fake.api.baseUrl, options: { accountId: MAILTRAP_ACCOUNT } },
        apiKey: KEYS,
        http: new FetchHttpClient(),
      });
      expect((await client.read(desired))[0]?.active).toBe(false);
      await client.apply(desired);
      const patch = fake.api.requests.find((request) => request.method === 'PATCH');
      expect(patch?.path).toBe(`/api/accounts/${MAILTRAP_ACCOUNT}/webhooks/3100`);
      expect(patch?.headers.authorization).toBe(`Bearer ${KEYS.apiKey}`);
      expect(JSON.parse(patch?.body ?? '')).toEqual({ webhook: { url: urlWithCredential(urls.hookguard, NEW_CREDENTIAL) } });
      // Hookguard changes the URL only: an operator's choice to pause the webhook stays.
      expect(fake.webhooks[1]).toMatchObject({ active: false, event_types: ['delivery', 'bounce', 'unsubscribe'] });
    } finally {
      await fake.close();
    }
  });

  it('requires the accountId option', async () => {
    const client = mailtrapManagement.create({ account: { apiBaseUrl: 'http://127.0.0.1:9' }, apiKey: KEYS, http: new FetchHttpClient() });
    await expect(client.read(desired)).rejects.toThrow('mailtrap: managed.options.accountId is required');
  });
});
