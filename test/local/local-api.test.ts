import type { RuntimeSettings } from '../../lambda/core/settings';
import { collectHeaders, resolveApiRoute } from '../../src/local/local-api';

const settings: RuntimeSettings = {
  providers: {
    sendgrid: { auth: 'both', timestampToleranceSeconds: 0, maxBodyBytes: 1024 },
    mandrill: { auth: 'signature', timestampToleranceSeconds: 0, maxBodyBytes: 1024 },
    'unisender-go': { auth: 'basic', timestampToleranceSeconds: 0, maxBodyBytes: 1024 },
  },
  dedupeWindowSeconds: 3600,
  claimLeaseSeconds: 60,
};

describe('resolveApiRoute', () => {
  it.each([
    ['POST', '/webhooks/sendgrid', { kind: 'webhook', provider: 'sendgrid', auth: 'both' }],
    ['POST', '/webhooks/mandrill', { kind: 'webhook', provider: 'mandrill', auth: 'signature' }],
    ['HEAD', '/webhooks/mandrill', { kind: 'url-check', provider: 'mandrill' }],
    ['GET', '/webhooks/unisender-go', { kind: 'url-check', provider: 'unisender-go' }],
    ['GET', '/webhooks/sendgrid', { kind: 'method-not-allowed', provider: 'sendgrid', allow: ['POST'] }],
    ['PUT', '/webhooks/sendgrid', { kind: 'method-not-allowed', provider: 'sendgrid', allow: ['POST'] }],
    ['HEAD', '/webhooks/sendgrid', { kind: 'method-not-allowed', provider: 'sendgrid', allow: ['POST'] }],
    ['GET', '/webhooks/mandrill', { kind: 'method-not-allowed', provider: 'mandrill', allow: ['POST', 'HEAD'] }],
    ['OPTIONS', '/webhooks/unisender-go', { kind: 'method-not-allowed', provider: 'unisender-go', allow: ['POST', 'GET'] }],
    ['POST', '/webhooks/postmark', { kind: 'not-found' }],
    ['POST', '/webhooks/nobody', { kind: 'not-found' }],
    ['POST', '/webhooks/SendGrid', { kind: 'not-found' }],
    // API Gateway REST routes a trailing slash to the same resource, and so does the Lambda's path matcher.
    ['POST', '/webhooks/sendgrid/', { kind: 'webhook', provider: 'sendgrid', auth: 'both' }],
    ['HEAD', '/webhooks/mandrill/', { kind: 'url-check', provider: 'mandrill' }],
    ['POST', '/webhooks/sendgrid//', { kind: 'not-found' }],
    ['POST', '/webhooks/sendgrid/extra', { kind: 'not-found' }],
    ['POST', '/webhooks', { kind: 'not-found' }],
    ['GET', '/', { kind: 'not-found' }],
  ])('%s %s', (method, path, expected) => {
    expect(resolveApiRoute(method, path, settings)).toEqual(expected);
  });
});

describe('collectHeaders', () => {
  it('lower-cases names and joins repeated headers with a comma', () => {
    expect(
      collectHeaders(['Content-Type', 'application/json', 'X-Tag', 'a', 'x-tag', 'b', 'Authorization', 'Basic eA==']),
    ).toEqual({ 'content-type': 'application/json', 'x-tag': 'a, b', authorization: 'Basic eA==' });
  });
});
