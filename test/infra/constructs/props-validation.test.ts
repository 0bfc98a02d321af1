import { Lazy } from 'aws-cdk-lib';
import {
  InvalidPropsError,
  PropsProblems,
  show,
  VALID_LOG_RETENTION_DAYS,
} from '../../../lib/constructs/props-validation';

describe('PropsProblems', () => {
  it('throws nothing when every check passes', () => {
    const problems = new PropsProblems('Example');
    problems.integer('count', 5, { min: 1, max: 10 });
    problems.matches('name', 'abc', /^[a-z]+$/, 'lower-case letters');
    problems.oneOf('mode', 'a', ['a', 'b']);
    expect(() => problems.throwIfAny()).not.toThrow();
  });

  it('collects every problem and throws them together, naming the construct and the offending values', () => {
    const problems = new PropsProblems('Example');
    problems.integer('count', 0, { min: 1, max: 10 });
    problems.integer('size', 2.5, { min: 1 });
    problems.matches('name', 'A B', /^[a-z]+$/, 'lower-case letters');
    problems.oneOf('mode', 'c', ['a', 'b']);
    problems.add('custom problem');

    let thrown: unknown;
    try {
      problems.throwIfAny();
    } catch (error) {
      thrown = error;
    }

    expect(thrown).toBeInstanceOf(InvalidPropsError);
    const error = thrown as InvalidPropsError;
    expect(error.name).toBe('InvalidPropsError');
    expect(error.construct).toBe('Example');
    expect(error.problems).toEqual([
      'count must be a whole number from 1 to 10, got 0',
      'size must be a whole number at least 1, got 2.5',
      'name must be lower-case letters, got "A B"',
      'mode must be one of "a", "b", got "c"',
      'custom problem',
    ]);
    expect(error.message).toMatch(/^Invalid Example props: 5 problems\n {2}- count must/);
  });

  it('leaves deploy-time tokens to CloudFormation', () => {
    const problems = new PropsProblems('Example');
    problems.matches('name', Lazy.string({ produce: () => 'x' }), /^never$/, 'never');
    problems.integer('count', Lazy.number({ produce: () => 0 }), { min: 1 });
    expect(() => problems.throwIfAny()).not.toThrow();
  });

  it('cuts long values in messages', () => {
    expect(show('x'.repeat(200))).toHaveLength(80);
    expect(show({ a: 1 })).toBe('{"a":1}');
  });

  it('knows the CloudWatch Logs retention periods, without "never expire"', () => {
    expect(VALID_LOG_RETENTION_DAYS).toEqual(expect.arrayContaining([1, 30, 365, 3653]));
    expect(VALID_LOG_RETENTION_DAYS).not.toContain(9999);
    expect(VALID_LOG_RETENTION_DAYS).not.toContain(31);
  });
});
