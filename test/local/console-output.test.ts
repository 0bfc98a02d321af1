import type { WebhookOutcome } from '../../lambda/core/pipeline';
import { formatLogLine } from '../../src/local/console-logger';
import {
  formatEventLine,
  formatProviderUrls,
  formatRequestLine,
  maskRecipient,
  webhookUrl,
} from '../../src/local/console-output';

const outcome = (overrides: Partial<WebhookOutcome> = {}): WebhookOutcome => ({
  provider: 'sendgrid',
  statusCode: 200,
  urlCheck: false,
  subscriptionConfirmed: false,
  received: 3,
  published: 2,
  duplicates: 1,
  inProgress: 0,
  failed: 0,
  events: [],
  ...overrides,
});

describe('maskRecipient', () => {
  it.each([
    ['jane.doe@example.com', 'j***@example.com'],
    ['j@example.com', 'j***@example.com'],
    ['weird@name@example.com', 'w***@example.com'],
    ['+15551234567', '+***'],
    [null, '-'],
    ['', '-'],
  ])('masks %j as %j', (recipient, expected) => {
    expect(maskRecipient(recipient)).toBe(expected);
  });
});

describe('webhookUrl', () => {
  const credential = { username: 'hookguard', password: 'Secret123' };

  it.each([
    ['http://127.0.0.1:3000', 'basic', 'http://hookguard:Secret123@127.0.0.1:3000/webhooks/sendgrid'],
    ['http://127.0.0.1:3000/', 'both', 'http://hookguard:Secret123@127.0.0.1:3000/webhooks/sendgrid'],
    [
      'https://abc.execute-api.eu-west-1.amazonaws.com/prod/',
      'both',
      'https://hookguard:Secret123@abc.execute-api.eu-west-1.amazonaws.com/prod/webhooks/sendgrid',
    ],
    ['https://hooks.example.com', 'signature', 'https://hooks.example.com/webhooks/sendgrid'],
  ] as const)('builds the URL under %s for auth %s', (base, auth, expected) => {
    expect(webhookUrl(base, 'sendgrid', auth, credential)).toBe(expected);
  });
});

describe('formatProviderUrls', () => {
  it('warns about a signed provider without a key', () => {
    const lines = formatProviderUrls([
      { provider: 'resend', auth: 'both', url: 'http://u:p@127.0.0.1:3000/webhooks/resend', hasSigningKey: false },
      { provider: 'postmark', auth: 'basic', url: 'http://u:p@127.0.0.1:3000/webhooks/postmark' },
    ]);
    expect(lines.filter((line) => line.includes('WARNING'))).toEqual([
      expect.stringContaining('no signing key configured'),
    ]);
    expect(lines.join('\n')).toContain('Servers > Message stream > Webhooks');
  });
});

describe('formatRequestLine', () => {
  it.each([
    [
      { method: 'POST', path: '/webhooks/sendgrid', statusCode: 200, outcome: outcome() },
      'POST /webhooks/sendgrid 200 3 events, 2 published, 1 duplicate',
    ],
    [
      { method: 'POST', path: '/webhooks/sendgrid', statusCode: 401, authFailure: 'unknown-credential' },
      'POST /webhooks/sendgrid 401 unauthorized (unknown-credential)',
    ],
    [
      {
        method: 'POST',
        path: '/webhooks/sendgrid',
        statusCode: 401,
        outcome: outcome({ received: 0, published: 0, duplicates: 0, errorCode: 'invalid_signature' }),
      },
      'POST /webhooks/sendgrid 401 invalid_signature (0 events, 0 published, 0 duplicates)',
    ],
    [
      {
        method: 'POST',
        path: '/webhooks/sendgrid',
        statusCode: 503,
        outcome: outcome({ failed: 2, published: 0, duplicates: 1, errorCode: 'dependency_unavailable' }),
      },
      'POST /webhooks/sendgrid 503 dependency_unavailable (3 events, 0 published, 1 duplicate, 2 failed)',
    ],
    [{ method: 'GET', path: '/nowhere', statusCode: 404 }, 'GET /nowhere 404'],
  ])('describes %j', (report, expected) => {
    expect(formatRequestLine(report)).toBe(expected);
  });

  it('describes each event with its masked recipient and disposition', () => {
    expect(
      formatEventLine(
        {
          provider: 'sendgrid',
          eventType: 'bounced',
          eventId: 'e1',
          recipient: 'jane@example.com',
          disposition: 'duplicate',
        },
        200,
      ),
    ).toBe('  sendgrid bounced j***@example.com 200 duplicate');
  });
});

describe('formatLogLine', () => {
  it('writes the level, the message and the fields, quoting what needs it', () => {
    expect(
      formatLogLine('warn', 'Signature verification failed', { provider: 'sendgrid', reason: 'bad sig here', n: 2 }),
    ).toBe('WARN Signature verification failed provider=sendgrid reason="bad sig here" n=2');
  });
});
