import { createHmac } from 'node:crypto';
import { completeEvent } from '../../../lambda/core/event';
import { PayloadError } from '../../../lambda/errors';
import { mailtrapProvider } from '../../../lambda/providers/mailtrap';
import {
  fixtureBytes,
  NOW,
  normaliseBody,
  signatureFailure,
  vectorsOf,
  verifyWith,
  webhookRequest,
} from './webhook-test-kit';
import { mailtrapSimulator } from '../../../src/simulate/mailtrap';

const vectors = vectorsOf('mailtrap');
const allEvents = fixtureBytes('mailtrap', 'all-events');
const SECRET = '8d9a3c0e7f5b2d4a6c1e9f8b3a7d5c2e';

/** The signature Mailtrap sends, computed independently of the module. */
const signatureOf = (secret: string, body: Buffer | string) => createHmac('sha256', secret).update(body).digest('hex');

const requestOf = (body: Buffer | string, headers: Record<string, string> = {}) =>
  webhookRequest('mailtrap', body, headers);
const verify = (request: ReturnType<typeof requestOf>, keys: readonly string[]) =>
  verifyWith(mailtrapProvider, request, keys);
const normaliseAll = (body: Buffer | string) => normaliseBody(mailtrapProvider, body);

describe('mailtrapProvider', () => {
  describe('verify', () => {
    it.each(vectors)('official vector ($note): valid=$expected_valid', async (vector) => {
      const result = verify(requestOf(vector.body, vector.headers), [vector.secret_or_public_key]);
      if (vector.expected_valid) await expect(result).resolves.toEqual({});
      else await signatureFailure(result);
    });

    const good = signatureOf(SECRET, allEvents);
    it.each([
      ['a missing Mailtrap-Signature header', {}, /Missing mailtrap-signature header/],
      ['a signature in uppercase hex', { 'Mailtrap-Signature': good.toUpperCase() }, /not 64 lowercase hex digits/],
      [
        'a signature in base64',
        { 'Mailtrap-Signature': Buffer.from(good, 'hex').toString('base64') },
        /not 64 lowercase/,
      ],
      ['a valid signature followed by garbage', { 'Mailtrap-Signature': `${good}zz` }, /not 64 lowercase hex digits/],
      ['a truncated signature', { 'Mailtrap-Signature': good.slice(0, 62) }, /not 64 lowercase hex digits/],
      ['the signature of another secret', { 'Mailtrap-Signature': signatureOf('wrong', allEvents) }, /matches none/],
      ['a signature repeated as two header values', { 'Mailtrap-Signature': `${good}, ${good}` }, /not 64 lowercase/],
    ])('rejects %s', async (_case, headers, reason) => {
      const failure = await signatureFailure(verify(requestOf(allEvents, headers), [SECRET]));
      expect(failure.reason).toMatch(reason);
      expect(failure.reason).not.toContain(good);
      expect(failure.reason).not.toContain(SECRET);
    });

    it('rejects a body changed after signing (re-serialised JSON)', async () => {
      const reserialised = JSON.stringify(JSON.parse(allEvents.toString('utf8')));
      await signatureFailure(verify(requestOf(reserialised, { 'Mailtrap-Signature': good }), [SECRET]));
    });

    it('accepts during a rotation when the second configured secret matches', async () => {
      await expect(
        verify(requestOf(allEvents, { 'Mailtrap-Signature': good }), ['old-secret', SECRET]),
      ).resolves.toEqual({});
    });

    it('signs no timestamp, so it returns no signedAt and has no default window', async () => {
      await expect(verify(requestOf(allEvents, { 'Mailtrap-Signature': good }), [SECRET])).resolves.toEqual({});
      expect(mailtrapProvider.defaultTimestampToleranceSeconds).toBeUndefined();
    });

    it('fails closed without any secret', async () => {
      const failure = await signatureFailure(verify(requestOf(allEvents, { 'Mailtrap-Signature': good }), []));
      expect(failure.reason).toBe('no signing secret configured');
    });
  });

  describe('parse', () => {
    it.each([
      ['a body that is not JSON', 'events=1', 'Body is not valid JSON'],
      ['a bare JSON array', '[{"event":"delivery"}]', 'Expected a JSON object with an events array'],
      ['an object without events', '{"event":"delivery"}', 'Missing field events (expected an array)'],
      ['events that are not an array', '{"events":{"event":"delivery"}}', 'Missing field events (expected an array)'],
    ])('rejects %s', (_case, body, message) => {
      expect(() => mailtrapProvider.parse(requestOf(body))).toThrow(new PayloadError(message));
    });

    it('yields every event of the batch in order', () => {
      expect(mailtrapProvider.parse(requestOf(allEvents)).events).toHaveLength(9);
    });
  });

  describe('normalise', () => {
    const drafts = normaliseAll(allEvents);
    const common = {
      provider: 'mailtrap',
      messageId: '1df37d17-0286-4d8b-8edf-bc4ec5be86e6',
      recipient: 'receiver@example.com',
      timestamp: '2017-06-22T01:05:27.000Z',
    };
    it.each([
      [
        'delivery',
        {
          eventType: 'delivered',
          rejectReason: null,
          eventId: 'bede7236-2284-43d6-a953-1fdcafd0fd01',
          tags: ['password-reset'],
          metadata: { variable_a: 'value', variable_b: 'value2' },
        },
      ],
      [
        'open',
        { eventType: 'opened', userAgent: 'Mozilla/5.0 (via ggpht.com GoogleImageProxy)', tags: [], metadata: {} },
      ],
      [
        'click',
        {
          eventType: 'clicked',
          clickUrl: 'http://example.com/anymail',
          tags: ['custom-value'],
          metadata: { testing: true },
        },
      ],
      [
        'bounce',
        {
          eventType: 'bounced',
          rejectReason: 'bounced',
          description: 'hard',
          mtaResponse: expect.stringContaining('550 5.1.1'),
        },
      ],
      [
        'soft bounce',
        { eventType: 'deferred', rejectReason: 'bounced', mtaResponse: expect.stringContaining('450 4.2.0') },
      ],
      ['spam', { eventType: 'complained', rejectReason: 'spam' }],
      ['unsubscribe', { eventType: 'unsubscribed', rejectReason: 'unsubscribed' }],
      ['suspension', { eventType: 'deferred', rejectReason: 'blocked', description: 'other' }],
      ['reject', { eventType: 'rejected', rejectReason: 'blocked', description: 'unknown' }],
    ])('maps %s', (name, expected) => {
      const draft = drafts.find((candidate) => (candidate.raw as { event: string }).event === name);
      if (draft === undefined) throw new Error(`fixture has no ${name} event`);
      expect(completeEvent('mailtrap', draft, NOW)).toMatchObject({ ...common, ...expected });
    });

    it('maps an event name Mailtrap may add later to unknown', () => {
      const [draft] = mailtrapProvider.normalise(
        { event: 'inbound.message_received', event_id: 'e-1', timestamp: 1 },
        requestOf('{}'),
      );
      expect(draft?.eventType).toBe('unknown');
    });

    it.each([
      ['not an object', 'delivery', 'Expected each Mailtrap event to be a JSON object'],
      ['an array', [{ event: 'delivery' }], 'Expected each Mailtrap event to be a JSON object'],
      ['without an event name', { event_id: 'x', email: 'a@example.com' }, 'Missing field event'],
    ])('rejects an event %s', (_case, event, message) => {
      expect(() => mailtrapProvider.normalise(event, requestOf('{}'))).toThrow(new PayloadError(message));
    });

    it('gives both copies of a duplicated event the same id and different events different ids', () => {
      const { events } = JSON.parse(allEvents.toString('utf8'));
      const batch = Buffer.from(JSON.stringify({ events: [events[0], events[1], events[0]] }));
      const ids = normaliseAll(batch).map((draft) => draft.eventId);
      expect(ids[2]).toBe(ids[0]);
      expect(ids[1]).not.toBe(ids[0]);
    });

    it('derives a stable id for an event without event_id', () => {
      const event = { event: 'delivery', email: 'a@example.com', timestamp: 1498093527 };
      const first = mailtrapProvider.normalise(event, requestOf('{}'))[0]?.eventId;
      expect(first).toMatch(/^hg-[0-9a-f]{40}$/);
      expect(mailtrapProvider.normalise({ ...event }, requestOf('{}'))[0]?.eventId).toBe(first);
      expect(mailtrapProvider.normalise({ ...event, timestamp: 1498093528 }, requestOf('{}'))[0]?.eventId).not.toBe(
        first,
      );
    });
  });

  describe('simulate', () => {
    const expectedTypes: Record<string, string> = {
      delivery: 'delivered',
      open: 'opened',
      click: 'clicked',
      bounce: 'bounced',
      'soft bounce': 'deferred',
      suspension: 'deferred',
      spam: 'complained',
      unsubscribe: 'unsubscribed',
      reject: 'rejected',
    };

    it('simulates every documented Mailtrap event', () => {
      expect([...mailtrapSimulator.events].sort()).toEqual(Object.keys(expectedTypes).sort());
    });

    it.each(mailtrapSimulator.events.map((name) => [name]))(
      '%s: signed as Mailtrap signs, verifies, parses and normalises',
      async (eventName) => {
        const simulated = mailtrapSimulator.simulate({ eventName, signingKey: SECRET, now: NOW, uniqueId: 'u-1' });
        expect(simulated.headers['content-type']).toBe('application/json');
        expect(simulated.headers['mailtrap-signature']).toBe(signatureOf(SECRET, simulated.body));
        const request = requestOf(simulated.body, simulated.headers);
        await expect(verify(request, [SECRET])).resolves.toEqual({});
        const drafts = normaliseAll(simulated.body);
        expect(drafts.map((draft) => draft.eventType)).toEqual([expectedTypes[eventName]]);
        expect(drafts[0]?.timestamp).toBe(NOW.toISOString());
      },
    );

    it('uses the unique id for the event ids', () => {
      const idOf = (uniqueId: string) =>
        normaliseAll(mailtrapSimulator.simulate({ eventName: 'open', now: NOW, uniqueId }).body)[0]?.eventId;
      expect(idOf('a')).toBe(idOf('a'));
      expect(idOf('a')).not.toBe(idOf('b'));
    });

    it('leaves the request unsigned without a key', () => {
      const simulated = mailtrapSimulator.simulate({ eventName: 'open', now: NOW, uniqueId: 'u' });
      expect(simulated.headers['mailtrap-signature']).toBeUndefined();
    });

    it('refuses an event name Mailtrap does not have', () => {
      expect(() => mailtrapSimulator.simulate({ eventName: 'opened', now: NOW, uniqueId: 'u' })).toThrow(
        'cannot simulate event "opened"',
      );
    });
  });
});
