import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { completeEvent, type EventDraft } from '../../../lambda/core/event';
import { PayloadError, SignatureError } from '../../../lambda/errors';
import { resendProvider } from '../../../lambda/providers/resend';
import { signStandardWebhook } from '../../../src/simulate/standard-webhooks-signing';
import type { VerifyContext, WebhookRequest } from '../../../lambda/providers/types';
import { type StandardWebhooksVector, vectorRequest } from './standard-webhooks-vectors';
import { resendSimulator } from '../../../src/simulate/resend';

const NOW = new Date('2026-11-20T12:00:00.000Z');
const NOW_SECONDS = Math.floor(NOW.getTime() / 1000);
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const OTHER_SECRET = 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD';
const FIXTURES = join(__dirname, '../../fixtures');

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(join(FIXTURES, path), 'utf8')) as T;
}

const EVENTS = readJson<Record<string, Record<string, unknown>>>('providers/resend/events.json');

function fixture(name: string): Record<string, unknown> {
  const event = EVENTS[name];
  if (!event) throw new Error(`No Resend fixture ${name}`);
  return structuredClone(event);
}

function request(headers: Record<string, string>, body: Buffer): WebhookRequest {
  return { provider: 'resend', method: 'POST', headers, body, receivedAt: NOW };
}

function context(signingKeys: readonly string[]): VerifyContext {
  return {
    settings: { auth: 'both', timestampToleranceSeconds: 300, maxBodyBytes: 1_000_000 },
    signingKeys,
    signedUrls: [],
    now: NOW,
    certificates: { certificate: () => Promise.reject(new Error('not used by Resend')) },
  };
}

/** A delivery as Resend sends it: Svix headers, signed over the exact body bytes. */
function delivery(event: unknown, id = 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W', timestamp = NOW_SECONDS): WebhookRequest {
  const body = Buffer.from(JSON.stringify(event));
  return request(
    {
      'content-type': 'application/json',
      'svix-id': id,
      'svix-timestamp': String(timestamp),
      'svix-signature': signStandardWebhook(SECRET, id, timestamp, body),
    },
    body,
  );
}

/** `verify` may answer synchronously or not; a promise either way, with throws as rejections. */
async function verify(req: WebhookRequest, ctx: VerifyContext) {
  if (!resendProvider.verify) throw new Error('Resend must verify signatures');
  return resendProvider.verify(req, ctx);
}

function normaliseOne(req: WebhookRequest): EventDraft {
  const { events } = resendProvider.parse(req);
  expect(events).toHaveLength(1);
  const drafts = resendProvider.normalise(events[0], req);
  expect(drafts).toHaveLength(1);
  return drafts[0] as EventDraft;
}

describe('resendProvider', () => {
  it('declares its scheme: JSON bodies, a 300 s window on the signed attempt time', () => {
    expect(resendProvider.contentTypes).toEqual(['application/json']);
    expect(resendProvider.defaultTimestampToleranceSeconds).toBe(300);
  });

  describe('official vectors', () => {
    const vectors = [
      ...readJson<StandardWebhooksVector[]>('vectors/svix.json'),
      ...readJson<StandardWebhooksVector[]>('vectors/resend.json'),
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
  });

  describe('verify', () => {
    it('accepts a delivery signed with the second of two accepted secrets (rotation)', async () => {
      await expect(verify(delivery(fixture('email.sent')), context([OTHER_SECRET, SECRET]))).resolves.toEqual({
        signedAt: NOW,
      });
    });

    it('returns a stale signed time for the pipeline to reject (outside the default window)', async () => {
      const stale = NOW_SECONDS - 301;
      const result = await verify(delivery(fixture('email.sent'), 'msg_1', stale), context([SECRET]));
      expect(result?.signedAt).toEqual(new Date(stale * 1000));
      expect((NOW.getTime() - (result?.signedAt?.getTime() ?? 0)) / 1000).toBeGreaterThan(
        resendProvider.defaultTimestampToleranceSeconds ?? Number.POSITIVE_INFINITY,
      );
    });

    const unchanged = (req: WebhookRequest) => req;
    it.each<[string, (req: WebhookRequest) => WebhookRequest, readonly string[]]>([
      ['the signature was made with another secret', unchanged, [OTHER_SECRET]],
      [
        'the body was tampered with',
        (req) => ({ ...req, body: Buffer.from(req.body.toString().replace('sent', 'xent')) }),
        [SECRET],
      ],
      ['svix-signature is missing', (req) => ({ ...req, headers: { ...req.headers, 'svix-signature': '' } }), [SECRET]],
      [
        'the signature has trailing garbage after valid base64',
        (req) => ({ ...req, headers: { ...req.headers, 'svix-signature': `${req.headers['svix-signature']}AAAA` } }),
        [SECRET],
      ],
    ])('rejects a delivery when %s', async (_label, tamper, keys) => {
      await expect(verify(tamper(delivery(fixture('email.sent'))), context(keys))).rejects.toBeInstanceOf(
        SignatureError,
      );
    });
  });

  describe('normalise', () => {
    it.each<[string, Partial<EventDraft>]>([
      ['email.sent', { eventType: 'sent', rejectReason: null }],
      ['email.scheduled', { eventType: 'queued' }],
      ['email.delivered', { eventType: 'delivered' }],
      ['email.delivery_delayed', { eventType: 'deferred' }],
      ['email.complained', { eventType: 'complained', rejectReason: 'spam' }],
      [
        'email.bounced',
        {
          eventType: 'bounced',
          rejectReason: 'bounced',
          description: "The recipient's email provider sent a hard bounce message.",
          mtaResponse: 'smtp; 550 5.1.1 user unknown',
        },
      ],
      ['email.bounced.suppressed', { eventType: 'bounced', rejectReason: 'blocked' }],
      ['email.opened', { eventType: 'opened' }],
      [
        'email.clicked',
        {
          eventType: 'clicked',
          clickUrl: 'https://resend.com',
          userAgent:
            'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
        },
      ],
      [
        'email.received',
        {
          eventType: 'inbound',
          recipient: 'inbox@acme.dev',
          messageId: '56761188-7520-42d8-8898-ff6fc54ce619',
          metadata: {},
        },
      ],
      ['email.failed', { eventType: 'failed', description: 'reached_daily_quota', rejectReason: null }],
      [
        'email.suppressed',
        { eventType: 'rejected', rejectReason: 'blocked', description: 'This address is on your suppression list.' },
      ],
      ['contact.created', { eventType: 'unknown', recipient: 'steve.wozniak@gmail.com', messageId: null }],
      ['domain.updated', { eventType: 'unknown', recipient: null, messageId: null }],
      ['email.sent.tag-array', { eventType: 'sent', metadata: { category: 'welcome', plan: 'pro' } }],
    ])('maps %s', (name, expected) => {
      const draft = normaliseOne(delivery(fixture(name), `msg_${name}`));
      expect(draft).toMatchObject({ eventId: `msg_${name}`, timestamp: expect.any(String), ...expected });
      expect(draft.raw).toEqual(fixture(name));
    });

    it('fills the common email fields from the payload (first `to` address, top-level time, tags as metadata)', () => {
      const draft = normaliseOne(delivery(fixture('email.delivered')));
      expect(completeEvent('resend', draft, NOW)).toEqual({
        schemaVersion: 1,
        eventType: 'delivered',
        provider: 'resend',
        eventId: 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W',
        messageId: '56761188-7520-42d8-8898-ff6fc54ce618',
        recipient: 'delivered@resend.dev',
        timestamp: '2024-11-22T23:41:12.126Z',
        rejectReason: null,
        description: null,
        mtaResponse: null,
        tags: [],
        metadata: { category: 'confirm_email' },
        clickUrl: null,
        userAgent: null,
        receivedAt: NOW.toISOString(),
        raw: fixture('email.delivered'),
      });
    });

    it('gives a retried delivery (same svix-id, new attempt time and signature) the same event id', () => {
      const first = normaliseOne(delivery(fixture('email.opened'), 'msg_retry', NOW_SECONDS - 60));
      const retry = normaliseOne(delivery(fixture('email.opened'), 'msg_retry', NOW_SECONDS));
      const other = normaliseOne(delivery(fixture('email.opened'), 'msg_other'));
      expect(retry.eventId).toBe(first.eventId);
      expect(other.eventId).not.toBe(first.eventId);
    });

    it('maps an event type Resend may add later to unknown', () => {
      expect(
        normaliseOne(delivery({ type: 'email.teleported', created_at: '2026-01-01T00:00:00Z', data: {} })).eventType,
      ).toBe('unknown');
    });
  });

  describe('malformed payloads', () => {
    it.each<[string, WebhookRequest, string]>([
      [
        'a body that is not JSON',
        request({ 'svix-id': 'msg_1' }, Buffer.from('type=email.sent')),
        'Body is not valid JSON',
      ],
      [
        'a JSON array instead of one event',
        request({ 'svix-id': 'msg_1' }, Buffer.from('[]')),
        'Expected a JSON object (one event per request)',
      ],
      [
        'a request without the svix-id header',
        request({}, Buffer.from('{"type":"email.sent"}')),
        'Missing header svix-id or webhook-id',
      ],
    ])('rejects %s with a specific PayloadError', (_label, req, message) => {
      expect(() => resendProvider.parse(req)).toThrow(new PayloadError(message));
    });

    it.each<[string, unknown, string]>([
      ['an event that is not an object', 'email.sent', 'Expected the event to be a JSON object'],
      ['an event without a type', { created_at: '2024-11-22T23:41:12.126Z', data: {} }, 'Missing field type'],
    ])('rejects %s with a specific PayloadError', (_label, event, message) => {
      expect(() => resendProvider.normalise(event, delivery({}))).toThrow(new PayloadError(message));
    });
  });

  describe('simulate', () => {
    const expectedTypes: Record<string, string> = {
      'email.sent': 'sent',
      'email.scheduled': 'queued',
      'email.delivered': 'delivered',
      'email.delivery_delayed': 'deferred',
      'email.complained': 'complained',
      'email.bounced': 'bounced',
      'email.opened': 'opened',
      'email.clicked': 'clicked',
      'email.received': 'inbound',
      'email.failed': 'failed',
      'email.suppressed': 'rejected',
      'contact.created': 'unknown',
      'contact.updated': 'unknown',
      'contact.deleted': 'unknown',
      'domain.created': 'unknown',
      'domain.updated': 'unknown',
      'domain.deleted': 'unknown',
      'suppression.added': 'unknown',
      'suppression.removed': 'unknown',
    };

    it('offers one simulation per documented event type', () => {
      expect([...resendSimulator.events].sort()).toEqual(Object.keys(expectedTypes).sort());
    });

    it.each(Object.entries(expectedTypes))(
      'builds a signed %s that verifies, parses and maps to %s',
      async (name, type) => {
        const simulated = resendSimulator.simulate({ eventName: name, signingKey: SECRET, now: NOW, uniqueId: 'sim-1' });
        expect(simulated.headers['content-type']).toBe('application/json');
        const req = request(simulated.headers, simulated.body);
        await expect(verify(req, context([SECRET]))).resolves.toEqual({ signedAt: NOW });
        const draft = normaliseOne(req);
        expect(draft).toMatchObject({ eventType: type, eventId: 'msg_sim-1', timestamp: NOW.toISOString() });
      },
    );

    it('makes two simulations with different unique ids two different events', () => {
      const first = resendSimulator.simulate({ eventName: 'email.sent', now: NOW, uniqueId: 'a' });
      const second = resendSimulator.simulate({ eventName: 'email.sent', now: NOW, uniqueId: 'b' });
      expect(normaliseOne(request(first.headers, first.body)).eventId).not.toBe(
        normaliseOne(request(second.headers, second.body)).eventId,
      );
      expect(first.headers['svix-signature']).toBeUndefined();
    });

    it('refuses an event name it cannot build', () => {
      expect(() => resendSimulator.simulate({ eventName: 'email.nope', now: NOW, uniqueId: 'x' })).toThrow(
        'cannot simulate event "email.nope"',
      );
    });
  });
});
