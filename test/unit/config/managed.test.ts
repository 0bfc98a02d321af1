/**
 * `providers.<id>.managed`: the shape (schema) and the registry rules (load.ts over managed-accounts.ts). The
 * registry's entries are replaced by fixed ones so these tests do not change as management modules are added.
 */
import { isRequiredOption, managedAccountProblems, managedSnsTopics } from '../../../lambda/core/managed-accounts';
import type { ProviderId } from '../../../lambda/core/provider-ids';
import { MANAGEMENT_MODULES } from '../../../lambda/management';
import type { ManagementModule } from '../../../lambda/management/types';
import { ConfigError, parseConfig } from '../../../lib/config';

function fakeModule(provider: ProviderId, overrides: Partial<ManagementModule> = {}): ManagementModule {
  return {
    provider,
    placement: 'url-userinfo',
    keyFields: ['apiKey'],
    keyScope: 'webhooks only',
    options: {},
    sources: [],
    create: () => {
      throw new Error('not used');
    },
    ...overrides,
  };
}

// The registry is a Map: this file (its own module registry under jest) swaps its entries for fixed ones.
const mockModules = MANAGEMENT_MODULES as Map<ProviderId, ManagementModule>;
const registered = [...mockModules.entries()];

afterAll(() => {
  mockModules.clear();
  for (const [provider, module] of registered) mockModules.set(provider, module);
});

beforeAll(() => {
  mockModules.clear();
  mockModules.set('sendgrid', fakeModule('sendgrid'));
  mockModules.set(
    'mailgun',
    fakeModule('mailgun', { options: { domain: 'The sending domain whose webhooks are managed (required).' } }),
  );
  mockModules.set('resend', fakeModule('resend', { placement: 'none' }));
  mockModules.set(
    'amazon-ses',
    fakeModule('amazon-ses', { keyFields: [], options: { topicArn: 'The SNS topic; default: the only topic of snsTopicArns.' } }),
  );
});

const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:ses-events';
const OTHER_TOPIC = 'arn:aws:sns:eu-west-1:123456789012:other';

function problemsOf(raw: unknown): string[] {
  try {
    parseConfig(raw, 'test.json');
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((problem) => `${problem.path}: ${problem.message}`);
    throw error;
  }
  return [];
}

describe('providers.<id>.managed', () => {
  it('is absent by default and carried through as written', () => {
    const config = parseConfig({
      stages: {
        dev: {
          providers: {
            postmark: {},
            sendgrid: { managed: { webhookIds: ['abc'], apiBaseUrl: 'http://127.0.0.1:4010' } },
            mailgun: { managed: { options: { domain: 'mg.example.com' }, region: 'eu' } },
          },
        },
      },
    });
    const providers = config.stages.dev?.providers;
    expect(providers?.postmark).not.toHaveProperty('managed');
    expect(providers?.sendgrid?.managed).toEqual({ webhookIds: ['abc'], apiBaseUrl: 'http://127.0.0.1:4010' });
    expect(providers?.mailgun?.managed).toEqual({ options: { domain: 'mg.example.com' }, region: 'eu' });
  });

  it('refuses a provider without a management client, or whose API cannot carry the credential', () => {
    expect(
      problemsOf({ stages: { dev: { providers: { 'standard-webhooks': { managed: {} }, resend: { managed: {} } } } } }),
    ).toEqual([
      'stages.dev.providers.standard-webhooks.managed: Hookguard has no management client for standard-webhooks: ' +
        'update its webhook by hand (hookguard urls --deployed --changed). Managed providers: amazon-ses, mailgun, resend, sendgrid',
      "stages.dev.providers.resend.managed: resend's API cannot carry Hookguard's Basic credential: leave it unmanaged " +
        'and update it by hand (hookguard urls --deployed --changed), or rely on its signature (auth: "signature")',
    ]);
  });

  it('needs the required options and refuses unknown ones', () => {
    expect(
      problemsOf({ stages: { dev: { providers: { mailgun: { managed: { options: { domian: 'mg.example.com' } } } } } } }),
    ).toEqual([
      'stages.dev.providers.mailgun.managed.options: mailgun has no option "domian" (expected: domain)',
      'stages.dev.providers.mailgun.managed.options: needs "domain": The sending domain whose webhooks are managed (required).',
    ]);
  });

  it('reports a problem in shared at shared', () => {
    expect(
      problemsOf({
        shared: { providers: { mailgun: { managed: {} } } },
        stages: { dev: {}, prod: {} },
      }),
    ).toEqual([
      'shared.providers.mailgun.managed.options: needs "domain": The sending domain whose webhooks are managed (required).',
    ]);
  });

  it('checks the shape of every field', () => {
    expect(
      problemsOf({
        stages: {
          dev: {
            providers: {
              sendgrid: {
                managed: {
                  webhookIds: [],
                  matchUrl: 'https://user:pw@hooks.example.com/webhooks/sendgrid',
                  region: 'EU West',
                  options: { domain: '' },
                  apiBaseUrl: 'http://api.sendgrid.com',
                  apiKey: 'SG.x',
                },
              },
            },
          },
        },
      }),
    ).toEqual([
      'stages.dev.providers.sendgrid.managed.webhookIds: must list at least one webhook id (leave it out to match by URL)',
      'stages.dev.providers.sendgrid.managed.matchUrl: must be an http(s) URL without credentials, got "https://user:pw@hooks.example.com/webhooks/sendgrid"',
      'stages.dev.providers.sendgrid.managed.region: must be a region name such as "us" or "eu", got "EU West"',
      'stages.dev.providers.sendgrid.managed.options.domain: must be a non-empty string, got ""',
      'stages.dev.providers.sendgrid.managed.apiBaseUrl: must be an https URL without credentials (http only to 127.0.0.1 or localhost), got "http://api.sendgrid.com"',
      'stages.dev.providers.sendgrid.managed.apiKey: unknown setting (expected one of: webhookIds, matchUrl, region, options, apiBaseUrl)',
    ]);
  });

  describe('amazon-ses', () => {
    it('subscribes the one configured topic by default', () => {
      const config = parseConfig({
        stages: { dev: { providers: { 'amazon-ses': { snsTopicArns: [TOPIC], managed: {} } } } },
      });
      const ses = config.stages.dev?.providers['amazon-ses'];
      expect(ses?.managed).toEqual({ options: { topicArn: TOPIC } });
      expect(managedSnsTopics(ses?.managed ?? {})).toEqual([TOPIC]);
    });

    it('needs topicArn when several topics are configured, and only one of them', () => {
      expect(
        problemsOf({
          stages: {
            dev: { providers: { 'amazon-ses': { snsTopicArns: [TOPIC, OTHER_TOPIC], managed: {} } } },
            prod: {
              providers: {
                'amazon-ses': {
                  snsTopicArns: [TOPIC],
                  managed: { options: { topicArn: 'arn:aws:sns:eu-west-1:123456789012:elsewhere' } },
                },
              },
            },
          },
        }),
      ).toEqual([
        'stages.dev.providers.amazon-ses.managed.options: needs "topicArn": snsTopicArns lists several topics, name the one to subscribe',
        'stages.prod.providers.amazon-ses.managed.options: topicArn must be one of snsTopicArns, got "arn:aws:sns:eu-west-1:123456789012:elsewhere"',
      ]);
    });
  });
});

describe('managedAccountProblems', () => {
  it('says which providers can be managed when none can', () => {
    expect(managedAccountProblems('sendgrid', {}, new Map())).toEqual([
      {
        message:
          'Hookguard has no management client for sendgrid: update its webhook by hand (hookguard urls --deployed --changed). Managed providers: none yet',
      },
    ]);
  });
});

describe('isRequiredOption', () => {
  it.each([
    ['The sending domain (required).', true],
    ['Required: the account id.', true],
    ['Message stream id; optional, default outbound.', false],
    ['The host; not required (default: go1.unisender.ru).', false],
    ['The topic ARN.', false],
  ])('%s -> %s', (description, required) => {
    expect(isRequiredOption(description)).toBe(required);
  });
});
