import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EventDraft, EventType } from '../../../lambda/core/event';
import type { ProviderSettings } from '../../../lambda/core/settings';
import { PayloadError, SignatureError } from '../../../lambda/errors';
import { anyTimeToIso, bareAddress, standardWebhooksProvider } from '../../../lambda/providers/standard-webhooks';
import { signStandardWebhook } from '../../../src/simulate/standard-webhooks-signing';
import type { VerifyContext, WebhookRequest } from '../../../lambda/providers/types';
import { type StandardWebhooksVector, vectorRequest } from './standard-webhooks-vectors';
import { standardWebhooksSimulator } from '../../../src/simulate/standard-webhooks';

const NOW = new Date('2026-11-20T12:00:00.000Z');
const NOW_SECONDS = Math.floor(NOW.getTime() / 1000);
const SECRET = 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD';
const OTHER_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const FIXTURES = join(__dirname, '../../fixtures');

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(join(FIXTURES, path), 'utf8')) as T;
}

const EVENTS = readJson<Record<string, Record<string, unknown>>>('providers/standard-webhooks/events.json');

function fixture(name: string): Record<string, unknown> {
  const event = EVENTS[name];
  if (!event) throw new Error(`No Standard Webhooks fixture ${name}`);
  return structuredClone(event);
}

const SETTINGS: ProviderSettings = {
  auth: 'both',
  timestampToleranceSeconds: 300,
  maxBodyBytes: 1_000_000,
  eventTypeMap: {
    'contact.created': 'subscribed',
    'email.delivered': 'delivered',
    'email.hardBounced': 'bounced',
    'email.sent': 'sent',
    'email.delivery_delayed': 'deferred',
    'email.bounced': 'bounced',
    'email.complained': 'complained',
    'email.opened': 'opened',
    'email.clicked': 'clicked',
  },
};

function request(headers: Record<string, string>, body: Buffer): WebhookRequest {
  return { provider: 'standard-webhooks', method: 'POST', headers, body, receivedAt: NOW };
}

function context(signingKeys: readonly string[], settings: ProviderSettings = SETTINGS): VerifyContext {
  return {
    settings,
    signingKeys,
    signedUrls: [],
    now: NOW,
    certificates: { certificate: () => Promise.reject(new Error('not used by Standard Webhooks')) },
  };
}

async function verify(req: WebhookRequest, ctx: VerifyContext) {
  if (!standardWebhooksProvider.verify) throw new Error('Standard Webhooks must verify signatures');
  return standardWebhooksProvider.verify(req, ctx);
}

function delivery(event: unknown, id = 'msg_27UH4WbU6Z5A5EzD8u03UvzRbpk', timestamp = NOW_SECONDS): WebhookRequest {
  const body = Buffer.from(JSON.stringify(event));
  return request(
    {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signStandardWebhook(SECRET, id, timestamp, body),
    },
    body,
  );
}

/** `settings` null: the pipeline passed none. */
function normaliseOne(req: WebhookRequest, settings: ProviderSettings | null = SETTINGS): EventDraft {
  const { events } = standardWebhooksProvider.parse(req);
  expect(events).toHaveLength(1);
  const drafts = standardWebhooksProvider.normalise(events[0], req, settings ?? undefined);
  expect(drafts).toHaveLength(1);
  return drafts[0] as EventDraft;
}

describe('standardWebhooksProvider', () => {
  it('declares its scheme: JSON bodies, a 300 s window on the signed attempt time', () => {
    expect(standardWebhooksProvider.contentTypes).toEqual(['application/json']);
    expect(standardWebhooksProvider.defaultTimestampToleranceSeconds).toBe(300);
  });

  describe('official vectors', () => {
    const vectors = [
      ...readJson<StandardWebhooksVector[]>('vectors/standard-webhooks-v1.json'),
      ...readJson<StandardWebhooksVector[]>('vectors/svix.json'),
    ];
    it.each(vectors.map((vector) => [`${vector.source} (${vector.note ?? ''})`, vector] as const))(
      'handles %s as the vendor says',
      async (_label, vector) => {
        const { headers, body, signedAt } = vectorRequest(vector, NOW);
        const verification = verify(request(headers, body), context([vector.secret_or_public_key]));
        if (vector.expected_valid) await expect(verification).resolves.toEqual({ signedAt });
        else await expect(verification).rejects.toBeInstanceOf(SignatureError);
      },
    );

    it('accepts the Rust decoys once a valid signature is inserted between the second and third (as the source does)', async () => {
      const decoys = readJson<StandardWebhooksVector[]>('vectors/standard-webhooks-v1.json').find((vector) =>
        vector.source.includes('test_no_verify_with_multiple_signatures'),
      );
      if (!decoys) throw new Error('vector missing');
      const { headers, body } = vectorRequest(decoys, NOW);
      const entries = (headers['webhook-signature'] ?? '').split(' ');
      const valid = signStandardWebhook(decoys.secret_or_public_key, headers['webhook-id'] ?? '', NOW_SECONDS, body);
      headers['webhook-signature'] = [...entries.slice(0, 2), valid, ...entries.slice(2)].join(' ');
      await expect(verify(request(headers, body), context([decoys.secret_or_public_key]))).resolves.toEqual({
        signedAt: NOW,
      });
    });
  });

  describe('verify', () => {
    it('accepts a delivery signed with the second of two accepted secrets (rotation)', async () => {
      await expect(verify(delivery(fixture('spec.contact.created')), context([OTHER_SECRET, SECRET]))).resolves.toEqual(
        {
          signedAt: NOW,
        },
      );
    });

    it('also accepts the Svix header names', async () => {
      const signed = delivery(fixture('spec.contact.created'));
      const svix = Object.fromEntries(
        Object.entries(signed.headers).map(([name, value]) => [name.replace(/^webhook-/, 'svix-'), value]),
      );
      await expect(verify(request(svix, signed.body), context([SECRET]))).resolves.toEqual({ signedAt: NOW });
      expect(normaliseOne(request(svix, signed.body)).eventId).toBe('msg_27UH4WbU6Z5A5EzD8u03UvzRbpk');
    });

    it('takes the event id from the header set the signature covered', async () => {
      const signed = delivery(fixture('spec.contact.created'), 'msg_signed');
      const withStray = request({ ...signed.headers, 'svix-id': 'msg_stray' }, signed.body);
      await expect(verify(withStray, context([SECRET]))).resolves.toEqual({ signedAt: NOW });
      expect(normaliseOne(withStray).eventId).toBe('msg_signed');
    });

    it('returns a future signed time for the pipeline to reject (outside the default window)', async () => {
      const future = NOW_SECONDS + 301;
      await expect(
        verify(delivery(fixture('spec.contact.created'), 'msg_f', future), context([SECRET])),
      ).resolves.toEqual({
        signedAt: new Date(future * 1000),
      });
    });

    it.each<[string, (req: WebhookRequest) => WebhookRequest, readonly string[]]>([
      ['the signature was made with another secret', (req) => req, [OTHER_SECRET]],
      ['the body was tampered with', (req) => ({ ...req, body: Buffer.from(`${req.body.toString()} `) }), [SECRET]],
      ['the headers are missing', (req) => ({ ...req, headers: { 'content-type': 'application/json' } }), [SECRET]],
      [
        'the signature is not base64',
        (req) => ({ ...req, headers: { ...req.headers, 'webhook-signature': 'v1,%%%%' } }),
        [SECRET],
      ],
    ])('rejects a delivery when %s', async (_label, tamper, keys) => {
      await expect(verify(tamper(delivery(fixture('spec.contact.created'))), context(keys))).rejects.toBeInstanceOf(
        SignatureError,
      );
    });
  });

  describe('normalise', () => {
    it.each<[string, Partial<EventDraft>]>([
      [
        'spec.contact.created',
        {
          eventType: 'subscribed',
          recipient: 'john.smith@example.com',
          messageId: null,
          timestamp: '2022-11-03T20:26:10.344Z',
        },
      ],
      [
        'spec.email.delivered',
        {
          eventType: 'delivered',
          recipient: 'john.smith@example.com',
          messageId: 'em_2KWPBgLlAfxdpx2AI54pPJ85f4W',
          timestamp: '2022-11-03T20:26:10.344Z',
        },
      ],
      [
        'loops.email.hardBounced',
        {
          eventType: 'bounced',
          recipient: 'bounced@example.com',
          messageId: 'cm4qo5r9q01m109mbjd1n9gy0',
          timestamp: '2024-12-17T08:58:38.000Z',
        },
      ],
    ])('maps %s through the configured event type map', (name, expected) => {
      const draft = normaliseOne(delivery(fixture(name), `msg_${name}`));
      expect(draft).toEqual({ eventId: `msg_${name}`, raw: fixture(name), ...expected });
    });

    it.each<[string, ProviderSettings | null]>([
      ['no settings are given', null],
      ['the map has no entry for the type', { ...SETTINGS, eventTypeMap: { 'email.sent': 'sent' } }],
      [
        'the map names a type outside the vocabulary',
        { ...SETTINGS, eventTypeMap: { 'contact.created': 'created' as unknown as EventType } },
      ],
    ])('maps to unknown when %s', (_label, settings) => {
      expect(normaliseOne(delivery(fixture('spec.contact.created')), settings).eventType).toBe('unknown');
    });

    it('gives a retried delivery (same webhook-id) the same event id and another message a different one', () => {
      const first = normaliseOne(delivery(fixture('spec.email.delivered'), 'msg_same', NOW_SECONDS - 30));
      const retry = normaliseOne(delivery(fixture('spec.email.delivered'), 'msg_same', NOW_SECONDS));
      const other = normaliseOne(delivery(fixture('spec.email.delivered'), 'msg_next'));
      expect(retry.eventId).toBe(first.eventId);
      expect(other.eventId).not.toBe(first.eventId);
    });
  });

  describe('malformed payloads', () => {
    it.each<[string, WebhookRequest, string]>([
      [
        'a body that is not JSON',
        request({ 'webhook-id': 'msg_1' }, Buffer.from('not json')),
        'Body is not valid JSON',
      ],
      [
        'a JSON array',
        request({ 'webhook-id': 'msg_1' }, Buffer.from('[{"type":"a.b"}]')),
        'Expected a JSON object (one event per request)',
      ],
      [
        'a request without an id header',
        request({}, Buffer.from('{"type":"a.b"}')),
        'Missing header webhook-id or svix-id',
      ],
    ])('rejects %s with a specific PayloadError', (_label, req, message) => {
      expect(() => standardWebhooksProvider.parse(req)).toThrow(new PayloadError(message));
    });

    it('rejects an event without a type', () => {
      const req = delivery(fixture('untyped'));
      const { events } = standardWebhooksProvider.parse(req);
      expect(() => standardWebhooksProvider.normalise(events[0], req, SETTINGS)).toThrow(
        new PayloadError('Missing field type'),
      );
    });

    it('rejects an event that is not an object', () => {
      expect(() => standardWebhooksProvider.normalise(42, delivery({}), SETTINGS)).toThrow(
        new PayloadError('Expected the event to be a JSON object'),
      );
    });
  });

  describe('simulate', () => {
    it.each(standardWebhooksSimulator.events.map((name) => [name] as const))(
      'builds a signed %s that verifies, parses and maps through the event type map',
      async (name) => {
        const simulated = standardWebhooksSimulator.simulate({
          eventName: name,
          signingKey: SECRET,
          now: NOW,
          uniqueId: 'sim-1',
        });
        const req = request(simulated.headers, simulated.body);
        await expect(verify(req, context([SECRET]))).resolves.toEqual({ signedAt: NOW });
        expect(normaliseOne(req)).toMatchObject({
          eventType: SETTINGS.eventTypeMap?.[name] ?? 'unknown',
          eventId: 'msg_sim-1',
          recipient: 'recipient@example.com',
          timestamp: NOW.toISOString(),
        });
      },
    );

    it('leaves the signature header out when no key is given', () => {
      const simulated = standardWebhooksSimulator.simulate({ eventName: 'email.sent', now: NOW, uniqueId: 'u' });
      expect(simulated.headers['webhook-signature']).toBeUndefined();
      expect(simulated.headers['webhook-id']).toBe('msg_u');
    });
  });
});

describe('bareAddress', () => {
  it.each([
    ['a bare address', 'ada@example.com', 'ada@example.com'],
    ['a display name and address', 'Ada Lovelace <ada@example.com>', 'ada@example.com'],
    ['surrounding spaces', '  ada@example.com ', 'ada@example.com'],
    ['an empty string', '', null],
    ['a non-string', 42, null],
  ])('reads %s', (_label, value, expected) => {
    expect(bareAddress(value)).toBe(expected);
  });
});

describe('anyTimeToIso', () => {
  it.each([
    ['an ISO string', '2022-11-03T20:26:10.344522Z', '2022-11-03T20:26:10.344Z'],
    ['epoch seconds', 1734425918, '2024-12-17T08:58:38.000Z'],
    ['epoch milliseconds', 1734425918123, '2024-12-17T08:58:38.123Z'],
    ['epoch seconds as a string', '1734425918', '2024-12-17T08:58:38.000Z'],
    ['garbage', 'yesterday-ish', null],
    ['nothing', undefined, null],
  ])('converts %s', (_label, value, expected) => {
    expect(anyTimeToIso(value)).toBe(expected);
  });
});
