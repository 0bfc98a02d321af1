import { FetchHttpClient } from '../../../lambda/management/http-client';
import { resendManagement } from '../../../lambda/management/resend';
import { type ResendWebhook, startResendFake } from '../../support/fakes/resend';
import { inPlaceContract } from '../../support/in-place-contract';

const HOOKGUARD = 'https://hooks.example.com/webhooks/resend';
const OLD = { username: 'hookguard', password: 'old-resend-password-1' };
const NEW = { username: 'hookguard', password: 'new-resend-password-2' };
const KEY = 're_zKa4RCko_Lhm9ost2YjNCctnPjbLw8Nop';

// Shaped like resend-node's list fixture [RS1].
const webhook = (id: string, endpoint: string): ResendWebhook => ({
  id,
  endpoint,
  created_at: '2023-06-21T06:10:36.144Z',
  status: 'enabled',
  events: ['email.sent', 'email.delivered'],
});

describe('Resend management (placement none: URL only)', () => {
  inPlaceContract({
    provider: 'resend',
    placement: 'none',
    hookguardUrl: HOOKGUARD,
    oldCredential: OLD,
    newCredential: NEW,
    managedIds: ['430eed87-632a-4ea6-90db-0aace67ec228', 'b6d24b8e-af0b-4c3c-be0c-359bbd97381e'],
    foreignId: 'c0ffee00-0000-4000-8000-000000000000',
    keys: { apiKey: KEY },
    wrongKeys: { apiKey: 're_wrong' },
    unauthorizedMessage: 'resend: listing webhooks answered HTTP 401',
    update: { method: 'PATCH', path: (id) => `/webhooks/${id}` },
    async start(initialUrl) {
      const fake = await startResendFake(KEY, [
        webhook('430eed87-632a-4ea6-90db-0aace67ec228', initialUrl),
        webhook('b6d24b8e-af0b-4c3c-be0c-359bbd97381e', initialUrl),
        webhook('c0ffee00-0000-4000-8000-000000000000', 'https://example.com/webhook2'),
      ]);
      return { server: fake.server, urlOf: (id) => fake.webhooks.find((hook) => hook.id === id)?.endpoint, close: fake.close };
    },
    client: (fake, keys, extra) =>
      resendManagement.create({ account: { apiBaseUrl: fake.server.baseUrl, ...extra }, apiKey: keys, http: new FetchHttpClient() }),
  });

  it('follows the after cursor, reports disabled webhooks as inactive and PATCHes only endpoint', async () => {
    const many = Array.from({ length: 150 }, (_, index) => webhook(`id-${index}`, `https://other.example.org/${index}`));
    const fake = await startResendFake(KEY, [...many, { ...webhook('last', `${HOOKGUARD}/`), status: 'disabled' }]);
    try {
      const client = resendManagement.create({ account: { apiBaseUrl: fake.server.baseUrl }, apiKey: { apiKey: KEY }, http: new FetchHttpClient() });
      const snapshots = await client.read({ url: HOOKGUARD, credential: NEW });
      expect(snapshots).toEqual([
        { id: 'last', displayUrl: `${HOOKGUARD}/`, urlMatches: true, credential: 'none', active: false, superseded: false },
      ]);
      expect(fake.server.requests.map((request) => request.query.get('after'))).toEqual([null, 'id-99']);
      // Same target: Resend cannot carry the credential, so nothing is written.
      expect(await client.apply({ url: HOOKGUARD, credential: NEW })).toEqual([]);
    } finally {
      await fake.close();
    }
  });

  it('moves an endpoint to a new Hookguard URL with a PATCH of endpoint only', async () => {
    const fake = await startResendFake(KEY, [webhook('w1', 'https://old.example.com/webhooks/resend')]);
    try {
      const client = resendManagement.create({
        account: { apiBaseUrl: fake.server.baseUrl, matchUrl: 'https://old.example.com/webhooks/resend' },
        apiKey: { apiKey: KEY },
        http: new FetchHttpClient(),
      });
      await client.apply({ url: HOOKGUARD, credential: NEW });
      const patch = fake.server.requests.find((request) => request.method === 'PATCH');
      expect(JSON.parse(patch?.body ?? '')).toEqual({ endpoint: HOOKGUARD });
      expect(fake.webhooks[0]?.events).toEqual(['email.sent', 'email.delivered']);
    } finally {
      await fake.close();
    }
  });
});
