/**
 * Up-front validation of construct props: every construct collects all of its problems first and throws once, so a
 * single `cdk synth` names everything to fix instead of failing on the first typo.
 */
import { Token } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';

/** A construct was given props it cannot build from; `problems` lists every one, each naming the offending value. */
export class InvalidPropsError extends Error {
  constructor(
    readonly construct: string,
    readonly problems: readonly string[],
  ) {
    super(
      `Invalid ${construct} props: ${problems.length} problem${problems.length === 1 ? '' : 's'}\n` +
        problems.map((problem) => `  - ${problem}`).join('\n'),
    );
    this.name = 'InvalidPropsError';
  }
}

/** Shows an offending value in a message: JSON, cut to 80 characters. */
export function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** True when the value is a CDK token (resolved at deploy time), which props validation must not judge. */
export function isToken(value: unknown): boolean {
  return (typeof value === 'string' || typeof value === 'number') && Token.isUnresolved(value);
}

/**
 * Collects problems while a constructor checks its props.
 *
 * @example
 * const problems = new PropsProblems('DedupeTable');
 * problems.integer('ttl', props.ttl, { min: 1 });
 * problems.throwIfAny();
 */
export class PropsProblems {
  private readonly found: string[] = [];

  constructor(private readonly construct: string) {}

  /** Records a problem. */
  add(problem: string): void {
    this.found.push(problem);
  }

  /** Checks that `value` is a whole number within `[min, max]` (tokens pass). */
  integer(name: string, value: number, range: { readonly min: number; readonly max?: number }): void {
    if (isToken(value)) return;
    const max = range.max ?? Number.MAX_SAFE_INTEGER;
    if (!Number.isInteger(value) || value < range.min || value > max) {
      const bounds = range.max === undefined ? `at least ${range.min}` : `from ${range.min} to ${range.max}`;
      this.add(`${name} must be a whole number ${bounds}, got ${show(value)}`);
    }
  }

  /** Checks that `value` matches `pattern` (tokens pass). */
  matches(name: string, value: string, pattern: RegExp, description: string): void {
    if (isToken(value)) return;
    if (!pattern.test(value)) this.add(`${name} must be ${description}, got ${show(value)}`);
  }

  /** Checks that `value` is one of `allowed`. */
  oneOf<T>(name: string, value: T, allowed: readonly T[]): void {
    if (isToken(value)) return;
    if (!allowed.includes(value)) {
      this.add(`${name} must be one of ${allowed.map((item) => show(item)).join(', ')}, got ${show(value)}`);
    }
  }

  /** Throws one {@link InvalidPropsError} naming every problem recorded so far, if any. */
  throwIfAny(): void {
    if (this.found.length > 0) throw new InvalidPropsError(this.construct, this.found);
  }
}

/** The retention periods CloudWatch Logs accepts, days (CDK's own list, without "never expire"). */
export const VALID_LOG_RETENTION_DAYS: readonly number[] = Object.values(RetentionDays).filter(
  (days): days is number => typeof days === 'number' && days !== RetentionDays.INFINITE,
);
