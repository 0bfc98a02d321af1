import { FetchHttpClient } from '../../../lambda/management/http-client';
import {
  comparableUrl,
  credentialInUrl,
  displayUrl,
  expectOk,
  matchCredential,
  sameTarget,
  sendWithRetry,
  urlWithCredential,
} from '../../../lambda/management/shared';
import { ManagementError } from '../../../lambda/management/types';
import { type FakeApiServer, startFakeApiServer } from '../../support/fake-api-server';

describe('management URL helpers', () => {
  it('compares targets without credentials, query or trailing slash', () => {
    expect(sameTarget('https://u:p@Hooks.example.com/webhooks/sendgrid/?x=1', 'https://hooks.example.com/webhooks/sendgrid')).toBe(true);
    expect(sameTarget('https://hooks.example.com/webhooks/mailgun', 'https://hooks.example.com/webhooks/sendgrid')).toBe(false);
    expect(comparableUrl('not a url')).toBeNull();
  });

  it('round-trips a credential through URL user info and never displays it', () => {
    const url = urlWithCredential('https://hooks.example.com/webhooks/sendgrid', { username: 'hook guard', password: 'p@ss:w/rd' });
    expect(credentialInUrl(url)).toEqual({ username: 'hook guard', password: 'p@ss:w/rd' });
    expect(displayUrl(url)).toBe('https://***@hooks.example.com/webhooks/sendgrid');
    expect(displayUrl(url)).not.toContain('rd');
  });

  it('matches credentials exactly', () => {
    const desired = { username: 'hookguard', password: 'a'.repeat(40) };
    expect(matchCredential({ ...desired }, desired)).toBe('desired');
    expect(matchCredential({ username: 'hookguard', password: 'a'.repeat(39) }, desired)).toBe('other');
    expect(matchCredential({ username: 'other', password: 'a'.repeat(40) }, desired)).toBe('other');
    expect(matchCredential(null, desired)).toBe('none');
  });
});

describe('sendWithRetry over FetchHttpClient', () => {
  let fake: FakeApiServer;
  beforeEach(async () => {
    fake = await startFakeApiServer();
    fake.route('GET', '/v1/things/:id', (_request, params) => ({ status: 200, body: { id: params.id } }));
  });
  afterEach(() => fake.close());

  const http = new FetchHttpClient({ timeoutMs: 2000 });
  const noSleep = { sleep: () => Promise.resolve() };

  it('retries 429 and 5xx, then returns the answer', async () => {
    fake.failNext({ status: 429, headers: { 'retry-after': '1' } });
    fake.failNext({ status: 503 });
    const response = await sendWithRetry(http, 'sendgrid', { method: 'GET', url: `${fake.baseUrl}/v1/things/7` }, noSleep);
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ id: '7' });
    expect(fake.requests).toHaveLength(3);
  });

  it('gives up after the attempts and returns the last failing answer', async () => {
    fake.failNext({ status: 500, times: 5 });
    const response = await sendWithRetry(http, 'sendgrid', { method: 'GET', url: `${fake.baseUrl}/v1/things/7` }, noSleep);
    expect(response.status).toBe(500);
    expect(fake.requests).toHaveLength(3);
    expect(() => expectOk('sendgrid', 'GET thing', response)).toThrow(ManagementError);
  });

  it('does not wait for a Retry-After beyond its limit', async () => {
    fake.failNext({ status: 429, headers: { 'retry-after': '3600' } });
    const response = await sendWithRetry(http, 'sendgrid', { method: 'GET', url: `${fake.baseUrl}/v1/things/7` }, noSleep);
    expect(response.status).toBe(429);
    expect(fake.requests).toHaveLength(1);
  });

  it('refuses plain http to anything but loopback', async () => {
    await expect(http.send({ method: 'GET', url: 'http://api.example.com/x' })).rejects.toThrow(/https only/);
  });
});
