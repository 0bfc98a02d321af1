/**
 * Builds the regular expression the WAF body-size rule applies to the `content-length` header.
 *
 * Why a regex: AWS WAF inspects only the first 16 KB of a body, so a body size constraint cannot see a 4 MB batch;
 * the declared length is the one number WAF can check in full. WAF has no numeric comparison on header values, but
 * "the decimal integers greater than n" is a regular language.
 */

/** `[a-9]`, or just `9`. */
function digitsFrom(lowest: number): string {
  return lowest === 9 ? '9' : `[${lowest}-9]`;
}

/** `count` arbitrary decimal digits. */
function anyDigits(count: number): string {
  if (count === 0) return '';
  return count === 1 ? '[0-9]' : `[0-9]{${count}}`;
}

/**
 * A regular expression matching exactly the strings of decimal digits whose value is greater than `n`, with or
 * without leading zeros (`"0005000"` is 5000: HTTP allows them, so an attacker must not slip past with them). Nothing
 * else matches: no sign, no spaces, no empty string.
 *
 * Only constructs AWS WAF's PCRE subset accepts: anchors, classes, bounded quantifiers and non-capturing groups.
 * Shape: more digits than `n` (first one non-zero), or as many digits with a common prefix of `n`, then one digit
 * greater than `n`'s, then any digits.
 *
 * @param n a non-negative safe integer.
 * @throws RangeError when `n` is negative, fractional or unsafe.
 * @example
 * integerGreaterThanRegex(100); // '^0*(?:[1-9][0-9]{3,}|[2-9][0-9]{2}|1[1-9][0-9]|10[1-9])$'
 */
export function integerGreaterThanRegex(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new RangeError(`integerGreaterThanRegex needs a non-negative safe integer, got ${String(n)}`);
  }
  const digits = String(n);
  const length = digits.length;
  const branches = [`[1-9][0-9]{${length},}`];
  for (let position = 0; position < length; position++) {
    const digit = Number(digits[position]);
    if (digit === 9) continue;
    branches.push(`${digits.slice(0, position)}${digitsFrom(digit + 1)}${anyDigits(length - position - 1)}`);
  }
  return `^0*(?:${branches.join('|')})$`;
}
