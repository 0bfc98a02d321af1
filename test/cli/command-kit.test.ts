import { colourEnabled, describeAwsError, parseTimeOption, progressReporter, styleFor } from '../../src/cli/command-kit';

describe('command kit', () => {
  it.each([
    [{ isTTY: true, env: {} }, true],
    [{ isTTY: false, env: {} }, false],
    [{ env: {} }, false],
    [{ isTTY: true, env: { NO_COLOR: '1' } }, false],
    [{ isTTY: true, env: { NO_COLOR: '' } }, true],
  ])('colour for %j: %s', (io, expected) => {
    expect(colourEnabled(io)).toBe(expected);
    expect(styleFor(io).red('x')).toBe(expected ? '\x1b[31mx\x1b[39m' : 'x');
  });

  it('parses durations back from now and ISO times', () => {
    const now = new Date('2026-02-01T12:00:00Z');
    expect(parseTimeOption('90m', '--since', now)).toEqual(new Date('2026-02-01T10:30:00Z'));
    expect(parseTimeOption('7d', '--since', now)).toEqual(new Date('2026-01-25T12:00:00Z'));
    expect(parseTimeOption('2026-01-31T06:00:00Z', '--until', now)).toEqual(new Date('2026-01-31T06:00:00Z'));
    expect(() => parseTimeOption('soon', '--until', now)).toThrow(/^--until must be an ISO 8601 time/);
  });

  it('prints each progress state once', () => {
    const lines: string[] = [];
    const progress = progressReporter({ err: (line) => lines.push(line) });
    for (const line of ['a', 'a', 'b', 'b', 'a']) progress(line);
    expect(lines).toEqual(['a', 'b', 'a']);
  });

  it('says how to give credentials instead of the SDK message', () => {
    const error = Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
    expect(describeAwsError(error)).toMatch(/^No AWS credentials: pass --profile <name>, set AWS_PROFILE/);
    expect(describeAwsError(error, { region: 'eu-west-1', profile: 'ops' })).toMatch(/^No AWS credentials for profile ops/);
    expect(describeAwsError(new Error('Region is missing'))).toMatch(/^No AWS region: pass --region <region>/);
    expect(describeAwsError(new Error('AccessDenied'))).toBeUndefined();
  });
});
