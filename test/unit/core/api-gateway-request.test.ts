import {
  type ApiGatewayWebhookEvent,
  normaliseHeaders,
  providerOf,
  rawBodyOf,
  toWebhookRequest,
} from '../../../lambda/core/api-gateway-request';
import { PayloadError, RouteNotFoundError } from '../../../lambda/errors';
import { NOW } from '../../fixtures/verifier/fakes';

const event = (overrides: Partial<ApiGatewayWebhookEvent> = {}): ApiGatewayWebhookEvent => ({
  httpMethod: 'POST',
  path: '/webhooks/sendgrid',
  pathParameters: null,
  headers: { 'Content-Type': 'application/json' },
  multiValueHeaders: { 'Content-Type': ['application/json'] },
  body: '[]',
  isBase64Encoded: false,
  ...overrides,
});

describe('providerOf', () => {
  it.each([
    [{ path: '/webhooks/sendgrid', pathParameters: null }, 'sendgrid'],
    [{ path: '/prod/webhooks/amazon-ses/', pathParameters: null }, 'amazon-ses'],
    [{ path: '/anything', pathParameters: { provider: 'mailgun' } }, 'mailgun'],
    [{ path: '/prod/webhooks/Ab3dEf6hIj9lMn2pQr5tUv8xYz1bCd4fGh7j/postmark', pathParameters: null }, 'postmark'],
  ] as const)('reads %j as %s', (input, provider) => {
    expect(providerOf(input)).toBe(provider);
  });

  it.each([
    { path: '/webhooks/sendmail', pathParameters: null },
    { path: '/webhooks/', pathParameters: null },
    { path: '/webhooks/sendgrid/extra', pathParameters: null },
    { path: '/webhooks/sendgrid//', pathParameters: null },
    { path: '/webhooks/constructor', pathParameters: null },
    { path: '/webhooks/x', pathParameters: { provider: '__proto__' } },
  ])('answers RouteNotFoundError for %j', (input) => {
    expect(() => providerOf(input)).toThrow(RouteNotFoundError);
  });
});

describe('normaliseHeaders', () => {
  it('lower-cases names and joins repeated values with ", "', () => {
    expect(
      normaliseHeaders(
        { 'X-Twilio-Email-Event-Webhook-Signature': 'sig', Via: 'b' },
        { 'X-Twilio-Email-Event-Webhook-Signature': ['sig'], Via: ['a', 'b'] },
      ),
    ).toEqual({ 'x-twilio-email-event-webhook-signature': 'sig', via: 'a, b' });
  });

  it('falls back to single-value headers when there are no multi-value ones', () => {
    expect(normaliseHeaders({ 'Content-Type': 'text/plain' }, null)).toEqual({ 'content-type': 'text/plain' });
  });

  it('merges names that differ only in case', () => {
    expect(normaliseHeaders(undefined, { 'X-A': ['1'], 'x-a': ['2'] })).toEqual({ 'x-a': '1, 2' });
  });
});

describe('rawBodyOf', () => {
  const bytes = Buffer.from([0x7b, 0x22, 0xe9, 0x00, 0xff, 0x7d]);

  it.each([
    ['a plain body', { body: '{"a":"é"}', isBase64Encoded: false }, Buffer.from('{"a":"é"}', 'utf8')],
    ['a base64 body, byte for byte', { body: bytes.toString('base64'), isBase64Encoded: true }, bytes],
    ['no body', { body: null, isBase64Encoded: false }, Buffer.alloc(0)],
    ['an empty base64 body', { body: '', isBase64Encoded: true }, Buffer.alloc(0)],
  ])('decodes %s', (_case, input, expected) => {
    expect(rawBodyOf(input)).toEqual(expected);
  });

  it('refuses a body marked base64 that is not base64', () => {
    expect(() => rawBodyOf({ body: 'e30=garbage!', isBase64Encoded: true })).toThrow(
      new PayloadError('Request body is marked base64-encoded but is not valid base64'),
    );
  });
});

describe('rawBodyOf with the largest body a provider may be configured for', () => {
  it('decodes a 4 MiB body that API Gateway base64-encoded, byte for byte', () => {
    const bytes = Buffer.alloc(4 * 1024 * 1024, '[{"event":"delivered","email":"a@example.com"}],');
    expect(rawBodyOf({ body: bytes.toString('base64'), isBase64Encoded: true }).equals(bytes)).toBe(true);
  });
});

describe('toWebhookRequest', () => {
  it('builds the request with API Gateway request time as receivedAt', () => {
    const request = toWebhookRequest(
      event({ httpMethod: 'post', requestContext: { requestTimeEpoch: 1_700_000_000_123 } }),
      NOW,
    );
    expect(request).toEqual({
      provider: 'sendgrid',
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: Buffer.from('[]'),
      receivedAt: new Date(1_700_000_000_123),
    });
  });

  it('uses the fallback time when API Gateway gives none', () => {
    expect(toWebhookRequest(event(), NOW).receivedAt).toBe(NOW);
  });
});
