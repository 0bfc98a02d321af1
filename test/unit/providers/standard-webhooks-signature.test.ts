import { ConfigurationError, PayloadError, SignatureError } from '../../../lambda/errors';
import {
  decodeStandardWebhookSecret,
  readStandardWebhookHeaders,
  standardWebhookMessageId,
  verifyStandardWebhook,
} from '../../../lambda/providers/standard-webhooks-signature';
import type { VerifyContext, WebhookRequest } from '../../../lambda/providers/types';
import { signStandardWebhook } from '../../../src/simulate/standard-webhooks-signing';

const NOW = new Date('2026-11-20T12:00:00.000Z');
const NOW_SECONDS = Math.floor(NOW.getTime() / 1000);
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const OTHER_SECRET = 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD';
const BODY = Buffer.from('{"test": 2432232314}');

function request(headers: Record<string, string>, body: Buffer = BODY): WebhookRequest {
  return { provider: 'standard-webhooks', method: 'POST', headers, body, receivedAt: NOW };
}

function context(signingKeys: readonly string[]): VerifyContext {
  return {
    settings: { auth: 'both', timestampToleranceSeconds: 300, maxBodyBytes: 1_000_000 },
    signingKeys,
    signedUrls: [],
    now: NOW,
    certificates: {
      certificate: () => Promise.reject(new Error('no certificates in this scheme')),
    },
  };
}

function signedHeaders(secret = SECRET, timestamp = NOW_SECONDS, body = BODY): Record<string, string> {
  return {
    'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signStandardWebhook(secret, 'msg_p5jXN8AQM9LWM0D4loKWxJek', timestamp, body),
  };
}

describe('decodeStandardWebhookSecret', () => {
  it.each([
    ['a whsec_ secret', SECRET, 24],
    ['a bare base64 secret (the libraries accept both)', 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 24],
    ['a secret whose base64 padding was dropped', 'whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 32],
  ])('decodes %s', (_label, secret, bytes) => {
    expect(decodeStandardWebhookSecret(secret)?.length).toBe(bytes);
  });

  it.each([
    ['an empty secret', 'whsec_'],
    ['a secret that is not base64', 'whsec_not*base64!'],
    ['a secret of impossible base64 length', 'whsec_AAAAA'],
  ])('refuses %s', (_label, secret) => {
    expect(decodeStandardWebhookSecret(secret)).toBeNull();
  });
});

describe('readStandardWebhookHeaders', () => {
  const webhook = { 'webhook-id': 'msg_a', 'webhook-timestamp': '1', 'webhook-signature': 'v1,x' };
  const svix = { 'svix-id': 'msg_b', 'svix-timestamp': '2', 'svix-signature': 'v1,y' };

  it.each([
    ['the first complete prefix in the given order', { ...webhook, ...svix }, ['svix', 'webhook'] as const, 'msg_b'],
    [
      'the next prefix when the first is incomplete',
      { ...svix, 'svix-signature': '' },
      ['svix', 'webhook'] as const,
      null,
    ],
    ['a complete fallback set', { 'svix-id': 'msg_b', ...webhook }, ['svix', 'webhook'] as const, 'msg_a'],
  ])('takes %s', (_label, headers, prefixes, expectedId) => {
    expect(readStandardWebhookHeaders(headers, prefixes)?.id ?? null).toBe(expectedId);
  });
});

describe('standardWebhookMessageId', () => {
  it('takes the id of an unsigned delivery when no full header set is present', () => {
    expect(standardWebhookMessageId(request({ 'svix-id': 'msg_only' }), ['webhook', 'svix'])).toBe('msg_only');
  });

  it('rejects a request without any id header with a specific PayloadError', () => {
    expect(() => standardWebhookMessageId(request({}), ['webhook', 'svix'])).toThrow(
      new PayloadError('Missing header webhook-id or svix-id'),
    );
  });
});

describe('verifyStandardWebhook', () => {
  it('accepts a signature made with the secret and returns the signed attempt time', () => {
    expect(verifyStandardWebhook(request(signedHeaders()), context([SECRET]), ['webhook'])).toEqual({
      signedAt: NOW,
    });
  });

  it('accepts when the second of two accepted keys matches (rotation)', () => {
    expect(verifyStandardWebhook(request(signedHeaders()), context([OTHER_SECRET, SECRET]), ['webhook'])).toEqual({
      signedAt: NOW,
    });
  });

  it('accepts a header listing an old-key signature first and the current one second (sender-side rotation)', () => {
    const old = signedHeaders(OTHER_SECRET)['webhook-signature'];
    const current = signedHeaders(SECRET)['webhook-signature'];
    const headers = { ...signedHeaders(), 'webhook-signature': `${old} ${current}` };
    expect(verifyStandardWebhook(request(headers), context([SECRET]), ['webhook']).signedAt).toEqual(NOW);
  });

  it('returns a stale or future signed time unchanged: the pipeline enforces the window', () => {
    const stale = NOW_SECONDS - 3600;
    const future = NOW_SECONDS + 3600;
    expect(verifyStandardWebhook(request(signedHeaders(SECRET, stale)), context([SECRET]), ['webhook'])).toEqual({
      signedAt: new Date(stale * 1000),
    });
    expect(verifyStandardWebhook(request(signedHeaders(SECRET, future)), context([SECRET]), ['webhook'])).toEqual({
      signedAt: new Date(future * 1000),
    });
  });

  const valid = signedHeaders();
  const validSignature = (valid['webhook-signature'] ?? '').slice('v1,'.length);
  it.each<[string, Record<string, string>, Buffer, readonly string[]]>([
    ['the key is wrong', valid, BODY, [OTHER_SECRET]],
    ['the body was tampered with', valid, Buffer.from('{"test": 2432232315}'), [SECRET]],
    ['the body was re-serialised', valid, Buffer.from('{"test":2432232314}'), [SECRET]],
    ['the id was changed', { ...valid, 'webhook-id': 'msg_other' }, BODY, [SECRET]],
    ['the timestamp was changed', { ...valid, 'webhook-timestamp': String(NOW_SECONDS + 1) }, BODY, [SECRET]],
    ['the signature header is missing', { ...valid, 'webhook-signature': '' }, BODY, [SECRET]],
    ['the id header is missing', { ...valid, 'webhook-id': '' }, BODY, [SECRET]],
    ['the timestamp header is missing', { ...valid, 'webhook-timestamp': '' }, BODY, [SECRET]],
    ['the timestamp is not an integer', { ...valid, 'webhook-timestamp': `${NOW_SECONDS}.0` }, BODY, [SECRET]],
    ['the timestamp is negative', { ...valid, 'webhook-timestamp': `-${NOW_SECONDS}` }, BODY, [SECRET]],
    ['the signature is not base64', { ...valid, 'webhook-signature': 'v1,not*base64' }, BODY, [SECRET]],
    ['the base64 has trailing garbage', { ...valid, 'webhook-signature': `v1,${validSignature}AAAA` }, BODY, [SECRET]],
    [
      'the signature is truncated',
      { ...valid, 'webhook-signature': `v1,${validSignature.slice(0, 40)}` },
      BODY,
      [SECRET],
    ],
    ['only an unknown version is offered', { ...valid, 'webhook-signature': `v2,${validSignature}` }, BODY, [SECRET]],
    [
      'only an asymmetric v1a entry is offered',
      { ...valid, 'webhook-signature': `v1a,${validSignature}` },
      BODY,
      [SECRET],
    ],
    ['the entry has no version', { ...valid, 'webhook-signature': validSignature }, BODY, [SECRET]],
  ])('rejects with a SignatureError when %s', (_label, headers, body, keys) => {
    expect(() => verifyStandardWebhook(request(headers, body), context(keys), ['webhook'])).toThrow(SignatureError);
  });

  it('never puts the key, the signature or the body in the failure reason', () => {
    const headers = { ...valid, 'webhook-signature': `v1,${validSignature}` };
    try {
      verifyStandardWebhook(request(headers, Buffer.from('{"secret-body":1}')), context([SECRET]), ['webhook']);
      throw new Error('expected a SignatureError');
    } catch (error) {
      expect(error).toBeInstanceOf(SignatureError);
      const { reason, message } = error as SignatureError;
      for (const text of [reason, message]) {
        expect(text).not.toContain(validSignature);
        expect(text).not.toContain('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');
        expect(text).not.toContain('secret-body');
      }
    }
  });

  it('fails as a configuration error when no accepted secret is usable', () => {
    expect(() => verifyStandardWebhook(request(valid), context(['whsec_***']), ['webhook'])).toThrow(
      ConfigurationError,
    );
  });

  it('skips an unusable secret when another one is usable', () => {
    expect(verifyStandardWebhook(request(valid), context(['whsec_***', SECRET]), ['webhook']).signedAt).toEqual(NOW);
  });
});
