/** docs/cli.md stays true: every command line it shows names a real command and only options that command takes. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMMANDS, runCli } from '../../src/cli/main';
import { recordingIo } from './cli-test-kit';

const DOC = readFileSync(join(__dirname, '..', '..', 'docs', 'cli.md'), 'utf8');
const EXAMPLES = [...DOC.matchAll(/```sh\n([\s\S]*?)```/g)]
  .flatMap((block) => (block[1] ?? '').split('\n'))
  .map((line) => line.replace(/\s+#.*$/, '').trim())
  .filter((line) => line.startsWith('npx hookguard '));

describe('docs/cli.md', () => {
  it('shows examples of every command', () => {
    const shown = new Set(EXAMPLES.map((line) => line.split(/\s+/)[2]));
    expect([...COMMANDS.keys()].filter((name) => !shown.has(name))).toEqual([]);
  });

  it.each(EXAMPLES)('%s: a real command with options its --help documents', async (line) => {
    const [, , command, ...rest] = line.split(/\s+/);
    expect(COMMANDS.has(command as string)).toBe(true);
    const io = recordingIo();
    expect(await runCli([command as string, '--help'], io)).toBe(0);
    const help = io.lines.join('\n');
    for (const option of rest.filter((word) => /^--[a-z]/.test(word))) expect(help).toContain(option);
  });

  it('has a section for every command', () => {
    for (const name of COMMANDS.keys()) expect(DOC).toContain(`\n## ${name}\n`);
  });
});
