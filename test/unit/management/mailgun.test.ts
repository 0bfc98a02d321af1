import { FetchHttpClient } from '../../../lambda/management/http-client';
import { mailgunManagement } from '../../../lambda/management/mailgun';
import { type MailgunFake, multipartUrls, startMailgunFake } from '../../support/fakes/mailgun';
import {
  contractUrls,
  describeManagementContract,
  NEW_CREDENTIAL,
  OLD_CREDENTIAL,
} from '../../support/management-contract';

const API_KEY = 'key-mailgun-test-Pq4Rs7';
const DOMAIN = 'mg.example.com';
const urls = contractUrls('mailgun');
const newUrl = `https://hookguard:${NEW_CREDENTIAL.password}@hooks.example.com/webhooks/mailgun`;

describeManagementContract({
  module: mailgunManagement,
  apiKey: { apiKey: API_KEY },
  options: { domain: DOMAIN },
  start: (apiKey, seed) => startMailgunFake(apiKey.apiKey as string, DOMAIN, seed),
  update: { method: 'PUT', pathPrefix: `/v3/domains/${DOMAIN}/webhooks/` },
});

describe('mailgun management client', () => {
  let fake: MailgunFake | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });
  const http = new FetchHttpClient({ timeoutMs: 5000 });
  const desired = { url: urls.hookguard, credential: NEW_CREDENTIAL };
  const clientFor = (running: MailgunFake, account: object = {}) =>
    mailgunManagement.create({
      account: { apiBaseUrl: running.api.baseUrl, options: { domain: DOMAIN }, ...account },
      apiKey: { apiKey: API_KEY },
      http,
    });

  it('sends one PUT per event type, keeping the event’s other URLs in their order', async () => {
    fake = await startMailgunFake(API_KEY, DOMAIN, []);
    fake.webhooks.delivered = ['https://first.example.net/hook', urls.hookguard, 'https://third.example.net/hook'];
    const changes = await clientFor(fake).apply(desired);
    expect(changes).toEqual([
      { action: 'update', id: 'delivered', summary: 'URL user info: none credential -> desired credential' },
    ]);
    expect(fake.webhooks.delivered).toEqual(['https://first.example.net/hook', newUrl, 'https://third.example.net/hook']);
    const put = fake.api.requests.find((request) => request.method === 'PUT');
    expect(put?.path).toBe(`/v3/domains/${DOMAIN}/webhooks/delivered`);
    expect(put?.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(multipartUrls(put?.headers['content-type'], put?.body ?? '')).toHaveLength(3);
    expect(put?.headers.authorization).toBe(`Basic ${Buffer.from(`api:${API_KEY}`).toString('base64')}`);
  });

  it('collapses an old and a new Hookguard URL in one event type into one', async () => {
    fake = await startMailgunFake(API_KEY, DOMAIN, []);
    fake.webhooks.opened = ['https://trackopen.com', urls.old, urls.hookguard];
    const client = clientFor(fake, { matchUrl: urls.old });
    expect((await client.plan(desired))[0]?.summary).toContain('2 URLs of this event type -> one');
    await client.apply(desired);
    expect(fake.webhooks.opened).toEqual(['https://trackopen.com', newUrl]);
    expect(await client.plan(desired)).toEqual([]);
  });

  it('asks for matchUrl when a chosen event type has several URLs and none is Hookguard’s', async () => {
    fake = await startMailgunFake(API_KEY, DOMAIN, []);
    await expect(clientFor(fake, { webhookIds: ['clicked'] }).plan(desired)).rejects.toThrow(
      /event type clicked has 2 URLs .* set managed\.matchUrl/,
    );
  });

  it('needs the domain option and names an unknown domain’s 404', async () => {
    fake = await startMailgunFake(API_KEY, DOMAIN, [{ url: urls.hookguard, credential: OLD_CREDENTIAL }]);
    const noDomain = mailgunManagement.create({
      account: { apiBaseUrl: fake.api.baseUrl },
      apiKey: { apiKey: API_KEY },
      http,
    });
    await expect(noDomain.read(desired)).rejects.toThrow('mailgun: managed.options.domain is required');
    await expect(clientFor(fake, { options: { domain: 'other.example.com' } }).read(desired)).rejects.toMatchObject({
      status: 404,
    });
    expect(fake.api.requests).toHaveLength(1);
  });

  it('uses the EU host for region eu', async () => {
    const sent: string[] = [];
    const client = mailgunManagement.create({
      account: { region: 'eu', options: { domain: DOMAIN } },
      apiKey: { apiKey: API_KEY },
      http: { send: async (request) => (sent.push(request.url), { status: 200, headers: {}, body: '{"webhooks":{}}' }) },
    });
    await expect(client.read(desired)).rejects.toThrow(/no webhook points at/);
    expect(sent).toEqual([`https://api.eu.mailgun.net/v3/domains/${DOMAIN}/webhooks`]);
  });
});
