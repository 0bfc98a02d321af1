import {
  buildManagedProviders,
  createProviderSync,
  parseProviderApiKeys,
  ProviderApiKeysError,
  providerWebhookUrl,
  redactSecrets,
  verifyWebhooks,
} from '../../../lambda/core/provider-sync';
import type { ProviderId } from '../../../lambda/core/provider-ids';
import {
  type ManagedWebhookClient,
  ManagementError,
  type ManagementModule,
} from '../../../lambda/management/types';
import { FakeManagedClient } from '../../support/fake-managed-client';

const BASE = 'https://hooks.example.com/dev/';
const url = (provider: ProviderId) => providerWebhookUrl(BASE, provider);
const CURRENT = { username: 'hookguard', password: 'CurrentPasswordCurrentPassword0123456789' };
const PENDING = { username: 'hookguard', password: 'PendingPasswordPendingPassword0123456789' };
const noSleep = async () => {};

function sendgridLike(): FakeManagedClient {
  return new FakeManagedClient('sendgrid', [{ id: 'sg-1', url: url('sendgrid'), credential: CURRENT }]);
}

function postmarkLike(): FakeManagedClient {
  return new FakeManagedClient('postmark', [
    { id: 'pm-1', url: url('postmark'), credential: CURRENT },
    { id: 'pm-2', url: url('postmark'), credential: CURRENT },
  ]);
}

function snsLike(): FakeManagedClient {
  return new FakeManagedClient('amazon-ses', [{ id: 'sub-1', url: url('amazon-ses'), credential: CURRENT }], {
    replaceOnChange: true,
  });
}

describe('providerWebhookUrl', () => {
  it('puts webhooks/<provider> under the stage base URL, with or without its trailing slash', () => {
    expect(providerWebhookUrl('https://abc.execute-api.eu-west-1.amazonaws.com/dev/', 'sendgrid')).toBe(
      'https://abc.execute-api.eu-west-1.amazonaws.com/dev/webhooks/sendgrid',
    );
    expect(providerWebhookUrl('https://hooks.example.com', 'postmark')).toBe('https://hooks.example.com/webhooks/postmark');
  });
});

describe('createProviderSync', () => {
  it('applies the credential to every managed provider and verifies it', async () => {
    const sendgrid = sendgridLike();
    const postmark = postmarkLike();
    const sync = createProviderSync({
      providers: [
        { provider: 'sendgrid', url: url('sendgrid'), client: sendgrid },
        { provider: 'postmark', url: url('postmark'), client: postmark },
      ],
    });
    const plan = await sync.plan(PENDING);
    expect(plan.results.map((result) => result.changes.length)).toEqual([1, 2]);
    expect(sendgrid.webhooks[0]?.credential).toEqual(CURRENT); // a plan changes nothing

    const applied = await sync.apply(PENDING);
    expect(applied).toMatchObject({ operation: 'apply', ok: true, failed: [] });
    expect(postmark.webhooks.map((webhook) => webhook.credential)).toEqual([PENDING, PENDING]);

    const verified = await sync.verify(PENDING);
    expect(verified.ok).toBe(true);
    expect(verified.results[1]?.webhooks.map((webhook) => webhook.id)).toEqual(['pm-1', 'pm-2']);
    expect((await sync.verify(CURRENT)).ok).toBe(false);
  });

  it('is idempotent: applying twice changes nothing the second time', async () => {
    const sendgrid = sendgridLike();
    const sync = createProviderSync({ providers: [{ provider: 'sendgrid', url: url('sendgrid'), client: sendgrid }] });
    expect((await sync.apply(PENDING)).results[0]?.changes).toHaveLength(1);
    expect((await sync.apply(PENDING)).results[0]?.changes).toEqual([]);
  });

  it('keeps going past a failing provider and names it, with the status and whether a retry may help', async () => {
    const sendgrid = sendgridLike().failAlways('apply', 503);
    const postmark = postmarkLike();
    const mailgun = new FakeManagedClient('mailgun', [{ url: url('mailgun'), credential: CURRENT }]).failAlways(
      'apply',
      401,
    );
    const sync = createProviderSync({
      providers: [
        { provider: 'sendgrid', url: url('sendgrid'), client: sendgrid },
        { provider: 'postmark', url: url('postmark'), client: postmark },
        { provider: 'mailgun', url: url('mailgun'), client: mailgun },
      ],
    });
    const report = await sync.apply(PENDING);
    expect(report.ok).toBe(false);
    expect(report.failed).toEqual(['sendgrid', 'mailgun']);
    expect(report.results[0]).toMatchObject({ ok: false, status: 503, retryable: true });
    expect(report.results[0]?.error).toBe('sendgrid: apply answered HTTP 503');
    expect(report.results[1]).toMatchObject({ ok: true });
    expect(report.results[2]).toMatchObject({ ok: false, status: 401, retryable: false });
    // Postmark was updated although SendGrid failed first.
    expect(postmark.webhooks.every((webhook) => webhook.credential === null || webhook.credential.password === PENDING.password)).toBe(true);
  });

  it('reports a transport error by its name only, never its message (it may quote a URL with user info)', async () => {
    const client: ManagedWebhookClient = {
      provider: 'sendgrid',
      read: async () => [],
      plan: async () => [],
      apply: async () => {
        throw new TypeError(`fetch failed for https://hookguard:${PENDING.password}@hooks.example.com/`);
      },
      retire: async () => [],
    };
    const sync = createProviderSync({ providers: [{ provider: 'sendgrid', url: url('sendgrid'), client }] });
    const [result] = (await sync.apply(PENDING)).results;
    expect(result).toMatchObject({ ok: false, retryable: true, error: 'sendgrid: apply failed (TypeError)' });
    expect(JSON.stringify(result)).not.toContain(PENDING.password);
  });

  it('redacts the credential should a client put it in a ManagementError', async () => {
    const client: ManagedWebhookClient = {
      provider: 'sendgrid',
      read: async () => [],
      plan: async () => [],
      apply: async () => {
        throw new ManagementError('sendgrid', `refused ${encodeURIComponent(PENDING.password)}`, 400);
      },
      retire: async () => [],
    };
    const sync = createProviderSync({ providers: [{ provider: 'sendgrid', url: url('sendgrid'), client }] });
    const [result] = (await sync.apply(PENDING)).results;
    expect(result?.error).toBe('sendgrid: refused ***');
  });

  it('verify refuses a webhook with another credential, a wrong URL, or none at all', async () => {
    const stale = new FakeManagedClient('postmark', [
      { id: 'a', url: url('postmark'), credential: PENDING },
      { id: 'b', url: url('postmark'), credential: CURRENT },
    ]);
    const sync = createProviderSync({ providers: [{ provider: 'postmark', url: url('postmark'), client: stale }] });
    const [result] = (await sync.verify(PENDING)).results;
    expect(result).toMatchObject({ ok: false, retryable: false, problems: ['webhook b carries another credential'] });
  });

  it('verify waits for a new SNS-style subscription to be confirmed, then retire removes the old one', async () => {
    const sns = snsLike();
    let reads = 0;
    const sleep = async () => {
      reads += 1;
      if (reads === 2) sns.confirm(); // Hookguard's verifier confirms during the second wait
    };
    const sync = createProviderSync({
      providers: [{ provider: 'amazon-ses', url: url('amazon-ses'), client: sns }],
      sleep,
      verifyAttempts: 5,
    });
    expect((await sync.apply(PENDING)).results[0]?.changes).toEqual([
      { action: 'create', id: 'wh-100', summary: 'subscribed with the desired credential' },
    ]);
    // Both subscriptions exist during the overlap: the old one carries the current credential.
    expect(sns.webhooks.map((webhook) => [webhook.id, webhook.superseded, webhook.active])).toEqual([
      ['sub-1', true, true],
      ['wh-100', false, false],
    ]);
    const verified = await sync.verify(PENDING);
    expect(verified.ok).toBe(true);
    expect(sns.calls.filter((call) => call === 'read')).toHaveLength(3);
    expect((await sync.retire(PENDING)).results[0]?.changes).toEqual([
      { action: 'delete', id: 'sub-1', summary: 'superseded' },
    ]);
    expect(sns.webhooks.map((webhook) => webhook.id)).toEqual(['wh-100']);
  });

  it('verify gives up after its attempts when the subscription stays pending, and says a retry may help', async () => {
    const sns = snsLike();
    const sync = createProviderSync({
      providers: [{ provider: 'amazon-ses', url: url('amazon-ses'), client: sns }],
      sleep: noSleep,
      verifyAttempts: 3,
    });
    await sync.apply(PENDING);
    const [result] = (await sync.verify(PENDING)).results;
    expect(result).toMatchObject({ ok: false, retryable: true });
    expect(result?.problems).toEqual(['webhook wh-100 is not active (the provider does not deliver to it yet)']);
    expect(sns.calls.filter((call) => call === 'read')).toHaveLength(3);
  });

  it('accepts a credential the provider does not return, and lists it as unverifiable', async () => {
    const client = new FakeManagedClient('brevo', [{ id: 'b-1', url: url('brevo'), credential: PENDING }], {
      credentialUnreadable: true,
    });
    const sync = createProviderSync({ providers: [{ provider: 'brevo', url: url('brevo'), client }] });
    const [result] = (await sync.verify(PENDING)).results;
    expect(result).toMatchObject({ ok: true, unverifiable: ['b-1'] });
  });

  it('reports an unavailable provider as failed in every operation, without calling anything', async () => {
    const sync = createProviderSync({
      providers: [{ provider: 'mailjet', url: url('mailjet'), unavailable: 'mailjet: no API key' }],
    });
    for (const operation of ['plan', 'apply', 'verify', 'retire'] as const) {
      const report = await sync[operation](PENDING);
      expect(report).toMatchObject({ ok: false, failed: ['mailjet'] });
      expect(report.results[0]).toMatchObject({ error: 'mailjet: no API key', retryable: false });
    }
  });

  it('is ok with no managed provider, and refuses a provider listed twice', async () => {
    expect(await createProviderSync({ providers: [] }).apply(PENDING)).toEqual({
      operation: 'apply',
      results: [],
      ok: true,
      failed: [],
    });
    const client = sendgridLike();
    expect(() =>
      createProviderSync({
        providers: [
          { provider: 'sendgrid', url: url('sendgrid'), client },
          { provider: 'sendgrid', url: url('sendgrid'), client },
        ],
      }),
    ).toThrow('sendgrid is listed twice');
  });
});

describe('verifyWebhooks', () => {
  it('needs at least one live webhook', () => {
    const found = verifyWebhooks([
      { id: 'old', displayUrl: 'x', urlMatches: true, credential: 'other', active: true, superseded: true },
    ]);
    expect(found.problems).toEqual(["no managed webhook carries Hookguard's URL (only superseded ones were found)"]);
    expect(found.inactiveOnly).toBe(false);
  });
});

describe('parseProviderApiKeys', () => {
  it('reads {"<provider>": {"<field>": "..."}}; an empty or missing secret is no keys', () => {
    expect(parseProviderApiKeys('{"mailjet":{"apiKey":"k","secretKey":"s"}}')).toEqual({
      mailjet: { apiKey: 'k', secretKey: 's' },
    });
    expect(parseProviderApiKeys('{}')).toEqual({});
    expect(parseProviderApiKeys(null)).toEqual({});
  });

  it.each([
    ['not json', 'not JSON'],
    ['[]', 'must be a JSON object'],
    ['{"sendgird":{"apiKey":"SG.secret-value"}}', 'unknown provider "sendgird"'],
    ['{"sendgrid":"SG.secret-value"}', '"sendgrid" must be an object of strings'],
    ['{"sendgrid":{"apiKey":42}}', '"sendgrid.apiKey" must be a string'],
  ])('refuses %s, naming the key and never a value', (text, message) => {
    expect(() => parseProviderApiKeys(text)).toThrow(ProviderApiKeysError);
    expect(() => parseProviderApiKeys(text)).toThrow(message);
    try {
      parseProviderApiKeys(text);
    } catch (error) {
      expect((error as Error).message).not.toContain('SG.secret-value');
    }
  });
});

describe('buildManagedProviders', () => {
  const created: unknown[] = [];
  const module = (provider: ProviderId, overrides: Partial<ManagementModule> = {}): ManagementModule => ({
    provider,
    placement: 'url-userinfo',
    keyFields: ['apiKey'],
    keyScope: 'webhooks only',
    options: {},
    sources: [],
    create: (deps) => {
      created.push(deps);
      return new FakeManagedClient(provider, []);
    },
    ...overrides,
  });
  const http = { send: async () => ({ status: 200, headers: {}, body: '' }) };

  it('creates one client per managed account, with its account and API key, in provider order', () => {
    created.length = 0;
    const providers = buildManagedProviders({
      accounts: { sendgrid: { webhookIds: ['1'] }, brevo: {} },
      modules: new Map([
        ['sendgrid', module('sendgrid')],
        ['brevo', module('brevo', { placement: 'bearer' })],
      ]),
      apiKeys: { sendgrid: { apiKey: 'SG.key' }, brevo: { apiKey: 'xkeysib' } },
      webhookUrl: url,
      http,
    });
    expect(providers.map((managed) => [managed.provider, managed.url, 'client' in managed])).toEqual([
      ['brevo', url('brevo'), true],
      ['sendgrid', url('sendgrid'), true],
    ]);
    expect(created[1]).toMatchObject({ account: { webhookIds: ['1'] }, apiKey: { apiKey: 'SG.key' } });
  });

  it('marks a provider unavailable when its module, API key field, SNS client or client creation is missing', () => {
    const providers = buildManagedProviders({
      accounts: { mailjet: {}, postal: {}, resend: {}, 'amazon-ses': {}, sparkpost: {} },
      modules: new Map<ProviderId, ManagementModule>([
        ['mailjet', module('mailjet', { keyFields: ['apiKey', 'secretKey'] })],
        ['resend', module('resend', { placement: 'none' })],
        ['amazon-ses', module('amazon-ses', { keyFields: [] })],
        [
          'sparkpost',
          module('sparkpost', {
            create: () => {
              throw new Error('bad option with key SP.secret-key-value');
            },
          }),
        ],
      ]),
      apiKeys: { mailjet: { apiKey: 'k' }, sparkpost: { apiKey: 'SP.secret-key-value' } },
      webhookUrl: url,
      http,
    });
    const reasons = Object.fromEntries(
      providers.map((managed) => [managed.provider, 'unavailable' in managed ? managed.unavailable : 'client']),
    );
    expect(reasons).toEqual({
      'amazon-ses': 'amazon-ses: no SNS client available',
      mailjet:
        'mailjet: the provider-API-keys secret has no "secretKey" for it (expected {"mailjet": {"apiKey": "...", "secretKey": "..."}})',
      postal: 'postal: Hookguard has no management client for this provider',
      resend: "resend: the provider's API cannot carry the Basic credential",
      sparkpost: 'sparkpost: the management client could not be created (Error)',
    });
  });
});

describe('redactSecrets', () => {
  it('replaces each secret, also percent-encoded, and leaves short values alone', () => {
    expect(redactSecrets('a p@ss/word-1234 b p%40ss%2Fword-1234 c', ['p@ss/word-1234', 'ab'])).toBe('a *** b *** c');
  });
});

describe('providerWebhookUrl with a path token', () => {
  it('puts the token between webhooks/ and the provider, as every other URL builder does', () => {
    const token = 'AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcd';
    expect(providerWebhookUrl(BASE, 'sendgrid', token)).toBe(`https://hooks.example.com/dev/webhooks/${token}/sendgrid`);
  });
});
