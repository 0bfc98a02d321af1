/** `bin/hookguard.js` as npx runs it: a real process. */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join, resolve } from 'node:path';

import { createCliKit } from './cli-test-kit';

const BIN = join(resolve(__dirname, '..', '..'), 'bin', 'hookguard.js');

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const [code] = await once(child, 'exit');
  return { code: code as number, stdout, stderr };
}

describe('bin/hookguard.js', () => {
  it('runs the TypeScript CLI: --help prints the usage and exits 0', async () => {
    const result = await run(['--help']);
    expect(result).toEqual({ code: 0, stdout: expect.stringMatching(/^Usage: npx hookguard <command>/), stderr: '' });
  });

  it('exits 1 with one line for an error', async () => {
    const result = await run(['urls', '--config', '/nonexistent.json']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^hookguard urls: Invalid configuration \/nonexistent\.json \(1 problem\): [^\n]*\n$/,
    );
  });

  it('stops quietly when stdout is closed early (urls | head -1), without an EPIPE stack trace', async () => {
    // Prepare: a workspace with a secrets file, so urls prints many lines.
    const kit = await createCliKit();
    try {
      const child = spawn(process.execPath, [BIN, 'urls', ...kit.commonArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
      // Act: the reader goes away before the CLI writes, as `head -1` does once it has its line.
      child.stdout.destroy();
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString('utf8');
      });
      const [code] = await once(child, 'exit');

      // Assess
      expect(stderr).toBe('');
      expect(code).toBe(0);
    } finally {
      await kit.cleanUp();
    }
  });
});
