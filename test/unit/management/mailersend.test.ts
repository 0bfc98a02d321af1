import { FetchHttpClient } from '../../../lambda/management/http-client';
import { mailersendManagement } from '../../../lambda/management/mailersend';
import { MAILERSEND_DOMAIN, mailersendWebhook, startMailersendFake } from '../../support/fakes/mailersend';
import { contractUrls, describeUrlOnlyContract, NEW_CREDENTIAL } from '../../support/management-contract';

const KEYS = { apiKey: 'mlsn.0123456789abcdef' };
const urls = contractUrls('mailersend');

describeUrlOnlyContract({
  module: mailersendManagement,
  apiKey: KEYS,
  options: { domainId: MAILERSEND_DOMAIN },
  start: (apiKey, seed) => startMailersendFake(apiKey, seed),
  update: { method: 'PUT', pathPrefix: '/v1/webhooks/' },
});

describe('MailerSend management: specifics', () => {
  it('lists only the configured domain, page by page, and PUTs only the url', async () => {
    const many = Array.from({ length: 120 }, (_, index) => mailersendWebhook(`w${index}`, `https://other.example.org/${index}`));
    const fake = await startMailersendFake(KEYS, [], [
      ...many,
      mailersendWebhook('late', urls.old),
      mailersendWebhook('elsewhere', urls.old, 'another-domain'),
    ]);
    try {
      const client = mailersendManagement.create({
        account: { apiBaseUrl: fake.api.baseUrl, options: { domainId: MAILERSEND_DOMAIN }, matchUrl: urls.old },
        apiKey: KEYS,
        http: new FetchHttpClient(),
      });
      expect((await client.apply({ url: urls.hookguard, credential: NEW_CREDENTIAL })).map((change) => change.id)).toEqual(['late']);
      const gets = fake.api.requests.filter((request) => request.method === 'GET');
      expect(gets.map((request) => [request.query.get('domain_id'), request.query.get('limit'), request.query.get('page')])).toEqual([
        [MAILERSEND_DOMAIN, '100', '1'],
        [MAILERSEND_DOMAIN, '100', '2'],
      ]);
      const put = fake.api.requests.find((request) => request.method === 'PUT');
      expect(put?.headers.authorization).toBe(`Bearer ${KEYS.apiKey}`);
      expect(JSON.parse(put?.body ?? '')).toEqual({ url: urls.hookguard });
      expect(fake.webhooks.find((hook) => hook.id === 'elsewhere')?.url).toBe(urls.old);
    } finally {
      await fake.close();
    }
  });

  it('requires the domainId option', async () => {
    expect(mailersendManagement.options.domainId).toMatch(/^required/);
    const client = mailersendManagement.create({ account: { apiBaseUrl: 'http://127.0.0.1:9' }, apiKey: KEYS, http: new FetchHttpClient() });
    await expect(client.read({ url: urls.hookguard, credential: NEW_CREDENTIAL })).rejects.toThrow('mailersend: managed.options.domainId is required');
  });
});
