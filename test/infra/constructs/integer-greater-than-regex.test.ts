import { MAX_BODY_BYTES_LIMIT } from '../../../lib/config/defaults';
import { integerGreaterThanRegex } from '../../../lib/constructs/integer-greater-than-regex';
import { WAF_REGEX_MAX_LENGTH } from '../../../lib/constructs/webhook-firewall';

/** Deterministic pseudo-random numbers (mulberry32), so a failure reproduces. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Numbers around `n` and around every power of ten up to 10^(digits of n + 2), where off-by-one bugs live. */
function candidatesAround(n: number): number[] {
  const values = new Set<number>();
  for (let delta = -25; delta <= 25; delta++) values.add(n + delta);
  for (let exponent = 0; exponent <= String(n).length + 2; exponent++) {
    const power = 10 ** exponent;
    for (const value of [power - 1, power, power + 1, 2 * power - 1, 9 * power, n * 10, n * 10 + 9]) values.add(value);
  }
  return [...values].filter((value) => value >= 0);
}

const THRESHOLDS = [0, 1, 5, 8, 9, 10, 11, 19, 90, 99, 100, 101, 109, 190, 199, 909, 999, 1000, 1024, 8192, 65_535];
const LIMITS = [262_144, 1_000_000, 1_048_576, 4_194_304, 6_291_456, 9_999_999, 10_000_000, 123_456_789];

describe('integerGreaterThanRegex', () => {
  it.each([...THRESHOLDS, ...LIMITS])('matches exactly the integers greater than %i near the edges', (n) => {
    const regex = new RegExp(integerGreaterThanRegex(n));
    for (const value of candidatesAround(n)) {
      expect({ value, matches: regex.test(String(value)) }).toEqual({ value, matches: value > n });
    }
  });

  it.each([...THRESHOLDS, ...LIMITS])('treats leading zeros as the same number for %i', (n) => {
    const regex = new RegExp(integerGreaterThanRegex(n));
    for (const value of candidatesAround(n)) {
      for (const zeros of ['0', '00', '0000000000']) {
        expect({ text: zeros + value, matches: regex.test(zeros + String(value)) }).toEqual({
          text: zeros + value,
          matches: value > n,
        });
      }
    }
  });

  it.each([0, 7, 4_194_304, 1_048_576, 31_337])('agrees with a numeric comparison on random numbers for %i', (n) => {
    const regex = new RegExp(integerGreaterThanRegex(n));
    const next = random(n + 1);
    for (let i = 0; i < 3000; i++) {
      const digits = 1 + Math.floor(next() * (String(n).length + 2));
      const value = Math.floor(next() * 10 ** digits);
      expect({ value, matches: regex.test(String(value)) }).toEqual({ value, matches: value > n });
    }
  });

  it('handles numbers beyond 2^53 in the header by their digits', () => {
    const regex = new RegExp(integerGreaterThanRegex(4_194_304));

    expect(regex.test('99999999999999999999999999')).toBe(true);
    expect(regex.test(`${'0'.repeat(40)}4194304`)).toBe(false);
    expect(regex.test(`${'0'.repeat(40)}4194305`)).toBe(true);
  });

  it.each([
    ['an empty value', ''],
    ['a bare zero run', '0000'],
    ['a negative number', '-99999999'],
    ['an explicit sign', '+99999999'],
    ['a leading space', ' 99999999'],
    ['a trailing space', '99999999 '],
    ['a decimal point', '99999999.0'],
    ['an exponent', '1e9'],
    ['hexadecimal', '0x99999999'],
    ['two numbers', '5,99999999'],
    ['non-ASCII digits', '９９９９９９９９'],
  ])('does not match %s', (_case, text) => {
    expect(new RegExp(integerGreaterThanRegex(1000)).test(text)).toBe(false);
  });

  it('builds the documented shape (non-capturing groups only, which AWS WAF requires)', () => {
    expect(integerGreaterThanRegex(100)).toBe('^0*(?:[1-9][0-9]{3,}|[2-9][0-9]{2}|1[1-9][0-9]|10[1-9])$');
    for (const n of [...THRESHOLDS, ...LIMITS]) {
      expect(integerGreaterThanRegex(n)).not.toMatch(/\((?!\?:)/);
    }
  });

  it('stays within the WAF regex length limit for every configurable body size', () => {
    const next = random(42);
    for (let i = 0; i < 2000; i++) {
      const n = Math.floor(next() * (MAX_BODY_BYTES_LIMIT + 1));
      expect(integerGreaterThanRegex(n).length).toBeLessThanOrEqual(WAF_REGEX_MAX_LENGTH);
    }
    expect(integerGreaterThanRegex(1_111_111).length).toBeLessThanOrEqual(WAF_REGEX_MAX_LENGTH);
  });

  it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53])('rejects %p', (n) => {
    expect(() => integerGreaterThanRegex(n)).toThrow(RangeError);
  });
});
