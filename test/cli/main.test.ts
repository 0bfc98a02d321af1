import { runCli } from '../../src/cli/main';
import { recordingIo } from './cli-test-kit';

describe('hookguard CLI', () => {
  it('prints its usage with --help and exits 0', async () => {
    // Prepare
    const io = recordingIo();

    // Act
    const code = await runCli(['--help'], io);

    // Assess
    expect(code).toBe(0);
    expect(io.lines.join('\n')).toMatch(/^Usage: npx hookguard <command>[\s\S]*send[\s\S]*urls[\s\S]*rotate/);
  });

  it('prints its usage on stderr and exits 1 without a command', async () => {
    // Prepare
    const io = recordingIo();

    // Act
    const code = await runCli([], io);

    // Assess
    expect(code).toBe(1);
    expect(io.errors.join('\n')).toMatch(/^Usage: npx hookguard/);
  });

  it('refuses an unknown command with one line', async () => {
    // Prepare
    const io = recordingIo();

    // Act
    const code = await runCli(['deploy'], io);

    // Assess
    expect(code).toBe(1);
    expect(io.errors).toEqual([
      expect.stringMatching(/^hookguard: unknown command "deploy" \(expected send, urls, tail, replay, listen, keys, rotate[a-z, -]*\)$/),
    ]);
  });

  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty'])(
    'treats %s, an Object.prototype member, as an unknown command',
    async (name) => {
      // Prepare
      const io = recordingIo();

      // Act
      const code = await runCli([name], io);

      // Assess
      expect(code).toBe(1);
      expect(io.errors).toEqual([expect.stringMatching(new RegExp(`^hookguard: unknown command "${name}" \\(expected `))]);
    },
  );

  it.each([
    ['send', /^Usage: npx hookguard send <provider> <event-type>/],
    ['urls', /^Usage: npx hookguard urls/],
    ['rotate', /^Usage: npx hookguard rotate/],
    ['tail', /^Usage: npx hookguard tail/],
    ['replay', /^Usage: npx hookguard replay/],
    ['listen', /^Usage: npx hookguard listen --forward-to <url>/],
    ['keys', /^Usage: npx hookguard keys set <provider> <key>/],
  ])('prints the usage of %s with --help', async (command, usage) => {
    // Prepare
    const io = recordingIo();

    // Act
    const code = await runCli([command, '--help'], io);

    // Assess
    expect(code).toBe(0);
    expect(io.lines.join('\n')).toMatch(usage);
  });

  it('reports an error of a command as one line with exit code 1', async () => {
    // Prepare
    const io = recordingIo();

    // Act
    const code = await runCli(['urls', '--config', '/nonexistent/hookguard.config.json'], io);

    // Assess
    expect(code).toBe(1);
    expect(io.errors).toEqual([
      'hookguard urls: Invalid configuration /nonexistent/hookguard.config.json (1 problem): (file): file not found',
    ]);
  });
});
