import { ContractViolationError, contractViolations } from '../../../lambda/core/contract';
import { dateFromMillis, dateFromSeconds, dateFromText, isoOf, MAX_TIME_MS, MIN_TIME_MS } from '../../../lambda/core/dates';
import { fitToEntry } from '../../../lambda/core/dedupe-publish';
import { completeEvent } from '../../../lambda/core/event';
import {
  jsonNestingDepth,
  MAX_JSON_DEPTH,
  NestingLimitError,
  parseJsonBytes,
  parseJsonText,
  requireUtf8,
  valueNestingDepth,
} from '../../../lambda/core/json';
import { copyOwn, ownEntry, setOwn } from '../../../lambda/core/lookup';
import { createWebhookProcessor } from '../../../lambda/core/pipeline';
import { PayloadError } from '../../../lambda/errors';
import { epochMillisToIso, epochSecondsToIso, parseFormBody } from '../../../lambda/providers/shared';
import type { ProviderModule } from '../../../lambda/providers/types';
import { fakeWorld, manyEvents, NOW, signedProvider, signedRequest } from '../../fixtures/verifier/fakes';

const nested = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;

describe('the guarded date helper', () => {
  it.each([9007199254740991, -9007199254740991, 8.64e15 + 1, MAX_TIME_MS + 1, MIN_TIME_MS - 1, Infinity, NaN])(
    'refuses %d milliseconds instead of making an Invalid Date',
    (millis) => {
      expect(dateFromMillis(millis)).toBeNull();
    },
  );

  it('accepts the years 0000 to 9999 and writes plain ISO 8601', () => {
    expect(isoOf(dateFromMillis(MIN_TIME_MS))).toBe('0000-01-01T00:00:00.000Z');
    expect(isoOf(dateFromMillis(MAX_TIME_MS))).toBe('9999-12-31T23:59:59.999Z');
    expect(isoOf(dateFromSeconds(1_763_640_000.5))).toBe('2025-11-20T12:00:00.500Z');
    expect(dateFromText('+275760-09-13T00:00:00.000Z')).toBeNull();
    expect(isoOf(new Date(Number.NaN))).toBeNull();
  });

  it('keeps the providers helpers null for out-of-range epochs (they threw a RangeError before)', () => {
    expect(epochSecondsToIso(9007199254740991)).toBeNull();
    expect(epochSecondsToIso(Number('99999999999999'))).toBeNull();
    expect(epochMillisToIso(9007199254740991)).toBeNull();
    expect(epochSecondsToIso(1_763_640_000)).toBe('2025-11-20T12:00:00.000Z');
  });
});

describe('JSON input rules', () => {
  it(`accepts ${MAX_JSON_DEPTH} levels and refuses one more, naming the limit`, () => {
    expect(parseJsonText(nested(MAX_JSON_DEPTH))).toBeDefined();
    expect(() => parseJsonText(nested(MAX_JSON_DEPTH + 1))).toThrow(NestingLimitError);
    expect(() => parseJsonText(nested(100_000))).toThrow(`JSON nests deeper than ${MAX_JSON_DEPTH} levels`);
  });

  it('counts brackets inside strings as text, not nesting', () => {
    const text = JSON.stringify({ a: '[[[[{{{{\\"[[[', b: [[1]] });
    expect(jsonNestingDepth(text)).toBe(3);
    expect(valueNestingDepth(JSON.parse(text), 100)).toBe(3);
  });

  it('refuses bytes that are not UTF-8 and never quotes the body', () => {
    expect(() => requireUtf8(Buffer.from([0x7b, 0xff, 0x7d]))).toThrow(PayloadError);
    expect(() => parseJsonBytes(Buffer.from('{"a":"\xed\xa0\x80"}', 'latin1'))).toThrow(/not valid UTF-8/);
    expect(() => parseJsonText('{"SECRET": ')).toThrow(new PayloadError('Body is not valid JSON'));
  });

  it('refuses form bodies whose escapes are not UTF-8, instead of publishing U+FFFD', () => {
    expect(() => parseFormBody(Buffer.from('mandrill_events=%FF'))).toThrow(PayloadError);
    expect(parseFormBody(Buffer.from('a=%C3%A9+b&c')).get('a')).toBe('é b');
    expect(parseFormBody(Buffer.from('a=%C3%A9+b&c')).get('c')).toBe('');
  });
});

describe('prototype-safe lookups', () => {
  const table: Readonly<Record<string, string>> = { bounce: 'bounced' };
  it.each(['toString', 'constructor', '__proto__', 'valueOf', 'hasOwnProperty'])('finds no entry for %s', (name) => {
    expect(ownEntry(table, name)).toBeUndefined();
  });

  it('writes __proto__ as a key, never as the prototype', () => {
    const record: Record<string, unknown> = {};
    setOwn(record, '__proto__', { polluted: true });
    expect(Object.getPrototypeOf(record)).toBe(Object.prototype);
    expect(JSON.stringify(record)).toBe('{"__proto__":{"polluted":true}}');
    const copy = copyOwn(JSON.parse('{"__proto__":{"x":1},"a":2}'));
    expect(Object.keys(copy)).toEqual(['__proto__', 'a']);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
  });
});

describe('the event contract check', () => {
  const valid = completeEvent('sendgrid', { eventType: 'bounced', eventId: 'e1', raw: {} }, NOW);

  it('accepts a complete event', () => {
    expect(contractViolations(valid)).toEqual([]);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['a function as rejectReason (a prototype lookup)', { rejectReason: (() => 0) as unknown }, 'rejectReason'],
    ['an event type outside the vocabulary', { eventType: 'toString' }, 'eventType'],
    ['a missing raw', { raw: undefined }, 'raw'],
    ['metadata with a replaced prototype', { metadata: Object.create({ hidden: 1 }) as object }, 'metadata'],
    ['a non-ISO timestamp', { timestamp: '+275760-09-13T00:00:00.000Z' }, 'timestamp'],
    ['tags that are not strings', { tags: [1] }, 'tags'],
  ])('names %s', (_label, change, field) => {
    expect(contractViolations({ ...valid, ...change })).toContain(field);
  });

  it('answers 500 and publishes nothing when a module produces a broken detail (a Hookguard bug)', async () => {
    const broken: ProviderModule = {
      ...signedProvider,
      normalise: (event) =>
        signedProvider.normalise(event, undefined as never).map((draft) => ({ ...draft, tags: [42 as unknown as string] })),
    };
    const world = fakeWorld({ providers: new Map([['resend', broken]]) });
    const { response } = await createWebhookProcessor(world.deps)(
      signedRequest(manyEvents(2)),
    );
    expect(response.statusCode).toBe(500);
    expect(JSON.parse(response.body).error.code).toBe('internal_error');
    expect(world.bus.calls).toEqual([]);
    expect(world.ledger.items.size).toBe(0);
    expect(world.logger.entries).toContainEqual(
      expect.objectContaining({ level: 'error', fields: expect.objectContaining({ code: 'internal_error' }) }),
    );
    expect(new ContractViolationError(['tags']).message).toContain('tags');
  });
});

describe('an event too large to publish', () => {
  it('is refused with a message that names the limit, not the event id', () => {
    const eventId = `MARKER-${'x'.repeat(1_100_000)}`;
    const event = completeEvent('sendgrid', { eventType: 'bounced', eventId, raw: {} }, NOW);
    expect(() => fitToEntry(event)).toThrow(PayloadError);
    try {
      fitToEntry(event);
    } catch (error) {
      expect((error as Error).message).not.toContain('MARKER');
      expect((error as Error).message).toContain('1000000-byte entry limit');
    }
  });
});
