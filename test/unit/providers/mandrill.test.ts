import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EventDraft } from '../../../lambda/core/event';
import { ConfigurationError, PayloadError, SignatureError } from '../../../lambda/errors';
import { mandrillProvider } from '../../../lambda/providers/mandrill';
import type { VerifyContext, WebhookRequest } from '../../../lambda/providers/types';
import { mandrillSimulator } from '../../../src/simulate/mandrill';

const NOW = new Date('2026-11-20T12:00:00.000Z');
const KEY = 'xv2E8cPl6nVbOCgBxbx2Fw';
const OTHER_KEY = 'Qh0yXcUYrLzGcN2b4GvJ1w';
const BARE_URL = 'https://hooks.example.com/webhooks/mandrill';
const SIGNED_URL = 'https://hookguard:s3cretPassw0rd@hooks.example.com/webhooks/mandrill';
const FIXTURES = join(__dirname, '../../fixtures');

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(join(FIXTURES, path), 'utf8')) as T;
}

const EVENTS = readJson<Record<string, Record<string, unknown>>>('providers/mandrill/events.json');

function fixture(name: string): Record<string, unknown> {
  const event = EVENTS[name];
  if (!event) throw new Error(`No Mandrill fixture ${name}`);
  return structuredClone(event);
}

interface MandrillVector {
  readonly source: string;
  readonly secret_or_public_key: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly url: string;
  readonly expected_valid: boolean;
}

function request(headers: Record<string, string>, body: Buffer | string): WebhookRequest {
  return {
    provider: 'mandrill',
    method: 'POST',
    headers,
    body: Buffer.isBuffer(body) ? body : Buffer.from(body),
    receivedAt: NOW,
  };
}

function context(
  signingKeys: readonly string[],
  signedUrls: readonly string[] = [SIGNED_URL, BARE_URL],
): VerifyContext {
  return {
    settings: { auth: 'both', timestampToleranceSeconds: 0, maxBodyBytes: 1_000_000, signedUrl: BARE_URL },
    signingKeys,
    signedUrls,
    now: NOW,
    certificates: { certificate: () => Promise.reject(new Error('not used by Mandrill')) },
  };
}

async function verify(req: WebhookRequest, ctx: VerifyContext) {
  if (!mandrillProvider.verify) throw new Error('Mandrill must verify signatures');
  return mandrillProvider.verify(req, ctx);
}

/** The signature as Mandrill documents it, computed independently of the module. */
function sign(key: string, url: string, fields: Record<string, string>): string {
  const signed = Object.keys(fields)
    .sort()
    .reduce((text, name) => `${text}${name}${fields[name]}`, url);
  return createHmac('sha1', key).update(signed).digest('base64');
}

/** A batch as Mandrill posts it: form-encoded `mandrill_events`, signed over the URL and the decoded field. */
function delivery(events: unknown[], key = KEY, url = SIGNED_URL): WebhookRequest {
  const fields = { mandrill_events: JSON.stringify(events) };
  return request(
    { 'content-type': 'application/x-www-form-urlencoded', 'x-mandrill-signature': sign(key, url, fields) },
    new URLSearchParams(fields).toString(),
  );
}

function normaliseBatch(req: WebhookRequest): EventDraft[] {
  return mandrillProvider.parse(req).events.flatMap((event) => [...mandrillProvider.normalise(event, req)]);
}

describe('mandrillProvider', () => {
  it('takes form posts and signs no timestamp', () => {
    expect(mandrillProvider.contentTypes).toEqual(['application/x-www-form-urlencoded']);
    expect(mandrillProvider.defaultTimestampToleranceSeconds).toBeUndefined();
  });

  describe('official vector', () => {
    const [vector] = readJson<MandrillVector[]>('vectors/mandrill.json');
    if (!vector) throw new Error('vector missing');
    const vectorRequest = () =>
      request({ 'x-mandrill-signature': vector.headers['X-Mandrill-Signature'] ?? '' }, vector.body);

    it('accepts the signed empty batch with its key and URL', async () => {
      expect(vector.expected_valid).toBe(true);
      await expect(verify(vectorRequest(), context([vector.secret_or_public_key], [vector.url]))).resolves.toEqual({});
      expect(mandrillProvider.parse(vectorRequest()).events).toEqual([]);
    });

    it("accepts it as Mandrill's URL-check post (generic 'test-webhook' key) whatever key is configured", async () => {
      await expect(verify(vectorRequest(), context([KEY], [vector.url]))).resolves.toEqual({});
    });

    it('still requires the signed URL to match', async () => {
      await expect(
        verify(vectorRequest(), context([vector.secret_or_public_key], ['http://localhost'])),
      ).rejects.toBeInstanceOf(SignatureError);
    });
  });

  describe('verify', () => {
    it('accepts a batch signed over the URL with credentials, the form the verifier passes first', async () => {
      await expect(verify(delivery([fixture('send')]), context([KEY]))).resolves.toEqual({});
    });

    it('accepts when the second accepted key and the second candidate URL match (rotation of both)', async () => {
      await expect(verify(delivery([fixture('send')], KEY, BARE_URL), context([OTHER_KEY, KEY]))).resolves.toEqual({});
    });

    it('accepts a URL with a query string when it was signed exactly so', async () => {
      const url = `${BARE_URL}?source=mandrill&env=prod`;
      await expect(verify(delivery([fixture('send')], KEY, url), context([KEY], [url]))).resolves.toEqual({});
    });

    const signed = delivery([fixture('hard_bounce')]);
    const signature = signed.headers['x-mandrill-signature'] ?? '';
    it.each<[string, WebhookRequest, VerifyContext]>([
      ['the key is wrong', signed, context([OTHER_KEY])],
      ['the signed URL differs by a trailing slash', signed, context([KEY], [`${SIGNED_URL}/`, `${BARE_URL}/`])],
      [
        'the credentials in the signed URL differ',
        signed,
        context([KEY], [SIGNED_URL.replace('s3cret', 'other'), BARE_URL]),
      ],
      [
        'the body was tampered with',
        request(signed.headers, signed.body.toString().replace('bounced', 'sent')),
        context([KEY]),
      ],
      ['the signature header is missing', request({}, signed.body), context([KEY])],
      ['the signature is not base64', request({ 'x-mandrill-signature': '%%%%' }, signed.body), context([KEY])],
      [
        'the base64 has trailing garbage',
        request({ 'x-mandrill-signature': `${signature}AAAA` }, signed.body),
        context([KEY]),
      ],
      [
        'the signature has the length of another digest',
        request({ 'x-mandrill-signature': Buffer.alloc(32, 1).toString('base64') }, signed.body),
        context([KEY]),
      ],
      [
        'a form field is repeated',
        request(signed.headers, `${signed.body.toString()}&mandrill_events=%5B%5D`),
        context([KEY]),
      ],
      [
        "a non-empty batch is signed with the URL-check 'test-webhook' key",
        delivery([fixture('send')], 'test-webhook'),
        context([KEY]),
      ],
    ])('rejects with a SignatureError when %s', async (_label, req, ctx) => {
      await expect(verify(req, ctx)).rejects.toBeInstanceOf(SignatureError);
    });

    it('fails as a configuration error when no signed URL is known', async () => {
      await expect(verify(signed, context([KEY], []))).rejects.toBeInstanceOf(ConfigurationError);
    });

    it('keeps keys, signatures and the body out of the failure reason', async () => {
      const failure = await verify(signed, context([OTHER_KEY])).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(SignatureError);
      const { reason } = failure as SignatureError;
      for (const secret of [OTHER_KEY, signature, 'hard_bounce', 's3cretPassw0rd'])
        expect(reason).not.toContain(secret);
    });
  });

  describe('normalise', () => {
    const recipient = 'example.webhook@mandrillapp.com';
    const timestamp = '2013-11-20T13:26:44.000Z';
    it.each<[string, Partial<EventDraft>]>([
      [
        'send',
        {
          eventType: 'sent',
          messageId: 'exampleaaaaaaaaaaaaaaaaaaaaaaaaa',
          recipient,
          timestamp,
          rejectReason: null,
          tags: ['webhook-example'],
          metadata: { user_id: 111 },
        },
      ],
      [
        'deferral',
        {
          eventType: 'deferred',
          messageId: 'exampleaaaaaaaaaaaaaaaaaaaaaaaaa1',
          mtaResponse: '451 4.3.5 Temporarily unavailable, try again later.',
        },
      ],
      [
        'hard_bounce',
        {
          eventType: 'bounced',
          rejectReason: 'bounced',
          description: 'bad_mailbox',
          mtaResponse:
            "smtp;550 5.1.1 The email account that you tried to reach does not exist. Please try double-checking the recipient's email address for typos or unnecessary spaces.",
        },
      ],
      [
        'soft_bounce',
        {
          eventType: 'deferred',
          rejectReason: 'bounced',
          description: 'mailbox_full',
          mtaResponse: 'smtp;552 5.2.2 Over Quota',
        },
      ],
      [
        'open',
        {
          eventType: 'opened',
          userAgent: 'Mozilla/5.0 (Macintosh; U; Intel Mac OS X 10.6; en-US; rv:1.9.1.8) Gecko/20100317 Postbox/1.1.3',
          clickUrl: null,
        },
      ],
      ['click', { eventType: 'clicked', clickUrl: 'http://mandrill.com' }],
      ['spam', { eventType: 'complained', rejectReason: 'spam' }],
      ['unsub', { eventType: 'unsubscribed', rejectReason: null }],
      ['reject', { eventType: 'rejected', rejectReason: 'blocked', messageId: 'exampleaaaaaaaaaaaaaaaaaaaaaaaaa8' }],
      ['inbound', { eventType: 'inbound', recipient, messageId: null, tags: [] }],
      ['blacklist', { eventType: 'unknown', recipient, timestamp, description: '550 mailbox does not exist' }],
      ['whitelist', { eventType: 'unknown', recipient, timestamp, description: 'example details' }],
    ])('maps %s', (name, expected) => {
      const [draft, ...rest] = normaliseBatch(delivery([fixture(name)]));
      expect(rest).toEqual([]);
      expect(draft).toMatchObject({
        eventId: expect.stringMatching(/^hg-[0-9a-f]{40}$/),
        raw: fixture(name),
        ...expected,
      });
    });

    it('refines a bounce reason from the bounce description', () => {
      const spamBlock = fixture('hard_bounce');
      (spamBlock.msg as Record<string, unknown>).bounce_description = 'spam_related';
      expect(normaliseBatch(delivery([spamBlock]))[0]?.rejectReason).toBe('spam');
    });

    it('maps an event name Mandrill may add later to unknown', () => {
      const future = { ...fixture('send'), event: 'teleport' };
      expect(normaliseBatch(delivery([future]))[0]?.eventType).toBe('unknown');
    });

    it('gives the same event delivered twice the same id, even when the message snapshot changed in between', () => {
      const first = fixture('open');
      const retried = fixture('open');
      (retried.msg as Record<string, unknown>).opens = [{ ts: 1365111111 }, { ts: 1384954100 }];
      const ids = normaliseBatch(delivery([first, first, retried])).map((draft) => draft.eventId);
      expect(new Set(ids).size).toBe(1);
    });

    it('gives different events different ids: other event of the same message, other link, other second', () => {
      const open = fixture('open');
      const click = fixture('click');
      const otherLink = { ...fixture('click'), url: 'http://mandrill.com/pricing' };
      const otherSecond = { ...fixture('click'), ts: 1384954005 };
      const sameMessageClick = { ...click, _id: open._id, msg: open.msg };
      const ids = normaliseBatch(delivery([open, click, otherLink, otherSecond, sameMessageClick])).map(
        (draft) => draft.eventId,
      );
      expect(new Set(ids).size).toBe(5);
    });

    it('normalises the whole documented sample batch in order', () => {
      const names = ['send', 'deferral', 'hard_bounce', 'soft_bounce', 'open', 'click', 'spam', 'unsub', 'reject'];
      const drafts = normaliseBatch(delivery(names.map(fixture)));
      expect(drafts.map((draft) => draft.eventType)).toEqual([
        'sent',
        'deferred',
        'bounced',
        'deferred',
        'opened',
        'clicked',
        'complained',
        'unsubscribed',
        'rejected',
      ]);
    });
  });

  describe('malformed payloads', () => {
    it.each<[string, string, string]>([
      ['a form without mandrill_events', 'events=%5B%5D', 'Missing form field mandrill_events'],
      [
        'mandrill_events that is not JSON',
        'mandrill_events=%5Bnot-json',
        'Form field mandrill_events is not valid JSON',
      ],
      [
        'mandrill_events that is not an array',
        `mandrill_events=${encodeURIComponent('{"event":"send"}')}`,
        'Expected form field mandrill_events to be a JSON array of events',
      ],
    ])('rejects %s with a specific PayloadError', (_label, body, message) => {
      expect(() => mandrillProvider.parse(request({}, body))).toThrow(new PayloadError(message));
    });

    it.each<[string, unknown, string]>([
      ['an event that is not an object', 'send', 'Expected each Mandrill event to be a JSON object'],
      ['an event with neither event nor type', { _id: 'x', ts: 1384954004 }, 'Missing field event'],
    ])('rejects %s with a specific PayloadError', (_label, event, message) => {
      expect(() => mandrillProvider.normalise(event, delivery([]))).toThrow(new PayloadError(message));
    });
  });

  describe('simulate', () => {
    const expectedTypes: Record<string, string> = {
      send: 'sent',
      deferral: 'deferred',
      hard_bounce: 'bounced',
      soft_bounce: 'deferred',
      open: 'opened',
      click: 'clicked',
      spam: 'complained',
      unsub: 'unsubscribed',
      reject: 'rejected',
      inbound: 'inbound',
      whitelist: 'unknown',
      blacklist: 'unknown',
    };

    it('offers one simulation per documented event type', () => {
      expect([...mandrillSimulator.events].sort()).toEqual(Object.keys(expectedTypes).sort());
    });

    it.each(Object.entries(expectedTypes))(
      'builds a signed %s that verifies, parses and maps to %s',
      async (name, type) => {
        const simulated = mandrillSimulator.simulate({
          eventName: name,
          signingKey: KEY,
          signedUrl: SIGNED_URL,
          now: NOW,
          uniqueId: 'c0ffee00c0ffee00c0ffee00c0ffee00',
        });
        expect(simulated.headers['content-type']).toBe('application/x-www-form-urlencoded');
        const req = request(simulated.headers, simulated.body);
        await expect(verify(req, context([KEY]))).resolves.toEqual({});
        const drafts = normaliseBatch(req);
        expect(drafts).toHaveLength(1);
        expect(drafts[0]).toMatchObject({
          eventType: type,
          recipient: 'example.webhook@mandrillapp.com',
          timestamp: NOW.toISOString(),
        });
      },
    );

    it('makes two simulations with different unique ids two different events', () => {
      const [first, second] = ['a1', 'b2'].map((uniqueId) => {
        const simulated = mandrillSimulator.simulate({ eventName: 'open', now: NOW, uniqueId });
        return normaliseBatch(request(simulated.headers, simulated.body))[0]?.eventId;
      });
      expect(first).not.toBe(second);
    });

    it('needs the signed URL to sign', () => {
      expect(() => mandrillSimulator.simulate({ eventName: 'send', signingKey: KEY, now: NOW, uniqueId: 'x' })).toThrow(
        'Simulating a signed Mandrill request needs signedUrl',
      );
    });
  });
});
