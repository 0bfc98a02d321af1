import {
  generatePassword,
  isRotationStep,
  isStrongPassword,
  MIN_PASSWORD_LENGTH,
  PASSWORD_LENGTH,
} from '../../../lambda/core/rotation';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A random source that hands out the given bytes in order, then zeros. */
function scriptedBytes(bytes: number[]) {
  let position = 0;
  return (size: number) => {
    const chunk = Buffer.alloc(size);
    for (let index = 0; index < size; index++) chunk[index] = bytes[position++] ?? 0;
    return chunk;
  };
}

describe('generatePassword', () => {
  it('makes 40 alphanumeric characters by default', () => {
    const password = generatePassword();

    expect(password).toHaveLength(PASSWORD_LENGTH);
    expect(password).toMatch(/^[A-Za-z0-9]+$/);
    expect(isStrongPassword(password)).toBe(true);
  });

  it('maps every byte value below 248 to the alphabet evenly and drops the rest (no modulo bias)', () => {
    // Prepare: every byte value once; 248 of them are usable, 4 per symbol.
    const allBytes = Array.from({ length: 256 }, (_, value) => value);

    // Act
    const password = generatePassword(248, scriptedBytes(allBytes));

    // Assess
    const counts = new Map<string, number>();
    for (const symbol of password) counts.set(symbol, (counts.get(symbol) ?? 0) + 1);
    expect(counts.size).toBe(62);
    expect([...counts.values()].every((count) => count === 4)).toBe(true);
  });

  it('skips bytes at or above 248 and keeps drawing until the length is reached', () => {
    const password = generatePassword(4, scriptedBytes([255, 248, 0, 61, 250, 62, 123]));

    expect(password).toBe(`${ALPHABET[0]}${ALPHABET[61]}${ALPHABET[0]}${ALPHABET[123 % 62]}`);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses a length of %s', (length) => {
    expect(() => generatePassword(length)).toThrow(RangeError);
  });
});

describe('isStrongPassword', () => {
  it.each([
    ['32 alphanumeric characters', 'a'.repeat(MIN_PASSWORD_LENGTH), true],
    ['40 mixed characters', `${'Ab3'.repeat(13)}x`, true],
    ['31 characters', 'a'.repeat(MIN_PASSWORD_LENGTH - 1), false],
    ['punctuation', `${'a'.repeat(MIN_PASSWORD_LENGTH)}!`, false],
    ['a space', `${'a'.repeat(MIN_PASSWORD_LENGTH)} `, false],
    ['non-ASCII letters', 'ä'.repeat(MIN_PASSWORD_LENGTH), false],
    ['empty', '', false],
  ])('says %s is %s', (_name, password, strong) => {
    expect(isStrongPassword(password)).toBe(strong);
  });
});

describe('isRotationStep', () => {
  it.each([
    ['createSecret', true],
    ['finishSecret', true],
    ['rollback', false],
    [undefined, false],
  ])('says %s is a step: %s', (value, expected) => {
    expect(isRotationStep(value)).toBe(expected);
  });
});
