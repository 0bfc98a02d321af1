import fc from 'fast-check';
import { toWebhookRequest } from '../../../lambda/core/api-gateway-request';
import { PROVIDER_IDS } from '../../../lambda/core/provider-ids';
import {
  isPathToken,
  matchWebhookPath,
  PATH_TOKEN_LENGTH,
  parsePathTokenSecret,
  pathTokenGeneration,
  pathTokenMatches,
  pathTokenSecretKey,
  routeOfWebhookPath,
  webhookPath,
  webhookUrlOf,
  withPathToken,
} from '../../../lambda/core/webhook-path';

const TOKEN = 'Q7rT2vX9zB4nM6kP1sD8fG3hJ5lW0cY2eA4iU6oR';

describe('webhookPath', () => {
  it('is /webhooks/<provider> without a token and /webhooks/<token>/<provider> with one', () => {
    expect(webhookPath('sendgrid')).toBe('/webhooks/sendgrid');
    expect(webhookPath('sendgrid', null)).toBe('/webhooks/sendgrid');
    expect(webhookPath('amazon-ses', TOKEN)).toBe(`/webhooks/${TOKEN}/amazon-ses`);
  });

  it.each(['short', 'has/slash-and-is-long-enough-to-pass', 'has space and is long enough to pass', '', `${'a'.repeat(129)}`])(
    'refuses the malformed token %j',
    (token) => {
      expect(() => webhookPath('postmark', token)).toThrow(RangeError);
    },
  );

  it('builds the URL under any base, with or without its trailing slash and a stage path', () => {
    expect(webhookUrlOf('https://abc.execute-api.eu-west-1.amazonaws.com/prod/', 'postmark', TOKEN)).toBe(
      `https://abc.execute-api.eu-west-1.amazonaws.com/prod/webhooks/${TOKEN}/postmark`,
    );
    expect(webhookUrlOf('http://127.0.0.1:3000', 'mailgun')).toBe('http://127.0.0.1:3000/webhooks/mailgun');
  });

  it('round-trips through the matcher for every provider and any valid token', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...PROVIDER_IDS),
        fc.option(fc.stringMatching(/^[A-Za-z0-9_-]{24,64}$/), { nil: null }),
        (provider, token) => {
          const path = webhookPath(provider, token);
          expect(matchWebhookPath(path, { rooted: true })).toEqual({ provider, pathToken: token });
          expect(routeOfWebhookPath(path, token, { rooted: true })).toBe(provider);
          expect(routeOfWebhookPath(`/prod${path}/`, token)).toBe(provider);
        },
      ),
      { seed: 12, numRuns: 200 },
    );
  });
});

describe('routeOfWebhookPath', () => {
  it.each([
    ['the old guessable path when the stage has a token', '/webhooks/sendgrid', TOKEN],
    ['a wrong token', `/webhooks/${TOKEN.slice(0, -1)}x/sendgrid`, TOKEN],
    ['a token when the stage has none', `/webhooks/${TOKEN}/sendgrid`, null],
    ['an unknown provider', `/webhooks/${TOKEN}/sendmail`, TOKEN],
    ['a token and no provider', `/webhooks/${TOKEN}`, TOKEN],
    ['an extra segment', `/webhooks/x/${TOKEN}/sendgrid`, TOKEN],
    ['a path under another prefix (rooted)', `/prod/webhooks/${TOKEN}/sendgrid`, TOKEN],
  ])('finds no route for %s', (_name, path, token) => {
    expect(routeOfWebhookPath(path, token, { rooted: true })).toBeNull();
  });

  it('compares tokens exactly', () => {
    expect(pathTokenMatches(TOKEN, TOKEN)).toBe(true);
    expect(pathTokenMatches(TOKEN, TOKEN.toLowerCase())).toBe(false);
    expect(pathTokenMatches(TOKEN, `${TOKEN}a`)).toBe(false);
    expect(pathTokenMatches(null, undefined)).toBe(true);
    expect(pathTokenMatches(TOKEN, null)).toBe(false);
  });

  it('accepts what it generates', () => {
    expect(isPathToken('a'.repeat(PATH_TOKEN_LENGTH))).toBe(true);
    expect(isPathToken(42)).toBe(false);
  });
});

describe('withPathToken', () => {
  it('inserts the token before the provider segment, keeping the rest byte for byte', () => {
    expect(withPathToken('https://Hooks.Example.com:443/webhooks/mandrill/?a=1&b', TOKEN)).toBe(
      `https://Hooks.Example.com:443/webhooks/${TOKEN}/mandrill/?a=1&b`,
    );
    expect(withPathToken('https://hooks.example.com/base/webhooks/mandrill', TOKEN)).toBe(
      `https://hooks.example.com/base/webhooks/${TOKEN}/mandrill`,
    );
  });

  it('leaves a URL alone without a token, or when it already carries one', () => {
    expect(withPathToken('https://hooks.example.com/webhooks/mandrill', null)).toBe(
      'https://hooks.example.com/webhooks/mandrill',
    );
    const full = `https://hooks.example.com/webhooks/${TOKEN}/mandrill`;
    expect(withPathToken(full, TOKEN)).toBe(full);
  });
});

describe('toWebhookRequest', () => {
  it('carries the token of the resource API Gateway matched', () => {
    const request = toWebhookRequest(
      {
        httpMethod: 'POST',
        path: `/webhooks/${TOKEN}/mandrill`,
        resource: `/webhooks/${TOKEN}/mandrill`,
        pathParameters: null,
        headers: {},
        multiValueHeaders: {},
        body: '',
        isBase64Encoded: false,
      },
      new Date(0),
    );
    expect(request).toMatchObject({ provider: 'mandrill', pathToken: TOKEN });
  });

  it('carries none for the plain route', () => {
    const request = toWebhookRequest(
      {
        httpMethod: 'POST',
        path: '/webhooks/mandrill',
        pathParameters: null,
        headers: {},
        multiValueHeaders: {},
        body: '',
        isBase64Encoded: false,
      },
      new Date(0),
    );
    expect(request.pathToken).toBeUndefined();
  });
});

describe('the deployed secret', () => {
  it('names generation 1 `token` and later ones `token-<n>`', () => {
    expect(pathTokenSecretKey(pathTokenGeneration(true) as number)).toBe('token');
    expect(pathTokenSecretKey(pathTokenGeneration({ generation: 3 }) as number)).toBe('token-3');
    expect(pathTokenGeneration(false)).toBeNull();
    expect(pathTokenGeneration(undefined)).toBeNull();
  });

  it('reads the token of the highest generation, and nothing from a malformed value', () => {
    expect(parsePathTokenSecret(JSON.stringify({ token: TOKEN }))).toBe(TOKEN);
    expect(parsePathTokenSecret(JSON.stringify({ token: 'a'.repeat(40), 'token-2': TOKEN }))).toBe(TOKEN);
    expect(parsePathTokenSecret(JSON.stringify({ token: 'short' }))).toBeNull();
    expect(parsePathTokenSecret(JSON.stringify({ other: TOKEN }))).toBeNull();
    expect(parsePathTokenSecret('not json')).toBeNull();
    expect(parsePathTokenSecret('[]')).toBeNull();
  });
});
