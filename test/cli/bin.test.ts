/** `bin/hookguard.js` as npx runs it: a real process. */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join, resolve } from 'node:path';

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
});
