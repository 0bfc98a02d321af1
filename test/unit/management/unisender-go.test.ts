import { FetchHttpClient } from '../../../lambda/management/http-client';
import { urlWithCredential } from '../../../lambda/management/shared';
import { type DesiredWebhook, ManagementError } from '../../../lambda/management/types';
import { unisenderGoManagement } from '../../../lambda/management/unisender-go';
import { type UnisenderFake, type UnisenderHandler, startUnisenderFake } from '../../support/fakes/unisender-go';

const HOOKGUARD = 'https://hooks.example.com/webhooks/unisender-go';
const OLD = { username: 'hookguard', password: 'old-unisender-password' };
const NEW = { username: 'hookguard', password: 'new-unisender-password' };
const API_KEY = 'ug-api-key-0123456789abcdef';
const desired: DesiredWebhook = { url: HOOKGUARD, credential: NEW };

// Fields as in the documented list answer [UG2].
const handler = (id: number, url: string, status: UnisenderHandler['status'] = 'active'): UnisenderHandler => ({
  id,
  url,
  status,
  updated_at: '2026-11-01 10:00:00',
  events: { email_status: ['delivered', 'hard_bounced', 'spam'], spam_block: ['*'] },
  event_format: 'json_post',
  delivery_info: 1,
  single_event: 0,
  max_parallel: 5,
});

describe('Unisender Go management (set new, then delete old)', () => {
  let fake: UnisenderFake;
  const client = (extra: object = {}, key = API_KEY) =>
    unisenderGoManagement.create({
      account: { apiBaseUrl: fake.server.baseUrl, ...extra },
      apiKey: { apiKey: key },
      http: new FetchHttpClient(),
    });
  const calls = (method: string) => fake.server.requests.filter((request) => request.path.endsWith(`/webhook/${method}.json`));

  beforeEach(async () => {
    fake = await startUnisenderFake(API_KEY, [
      handler(7, urlWithCredential(HOOKGUARD, OLD)),
      handler(8, 'https://crm.example.org/unisender'),
    ]);
  });
  afterEach(async () => {
    await fake.close();
  });

  it('reads the handler on the old credential as superseded, with the API key header', async () => {
    expect(await client().read(desired)).toEqual([
      { id: '7', displayUrl: 'https://***@hooks.example.com/webhooks/unisender-go', urlMatches: true, credential: 'other', active: true, superseded: true },
    ]);
    const list = calls('list')[0];
    expect(list?.method).toBe('POST');
    expect(list?.path).toBe('/ru/transactional/api/v1/webhook/list.json');
    expect(list?.headers['x-api-key']).toBe(API_KEY);
    expect(JSON.parse(list?.body ?? '')).toEqual({ limit: 100, offset: 0 });
  });

  it('plans the new handler without creating it', async () => {
    const changes = await client().plan(desired);
    expect(changes).toEqual([
      { action: 'create', id: 'new', summary: 'set https://***@hooks.example.com/webhooks/unisender-go (desired credential), copying the settings of webhook 7' },
    ]);
    expect(calls('set')).toHaveLength(0);
  });

  it('sets the new URL with the old settings, once, and keeps the old one until retire', async () => {
    const applied = await client().apply(desired);
    expect(applied.map((change) => change.action)).toEqual(['create']);
    expect(JSON.parse(calls('set')[0]?.body ?? '')).toEqual({
      url: urlWithCredential(HOOKGUARD, NEW),
      status: 'active',
      events: { email_status: ['delivered', 'hard_bounced', 'spam'], spam_block: ['*'] },
      event_format: 'json_post',
      delivery_info: 1,
      single_event: 0,
      max_parallel: 5,
    });
    // Both deliver during the overlap.
    const during = await client().read(desired);
    expect(during.map((snapshot) => [snapshot.id, snapshot.credential, snapshot.superseded])).toEqual([
      ['7', 'other', true],
      ['9', 'desired', false],
    ]);
    expect(await client().apply(desired)).toEqual([]);
    expect(calls('set')).toHaveLength(1);
    expect(fake.handlers.filter((stored) => stored.url.includes('hooks.example.com'))).toHaveLength(2);

    const retired = await client().retire(desired);
    expect(retired).toEqual([{ action: 'delete', id: '7', summary: 'delete https://***@hooks.example.com/webhooks/unisender-go (superseded)' }]);
    expect(JSON.parse(calls('delete')[0]?.body ?? '')).toEqual({ url: urlWithCredential(HOOKGUARD, OLD) });
    expect(fake.handlers.map((stored) => stored.id)).toEqual([8, 9]);
    expect(await client().retire(desired)).toEqual([]);
  });

  it('retires nothing while no handler carrying the desired credential is active', async () => {
    expect(await client().retire(desired)).toEqual([]);
    await client().apply(desired);
    const created = fake.handlers.find((stored) => stored.id === 9);
    if (created) created.status = 'stopped';
    expect(await client().retire(desired)).toEqual([]);
    expect(calls('delete')).toHaveLength(0);
    // A stopped replacement is set active again (an edit of the same URL, not a second handler).
    expect(await client().plan(desired)).toEqual([{ action: 'update', id: '9', summary: 'status: not active -> active' }]);
    await client().apply(desired);
    expect(fake.handlers.find((stored) => stored.id === 9)?.status).toBe('active');
    expect(fake.handlers).toHaveLength(3);
  });

  it('retries a failed retire, deleting each superseded handler once', async () => {
    fake.handlers.push(handler(10, urlWithCredential(HOOKGUARD, { username: 'hookguard', password: 'even-older' })));
    await client().apply(desired);
    fake.server.failNext({ pathPrefix: '/ru/transactional/api/v1/webhook/delete.json', status: 500, headers: { 'retry-after': '0' }, times: 3 });
    await expect(client().retire(desired)).rejects.toMatchObject({ status: 500 });
    const retried = await client().retire(desired);
    expect(retried.map((change) => change.id)).toEqual(['7', '10']);
    expect(await client().retire(desired)).toEqual([]);
  });

  it('treats status "error" in a 200 answer as a failure, and 429 as retryable', async () => {
    fake.server.failNext({ status: 429, headers: { 'retry-after': '0' } });
    await expect(client().read(desired)).resolves.toHaveLength(1);
    fake.server.failNext({ status: 200, body: { status: 'error', message: 'internal', code: 1 } });
    await expect(client().read(desired)).rejects.toThrow('unisender-go: listing webhooks did not answer status "success"');
  });

  it('uses the host option and refuses anything that is not a host name', async () => {
    const sent: string[] = [];
    const recording = unisenderGoManagement.create({
      account: { options: { host: 'go2.unisender.ru' } },
      apiKey: { apiKey: API_KEY },
      http: {
        send: (request) => {
          sent.push(request.url);
          return Promise.resolve({ status: 200, headers: {}, body: JSON.stringify({ status: 'success', objects: [] }) });
        },
      },
    });
    await expect(recording.read(desired)).rejects.toThrow(ManagementError);
    expect(sent).toEqual(['https://go2.unisender.ru/ru/transactional/api/v1/webhook/list.json']);
    await expect(client({ apiBaseUrl: undefined, options: { host: 'evil.example.com/path?x=' } }).read(desired)).rejects.toThrow(
      'unisender-go: managed.options.host must be a host name such as go1.unisender.ru',
    );
    expect(() => client({ webhookIds: ['7'] })).toThrow('use managed.matchUrl instead of webhookIds');
  });

  it('keeps the API key and credentials out of error messages', async () => {
    const wrong = (await client({}, 'wrong-key').read(desired).catch((caught: unknown) => caught)) as Error;
    expect(wrong.message).toBe('unisender-go: listing webhooks answered HTTP 401');
    fake.server.failNext({ pathPrefix: '/ru/transactional/api/v1/webhook/set.json', status: 400, body: { status: 'error', message: `bad url ${urlWithCredential(HOOKGUARD, NEW)}` } });
    const rejected = (await client().apply(desired).catch((caught: unknown) => caught)) as Error;
    expect(rejected.message).toBe('unisender-go: setting the webhook answered HTTP 400');
    for (const secret of [API_KEY, 'wrong-key', NEW.password, OLD.password]) {
      expect(wrong.message + rejected.message).not.toContain(secret);
    }
  });
});
