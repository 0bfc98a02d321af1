import { randomBytes } from 'node:crypto';
import { PayloadError } from '../../../lambda/errors';
import {
  canonicalJson,
  dateStringToIso,
  decodeBase64Strict,
  decodeHexStrict,
  deriveEventId,
  epochMillisToIso,
  epochSecondsToIso,
  firstStringAt,
  header,
  numberAt,
  parseJsonBody,
  safeEqual,
  stringAt,
  stringsAt,
} from '../../../lambda/providers/shared';

describe('decodeBase64Strict', () => {
  it.each([
    ['QQ==', 'A'],
    ['QUI=', 'AB'],
    ['QUJD', 'ABC'],
    ['QUJDRA==', 'ABCD'],
    ['+/+/', Buffer.from([0xfb, 0xff, 0xbf]).toString('latin1')],
  ])('decodes canonical %s', (encoded, decoded) => {
    expect(decodeBase64Strict(encoded)?.toString('latin1')).toBe(decoded);
  });

  it.each([
    ['empty', ''],
    ['missing padding', 'QQ'],
    ['too much padding', 'Q==='],
    ['padding in the middle', 'QQ==QUJD'],
    ['garbage appended to a valid value (Node would ignore it)', 'QUJD!'],
    ['garbage appended in a whole quantum', 'QUJDZm9v!!!!'],
    ['base64url characters', 'QU-_'],
    ['whitespace', 'QUJD QUJD'],
    ['a newline', 'QUJD\nQUJD'],
    ['non-canonical unused bits', 'QR=='],
    ['non-canonical unused bits with one pad', 'QUJ='],
  ])('refuses %s', (_name, encoded) => {
    expect(decodeBase64Strict(encoded)).toBeNull();
  });

  it('decodes a multi-megabyte value (a 4 MiB body base64-encoded by API Gateway) without overflowing', () => {
    const bytes = randomBytes(4 * 1024 * 1024 + 1);
    const decoded = decodeBase64Strict(bytes.toString('base64'));
    expect(decoded?.equals(bytes)).toBe(true);
  });

  it('refuses a multi-megabyte value with one bad character near its end', () => {
    const encoded = randomBytes(3 * 1024 * 1024).toString('base64');
    expect(decodeBase64Strict(`${encoded.slice(0, -5)}*${encoded.slice(-4)}`)).toBeNull();
  });
});

describe('decodeHexStrict', () => {
  it('decodes even-length hex, upper or lower case, and checks the length when asked', () => {
    expect(decodeHexStrict('00ffAB')?.toString('hex')).toBe('00ffab');
    expect(decodeHexStrict('00ff', 2)?.length).toBe(2);
    expect(decodeHexStrict('00ff', 3)).toBeNull();
  });

  it.each(['', 'abc', 'zz', '00 ff', '0x00'])('refuses %j', (value) => {
    expect(decodeHexStrict(value)).toBeNull();
  });
});

describe('safeEqual', () => {
  it('is true only for the same bytes, and false (not a throw) for different lengths', () => {
    expect(safeEqual(Buffer.from('abc'), Buffer.from('abc'))).toBe(true);
    expect(safeEqual(Buffer.from('abc'), Buffer.from('abd'))).toBe(false);
    expect(safeEqual(Buffer.from('abc'), Buffer.from('abcd'))).toBe(false);
  });
});

describe('deriveEventId', () => {
  const event = { event: 'open', email: 'a@example.com', ts: 1700000000, nested: { b: 1, a: [1, 2] } };

  it('is stable across key order (a retried delivery re-serialised differently gets the same id)', () => {
    const reordered = { nested: { a: [1, 2], b: 1 }, ts: 1700000000, email: 'a@example.com', event: 'open' };
    expect(deriveEventId('brevo', reordered)).toBe(deriveEventId('brevo', event));
    expect(deriveEventId('brevo', event)).toMatch(/^hg-[0-9a-f]{40}$/);
  });

  it.each([
    ['another provider', 'mailjet', event],
    ['another field value', 'brevo', { ...event, ts: 1700000001 }],
    ['an extra field', 'brevo', { ...event, url: 'https://example.com' }],
    ['array order', 'brevo', { ...event, nested: { b: 1, a: [2, 1] } }],
  ])('differs for %s', (_name, provider, other) => {
    expect(deriveEventId(provider, other)).not.toBe(deriveEventId('brevo', event));
  });

  it('canonicalises nested values, null and strings', () => {
    expect(canonicalJson({ b: null, a: ['x', { d: 1, c: 2 }] })).toBe('{"a":["x",{"c":2,"d":1}],"b":null}');
  });
});

describe('field and time helpers', () => {
  const value = { a: { b: 'text', n: 12.5, s: '42', empty: '', list: ['', 'first', 3, 'second'] } };

  it('reads strings, numbers and lists by path, null when absent or of another type', () => {
    expect(stringAt(value, 'a', 'b')).toBe('text');
    expect(stringAt(value, 'a', 'n')).toBe('12.5');
    expect(stringAt(value, 'a', 'empty')).toBeNull();
    expect(stringAt(value, 'a', 'missing')).toBeNull();
    expect(numberAt(value, 'a', 's')).toBe(42);
    expect(numberAt(value, 'a', 'b')).toBeNull();
    expect(firstStringAt(value, 'a', 'list')).toBe('first');
    expect(stringsAt(value, 'a', 'list')).toEqual(['', 'first', 'second']);
    expect(stringsAt(value, 'a', 'b')).toEqual([]);
  });

  it('converts epoch seconds and milliseconds, and date strings with or without an offset, to ISO UTC', () => {
    expect(epochSecondsToIso(1700000000.25)).toBe('2023-11-14T22:13:20.250Z');
    expect(epochMillisToIso(1700000000250)).toBe('2023-11-14T22:13:20.250Z');
    expect(epochSecondsToIso(-1)).toBeNull();
    expect(dateStringToIso('2023-11-14 22:13:20')).toBe('2023-11-14T22:13:20.000Z');
    expect(dateStringToIso('2023-11-14T23:13:20+01:00')).toBe('2023-11-14T22:13:20.000Z');
    expect(dateStringToIso('not a date')).toBeNull();
  });

  it('reads headers by lower-cased name, empty as absent', () => {
    expect(header({ 'x-a': 'v', 'x-b': '' }, 'X-A')).toBe('v');
    expect(header({ 'x-a': 'v', 'x-b': '' }, 'x-b')).toBeNull();
  });

  it('refuses a body that is not JSON without quoting it', () => {
    expect(() => parseJsonBody(Buffer.from('{"secret": '))).toThrow(new PayloadError('Body is not valid JSON'));
  });
});
