/**
 * EventBridge event patterns, evaluated locally: the local event bus routes events with the same patterns the
 * stack gives its EventBridge rules, so a route behaves the same on a laptop and in AWS.
 *
 * Supported (as EventBridge documents them): exact values (string, number, boolean, null), `prefix` and `suffix`
 * (each optionally `equals-ignore-case`), `anything-but` (values, `prefix`, `suffix`, `equals-ignore-case`,
 * `wildcard`), `numeric` ranges, `exists`, `equals-ignore-case`, `wildcard`, `cidr`, `$or` at any level, nested
 * objects, and arrays in the event (a field matches when any of its values matches).
 *
 * Semantics follow EventBridge's (Event Ruler's) leaf-value model: every matcher except `exists: false` needs the
 * field to carry at least one scalar value; an object or an empty array carries none, so it only satisfies
 * `exists: false`. Pure: no I/O.
 */
import { BlockList, isIP } from 'node:net';

/** A pattern was rejected; the message names the path and what is wrong, as EventBridge's validation would. */
export class EventPatternError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EventPatternError';
  }
}

/** A compiled pattern: true when the event (the full EventBridge envelope) matches. */
export type EventMatcher = (event: unknown) => boolean;

type Scalar = string | number | boolean | null;
type ScalarTest = (value: Scalar) => boolean;
type FieldTest = (values: readonly Scalar[]) => boolean;
type ObjectTest = (value: unknown) => boolean;

const NUMERIC_OPERATORS = new Set(['<', '<=', '>', '>=', '=']);

/**
 * Compiles an EventBridge event pattern into a matcher, validating it completely first.
 *
 * @throws {EventPatternError} naming the first invalid part of the pattern.
 * @example
 * const matches = compileEventPattern({ 'detail-type': [{ prefix: 'email.' }], detail: { eventType: ['bounced'] } });
 * matches({ 'detail-type': 'email.bounced', detail: { eventType: 'bounced' } }); // true
 */
export function compileEventPattern(pattern: unknown): EventMatcher {
  const test = compileObject(pattern, '$');
  return (event) => test(event);
}

/** True when `event` matches `pattern`; compiles the pattern each call, so prefer {@link compileEventPattern}. */
export function matchesEventPattern(pattern: unknown, event: unknown): boolean {
  return compileEventPattern(pattern)(event);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function compileObject(pattern: unknown, path: string): ObjectTest {
  if (!isRecord(pattern)) throw new EventPatternError(`${path} must be an object, got ${describe(pattern)}`);
  const tests: ObjectTest[] = [];
  for (const [key, subPattern] of Object.entries(pattern)) {
    const subPath = `${path}.${key}`;
    if (key === '$or') {
      tests.push(compileOr(subPattern, subPath));
    } else if (Array.isArray(subPattern)) {
      const fieldTest = compileLeaf(subPattern, subPath);
      tests.push((value) => fieldTest(leafValues(fieldOf(value, key))));
    } else if (isRecord(subPattern)) {
      const nested = compileObject(subPattern, subPath);
      tests.push((value) => matchesNested(nested, fieldOf(value, key)));
    } else {
      throw new EventPatternError(
        `${subPath} must be an array of match values or an object, got ${describe(subPattern)}`,
      );
    }
  }
  return (value) => tests.every((test) => test(value));
}

function compileOr(alternatives: unknown, path: string): ObjectTest {
  if (!Array.isArray(alternatives) || alternatives.length === 0) {
    throw new EventPatternError(`${path} must be a non-empty array of patterns`);
  }
  const tests = alternatives.map((alternative, index) => compileObject(alternative, `${path}[${index}]`));
  return (value) => tests.some((test) => test(value));
}

function fieldOf(value: unknown, key: string): unknown {
  return isRecord(value) && Object.hasOwn(value, key) ? value[key] : undefined;
}

/** A nested pattern applies to an object, or to any object of an array of objects (each on its own). */
function matchesNested(test: ObjectTest, value: unknown): boolean {
  if (Array.isArray(value)) {
    const objects = value.filter(isRecord);
    if (objects.length > 0) return objects.some((item) => test(item));
  }
  return test(isRecord(value) ? value : undefined);
}

/** The scalar values a field carries: none when absent, an object, or an empty array. Nested arrays flatten. */
function leafValues(value: unknown): Scalar[] {
  if (value === undefined || isRecord(value)) return [];
  if (Array.isArray(value)) return value.flatMap((item) => leafValues(item));
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || value === null) {
    return [value];
  }
  return [];
}

function compileLeaf(matchers: readonly unknown[], path: string): FieldTest {
  if (matchers.length === 0) throw new EventPatternError(`${path} must not be an empty array`);
  const valueTests: ScalarTest[] = [];
  const existence: boolean[] = [];
  matchers.forEach((matcher, index) => {
    const itemPath = `${path}[${index}]`;
    if (isRecord(matcher) && Object.keys(matcher).length === 1 && Object.hasOwn(matcher, 'exists')) {
      if (typeof matcher.exists !== 'boolean') throw new EventPatternError(`${itemPath}.exists must be true or false`);
      existence.push(matcher.exists);
    } else {
      valueTests.push(compileMatcher(matcher, itemPath));
    }
  });
  return (values) =>
    existence.some((mustExist) => mustExist === values.length > 0) ||
    values.some((value) => valueTests.some((test) => test(value)));
}

function compileMatcher(matcher: unknown, path: string): ScalarTest {
  if (isExactValue(matcher)) return exactTest(matcher, path);
  if (!isRecord(matcher))
    throw new EventPatternError(`${path} must be a value or a matcher object, got ${describe(matcher)}`);
  const keys = Object.keys(matcher);
  if (keys.length !== 1) {
    throw new EventPatternError(
      `${path} must have exactly one matcher key, got ${keys.length === 0 ? 'none' : keys.join(', ')}`,
    );
  }
  const operator = keys[0] as string;
  const operand = matcher[operator];
  const operandPath = `${path}.${operator}`;
  switch (operator) {
    case 'prefix':
      return affixTest(operand, operandPath, (value, affix) => value.startsWith(affix));
    case 'suffix':
      return affixTest(operand, operandPath, (value, affix) => value.endsWith(affix));
    case 'equals-ignore-case':
      return ignoreCaseTest(operand, operandPath);
    case 'wildcard':
      return wildcardTest(operand, operandPath);
    case 'numeric':
      return numericTest(operand, operandPath);
    case 'cidr':
      return cidrTest(operand, operandPath);
    case 'anything-but':
      return anythingButTest(operand, operandPath);
    default:
      throw new EventPatternError(`${path} uses an unknown matcher "${operator}"`);
  }
}

function isExactValue(value: unknown): value is Scalar {
  return value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

function exactTest(expected: Scalar, path: string): ScalarTest {
  if (typeof expected === 'number' && !Number.isFinite(expected)) {
    throw new EventPatternError(`${path} must be a finite number`);
  }
  return (value) => value === expected;
}

function requireString(value: unknown, path: string): string {
  if (typeof value !== 'string') throw new EventPatternError(`${path} must be a string, got ${describe(value)}`);
  return value;
}

/** `prefix` / `suffix`: a string, or `{ "equals-ignore-case": string }`. */
function affixTest(operand: unknown, path: string, test: (value: string, affix: string) => boolean): ScalarTest {
  if (isRecord(operand)) {
    const keys = Object.keys(operand);
    if (keys.length !== 1 || keys[0] !== 'equals-ignore-case') {
      throw new EventPatternError(`${path} must be a string or { "equals-ignore-case": string }`);
    }
    const affix = requireString(operand['equals-ignore-case'], `${path}.equals-ignore-case`).toLowerCase();
    return (value) => typeof value === 'string' && test(value.toLowerCase(), affix);
  }
  const affix = requireString(operand, path);
  return (value) => typeof value === 'string' && test(value, affix);
}

function stringList(operand: unknown, path: string): string[] {
  const list = Array.isArray(operand) ? operand : [operand];
  if (list.length === 0) throw new EventPatternError(`${path} must not be an empty array`);
  return list.map((item, index) => requireString(item, Array.isArray(operand) ? `${path}[${index}]` : path));
}

function ignoreCaseTest(operand: unknown, path: string): ScalarTest {
  const expected = new Set(stringList(operand, path).map((item) => item.toLowerCase()));
  return (value) => typeof value === 'string' && expected.has(value.toLowerCase());
}

/** `*` matches any run of characters; `\*` is a literal star and `\\` a literal backslash. */
function wildcardRegex(source: string, path: string): RegExp {
  let regex = '';
  for (let index = 0; index < source.length; index++) {
    const char = source[index] as string;
    if (char === '\\') {
      const next = source[index + 1];
      if (next !== '*' && next !== '\\') {
        throw new EventPatternError(`${path} has a backslash that escapes neither "*" nor "\\"`);
      }
      regex += `\\${next}`;
      index++;
    } else if (char === '*') {
      if (source[index + 1] === '*') throw new EventPatternError(`${path} must not contain consecutive wildcards`);
      regex += '[\\s\\S]*';
    } else {
      regex += char.replace(/[.+?^${}()|[\]\\/-]/g, '\\$&');
    }
  }
  return new RegExp(`^${regex}$`, 'u');
}

function wildcardTest(operand: unknown, path: string): ScalarTest {
  const regexes = stringList(operand, path).map((item) => wildcardRegex(item, path));
  return (value) => typeof value === 'string' && regexes.some((regex) => regex.test(value));
}

/** `numeric`: one comparison, or a lower bound (`>`/`>=`) followed by an upper bound (`<`/`<=`). */
function numericTest(operand: unknown, path: string): ScalarTest {
  if (!Array.isArray(operand) || (operand.length !== 2 && operand.length !== 4)) {
    throw new EventPatternError(
      `${path} must be [operator, number] or [lower operator, number, upper operator, number]`,
    );
  }
  const comparisons: Array<{ operator: string; bound: number }> = [];
  for (let index = 0; index < operand.length; index += 2) {
    const operator = operand[index];
    const bound = operand[index + 1];
    if (typeof operator !== 'string' || !NUMERIC_OPERATORS.has(operator)) {
      throw new EventPatternError(`${path}[${index}] must be one of ${[...NUMERIC_OPERATORS].join(' ')}`);
    }
    if (typeof bound !== 'number' || !Number.isFinite(bound)) {
      throw new EventPatternError(`${path}[${index + 1}] must be a finite number`);
    }
    comparisons.push({ operator, bound });
  }
  if (comparisons.length === 2) {
    const [lower, upper] = comparisons as [{ operator: string; bound: number }, { operator: string; bound: number }];
    if (!lower.operator.startsWith('>') || !upper.operator.startsWith('<')) {
      throw new EventPatternError(
        `${path} with two comparisons must be a lower bound (> or >=) then an upper bound (< or <=)`,
      );
    }
    if (lower.bound > upper.bound) throw new EventPatternError(`${path} has a lower bound above its upper bound`);
  }
  return (value) =>
    typeof value === 'number' && comparisons.every(({ operator, bound }) => compare(value, operator, bound));
}

function compare(value: number, operator: string, bound: number): boolean {
  switch (operator) {
    case '<':
      return value < bound;
    case '<=':
      return value <= bound;
    case '>':
      return value > bound;
    case '>=':
      return value >= bound;
    default:
      return value === bound;
  }
}

function cidrTest(operand: unknown, path: string): ScalarTest {
  const cidr = requireString(operand, path);
  const match = /^([^/]+)\/(\d{1,3})$/.exec(cidr);
  const address = match?.[1] ?? '';
  const family = isIP(address);
  const prefix = Number(match?.[2]);
  if (family === 0 || prefix > (family === 4 ? 32 : 128)) {
    throw new EventPatternError(`${path} must be an IPv4 or IPv6 CIDR block, such as 10.0.0.0/24`);
  }
  const type = family === 4 ? 'ipv4' : 'ipv6';
  const blocks = new BlockList();
  blocks.addSubnet(address, prefix, type);
  return (value) =>
    typeof value === 'string' && isIP(value) !== 0 && blocks.check(value, isIP(value) === 4 ? 'ipv4' : 'ipv6');
}

/**
 * `anything-but`: a value or a list of values, or one of `prefix`, `suffix`, `equals-ignore-case`, `wildcard`.
 * Like every matcher it needs the field to be present.
 */
function anythingButTest(operand: unknown, path: string): ScalarTest {
  if (isRecord(operand)) {
    const keys = Object.keys(operand);
    const operator = keys[0];
    if (keys.length !== 1 || !['prefix', 'suffix', 'equals-ignore-case', 'wildcard'].includes(operator ?? '')) {
      throw new EventPatternError(
        `${path} must be a value, a list of values, or one of prefix, suffix, equals-ignore-case, wildcard`,
      );
    }
    const inner = compileMatcher(operand, path);
    return (value) => typeof value === 'string' && !inner(value);
  }
  const excluded = Array.isArray(operand) ? operand : [operand];
  if (excluded.length === 0) throw new EventPatternError(`${path} must not be an empty array`);
  const tests = excluded.map((item, index) => {
    if (!isExactValue(item)) {
      throw new EventPatternError(
        `${path}${Array.isArray(operand) ? `[${index}]` : ''} must be a string, number, boolean or null`,
      );
    }
    return exactTest(item, path);
  });
  return (value) => !tests.some((test) => test(value));
}
