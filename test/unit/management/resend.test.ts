import { FetchHttpClient } from '../../../lambda/management/http-client';
import { resendManagement } from '../../../lambda/management/resend';
import { resendWebhook, startResendFake } from '../../support/fakes/resend';
import { contractUrls, describeUrlOnlyContract, NEW_CREDENTIAL } from '../../support/management-contract';

const KEYS = { apiKey: 're_zKa4RCko_Lhm9ost2YjNCctnPjbLw8Nop' };
const urls = contractUrls('resend');

describeUrlOnlyContract({
  module: resendManagement,
  apiKey: KEYS,
  start: (apiKey, seed) => startResendFake(apiKey, seed),
  update: { method: 'PATCH', pathPrefix: '/webhooks/' },
});

describe('Resend management: specifics', () => {
  it('follows the after cursor, reports a disabled webhook as inactive and PATCHes only endpoint', async () => {
    const many = Array.from({ length: 150 }, (_, index) => resendWebhook(`id-${index}`, `https://other.example.org/${index}`));
    const fake = await startResendFake(KEYS, [], [...many, { ...resendWebhook('last', urls.old), status: 'disabled' }]);
    try {
      const client = resendManagement.create({
        account: { apiBaseUrl: fake.api.baseUrl, matchUrl: urls.old },
        apiKey: KEYS,
        http: new FetchHttpClient(),
      });
      const desired = { url: urls.hookguard, credential: NEW_CREDENTIAL };
      expect((await client.read(desired)).map((snapshot) => [snapshot.id, snapshot.active])).toEqual([['last', false]]);
      expect(fake.api.requests.map((request) => request.query.get('after'))).toEqual([null, 'id-97']);
      await client.apply(desired);
      const patch = fake.api.requests.find((request) => request.method === 'PATCH');
      expect(patch?.path).toBe('/webhooks/last');
      expect(patch?.headers.authorization).toBe(`Bearer ${KEYS.apiKey}`);
      expect(JSON.parse(patch?.body ?? '')).toEqual({ endpoint: urls.hookguard });
      // Hookguard moves the endpoint only; an operator's choice to disable it stays.
      expect(fake.webhooks.find((hook) => hook.id === 'last')).toMatchObject({ status: 'disabled', events: ['email.sent', 'email.delivered'] });
    } finally {
      await fake.close();
    }
  });
});
