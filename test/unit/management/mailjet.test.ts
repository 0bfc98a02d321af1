import { FetchHttpClient } from '../../../lambda/management/http-client';
import { mailjetManagement } from '../../../lambda/management/mailjet';
import { urlWithCredential } from '../../../lambda/management/shared';
import { type DesiredWebhook, ManagementError } from '../../../lambda/management/types';
import { type MailjetFake, startMailjetFake } from '../../support/fakes/mailjet';

const HOOKGUARD = 'https://hooks.example.com/webhooks/mailjet';
const OLD = { username: 'hookguard', password: 'old-password-0123456789' };
const NEW = { username: 'hookguard', password: 'new-password-9876543210' };
const desired: DesiredWebhook = { url: HOOKGUARD, credential: NEW };
const KEYS = { apiKey: 'mj-public-key-abc', secretKey: 'mj-secret-key-xyz' };

describe('Mailjet management (eventcallbackurl rows)', () => {
  let fake: MailjetFake;
  const client = (apiKey: Record<string, string> = KEYS, extra: object = {}) =>
    mailjetManagement.create({
      account: { apiBaseUrl: fake.server.baseUrl, ...extra },
      apiKey,
      http: new FetchHttpClient(),
    });

  beforeEach(async () => {
    fake = await startMailjetFake(KEYS.apiKey, KEYS.secretKey, [
      { ID: 11, EventType: 'sent', IsBackup: false, Status: 'alive', Url: urlWithCredential(HOOKGUARD, OLD), Version: 2 },
      { ID: 12, EventType: 'bounce', IsBackup: false, Status: 'dead', Url: urlWithCredential(HOOKGUARD, OLD), Version: 2 },
      { ID: 13, EventType: 'open', IsBackup: false, Status: 'alive', Url: 'https://elsewhere.example.org/mj', Version: 1 },
    ]);
  });
  afterEach(async () => {
    await fake.close();
  });

  it('reads every row pointing at Hookguard, with Basic API-key auth, and leaves other rows alone', async () => {
    const snapshots = await client().read(desired);
    expect(snapshots).toEqual([
      { id: '11', displayUrl: 'https://***@hooks.example.com/webhooks/mailjet', urlMatches: true, credential: 'other', active: true, superseded: false },
      { id: '12', displayUrl: 'https://***@hooks.example.com/webhooks/mailjet', urlMatches: true, credential: 'other', active: false, superseded: false },
    ]);
    expect(fake.server.requests[0]?.headers.authorization).toBe(
      `Basic ${Buffer.from('mj-public-key-abc:mj-secret-key-xyz').toString('base64')}`,
    );
    expect(fake.server.requests[0]?.query.get('Limit')).toBe('1000');
  });

  it('plans one update per event row without changing anything', async () => {
    const changes = await client().plan(desired);
    expect(changes.map((change) => [change.action, change.id])).toEqual([
      ['update', '11'],
      ['update', '12'],
    ]);
    expect(changes[0]?.summary).toBe('URL user info: other credential -> desired credential');
    expect(fake.server.requests.every((request) => request.method === 'GET')).toBe(true);
  });

  it('applies with one PUT per row carrying only Url, then finds nothing left to change (idempotent)', async () => {
    const applied = await client().apply(desired);
    expect(applied).toHaveLength(2);
    const puts = fake.server.requests.filter((request) => request.method === 'PUT');
    expect(puts.map((request) => request.path)).toEqual(['/v3/REST/eventcallbackurl/11', '/v3/REST/eventcallbackurl/12']);
    expect(JSON.parse(puts[0]?.body ?? '')).toEqual({ Url: urlWithCredential(HOOKGUARD, NEW) });
    expect(fake.rows.map((row) => row.Url)).toEqual([
      urlWithCredential(HOOKGUARD, NEW),
      urlWithCredential(HOOKGUARD, NEW),
      'https://elsewhere.example.org/mj',
    ]);
    // The suspended row came back to life through the URL change, as Mailjet documents.
    expect((await client().read(desired)).every((snapshot) => snapshot.credential === 'desired' && snapshot.active)).toBe(true);
    expect(await client().apply(desired)).toEqual([]);
    expect(fake.server.requests.filter((request) => request.method === 'PUT')).toHaveLength(2);
    expect(await client().retire(desired)).toEqual([]);
  });

  it('resumes after a partial failure: a 5xx on the second PUT fails the call, the retry changes only that row', async () => {
    fake.server.failNext({ method: 'PUT', pathPrefix: '/v3/REST/eventcallbackurl/12', status: 503, headers: { 'retry-after': '0' }, times: 3 });
    const error = await client().apply(desired).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ManagementError);
    expect((error as ManagementError).status).toBe(503);
    expect(fake.rows[0]?.Url).toBe(urlWithCredential(HOOKGUARD, NEW));
    const retried = await client().apply(desired);
    expect(retried.map((change) => change.id)).toEqual(['12']);
  });

  it('retries a 429 honouring Retry-After', async () => {
    fake.server.failNext({ method: 'GET', status: 429, headers: { 'retry-after': '0' } });
    await expect(client().read(desired)).resolves.toHaveLength(2);
    expect(fake.server.requests).toHaveLength(2);
  });

  it('manages configured row ids only, and names a missing id', async () => {
    const snapshots = await client(KEYS, { webhookIds: ['12'] }).read(desired);
    expect(snapshots.map((snapshot) => snapshot.id)).toEqual(['12']);
    await expect(client(KEYS, { webhookIds: ['99'] }).read(desired)).rejects.toThrow('mailjet: no webhook with id 99');
  });

  it('moves rows found by matchUrl to Hookguard URL', async () => {
    const moved = await client(KEYS, { matchUrl: 'https://elsewhere.example.org/mj/' }).apply(desired);
    expect(moved.map((change) => change.id)).toEqual(['11', '12', '13']);
    expect(fake.rows[2]?.Url).toBe(urlWithCredential(HOOKGUARD, NEW));
  });

  it('fails clearly when no row points at Hookguard', async () => {
    await expect(client().read({ ...desired, url: 'https://hooks.example.com/webhooks/other' })).rejects.toThrow(
      /mailjet: no webhook points at https:\/\/hooks\.example\.com\/webhooks\/other/,
    );
  });

  it('never puts an API key or a credential in an error message', async () => {
    const wrongKeys = await client({ apiKey: 'mj-public-key-abc', secretKey: 'wrong-secret' }).read(desired).catch((caught: unknown) => caught);
    expect(wrongKeys).toBeInstanceOf(ManagementError);
    expect((wrongKeys as Error).message).toBe('mailjet: listing eventcallbackurl answered HTTP 401');
    fake.server.failNext({ method: 'PUT', status: 400, body: { ErrorMessage: `Invalid Url ${urlWithCredential(HOOKGUARD, NEW)}` } });
    const rejected = (await client().apply(desired).catch((caught: unknown) => caught)) as Error;
    for (const secret of [KEYS.apiKey, KEYS.secretKey, NEW.password, OLD.password]) {
      expect(String(rejected.message)).not.toContain(secret);
      expect(String((wrongKeys as Error).message)).not.toContain(secret);
    }
    await expect(client({ apiKey: 'only-public' }).read(desired)).rejects.toThrow('mailjet: the provider-keys secret has no secretKey for mailjet');
  });
});
