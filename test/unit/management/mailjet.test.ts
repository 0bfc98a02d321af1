import { FetchHttpClient } from '../../../lambda/management/http-client';
import { mailjetManagement } from '../../../lambda/management/mailjet';
import { urlWithCredential } from '../../../lambda/management/shared';
import { startMailjetFake } from '../../support/fakes/mailjet';
import {
  contractUrls,
  describeManagementContract,
  NEW_CREDENTIAL,
  OLD_CREDENTIAL,
} from '../../support/management-contract';

const KEYS = { apiKey: 'mj-public-key-abc', secretKey: 'mj-secret-key-xyz' };
const urls = contractUrls('mailjet');
const desired = { url: urls.hookguard, credential: NEW_CREDENTIAL };

describeManagementContract({
  module: mailjetManagement,
  apiKey: KEYS,
  start: startMailjetFake,
  update: { method: 'PUT', pathPrefix: '/v3/REST/eventcallbackurl/' },
});

describe('Mailjet management: eventcallbackurl specifics', () => {
  it('authenticates with Basic apiKey:secretKey, lists 1000 rows a page and PUTs only Url on each event row', async () => {
    const fake = await startMailjetFake(KEYS, [{ url: urls.hookguard, credential: OLD_CREDENTIAL }]);
    try {
      const client = mailjetManagement.create({ account: { apiBaseUrl: fake.api.baseUrl }, apiKey: KEYS, http: new FetchHttpClient() });
      const changes = await client.apply(desired);
      expect(changes.map((change) => change.id)).toEqual(['2', '3']);
      const [list] = fake.api.requests;
      expect(list?.headers.authorization).toBe(`Basic ${Buffer.from('mj-public-key-abc:mj-secret-key-xyz').toString('base64')}`);
      expect(list?.query.get('Limit')).toBe('1000');
      const puts = fake.api.requests.filter((request) => request.method === 'PUT');
      expect(puts.map((request) => JSON.parse(request.body) as unknown)).toEqual([
        { Url: urlWithCredential(urls.hookguard, NEW_CREDENTIAL) },
        { Url: urlWithCredential(urls.hookguard, NEW_CREDENTIAL) },
      ]);
      expect(fake.rows.map((row) => [row.EventType, row.Version])).toEqual([
        ['open', 2],
        ['sent', 2],
        ['bounce', 2],
      ]);
    } finally {
      await fake.close();
    }
  });

  it('reports a suspended row as inactive; the rotation URL change revives it, as Mailjet documents', async () => {
    const fake = await startMailjetFake(KEYS, [{ url: urls.hookguard, credential: OLD_CREDENTIAL }]);
    try {
      const row = fake.rows.find((candidate) => candidate.EventType === 'bounce');
      if (row) row.Status = 'dead';
      const client = mailjetManagement.create({ account: { apiBaseUrl: fake.api.baseUrl }, apiKey: KEYS, http: new FetchHttpClient() });
      expect((await client.read(desired)).map((snapshot) => snapshot.active)).toEqual([true, false]);
      await client.apply(desired);
      expect((await client.read(desired)).map((snapshot) => snapshot.active)).toEqual([true, true]);
    } finally {
      await fake.close();
    }
  });

  it('names the missing key field without quoting the one present', async () => {
    const client = mailjetManagement.create({
      account: { apiBaseUrl: 'http://127.0.0.1:9' },
      apiKey: { apiKey: 'mj-public-key-abc' },
      http: new FetchHttpClient(),
    });
    const error = (await client.read(desired).catch((caught: unknown) => caught)) as Error;
    expect(error.message).toContain('"secretKey"');
    expect(error.message).not.toContain('mj-public-key-abc');
  });
});
