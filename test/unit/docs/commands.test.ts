/**
 * Every command the README and docs/*.md show stays true. Commands are taken from shell code blocks and from inline
 * code spans; each is checked against what it names:
 * - `npx hookguard <command> ...`: a command of the CLI's command table, with only options its `--help` documents
 *   (each `--help` is run);
 * - `npm ci|install|test|start`, `npm run <script>`: a script of package.json; options after `--` are ones the script
 *   takes (`npm start`'s usage, or the script's source file);
 * - `npx tsx <file> ...`: the file exists and handles each option shown;
 * - `npx cdk <command>`: a CDK CLI command this project uses.
 * Other tools' commands (the AWS CLI, curl, ngrok) are shown as examples of those tools and are not checked.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMMANDS, runCli } from '../../../src/cli/main';
import { START_USAGE } from '../../../src/local/start-command';

const ROOT = join(__dirname, '..', '..', '..');
const DOCS = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
];
const PACKAGE = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
const CHECKED = /^(?:npx hookguard|npm|npx tsx|npx cdk)(?:\s|$)/;

/** The commands a document shows: lines of shell code blocks, and inline code spans that start like a command. */
function commandsIn(text: string): string[] {
  const found: string[] = [];
  for (const block of text.matchAll(/^```(?:sh|bash|shell|console)?\n([\s\S]*?)^```/gm)) {
    for (const raw of (block[1] ?? '').split('\n')) {
      const line = raw.replace(/^\$\s+/, '').replace(/\s+#.*$/, '').trim();
      found.push(...line.split(/\s*&&\s*/));
    }
  }
  const outsideBlocks = text.replace(/^```[\s\S]*?^```/gm, '');
  for (const span of outsideBlocks.matchAll(/`([^`\n]+)`/g)) found.push(...(span[1] ?? '').split(/\s*&&\s*/));
  // A pipe's first command is the one shown; what follows is an ordinary tool.
  return found
    .map((command) => (command.split(/\s+\|\s+/)[0] ?? '').trim())
    .filter((command) => CHECKED.test(command));
}

const SHOWN = DOCS.flatMap((doc) =>
  [...new Set(commandsIn(readFileSync(join(ROOT, doc), 'utf8')))].map((command) => [doc, command] as const),
);

/** The long options of an argument list (`--name` or `--name=value`). */
const optionsOf = (words: readonly string[]) =>
  words.filter((word) => /^--[a-z]/.test(word)).map((word) => word.replace(/=.*$/, ''));

async function helpOf(command: string): Promise<string> {
  const lines: string[] = [];
  const record = (line: string) => lines.push(line);
  const code = await runCli([command, '--help'], { out: record, err: record, env: {} });
  expect(code).toBe(0);
  return lines.join('\n');
}

/** What a package.json script runs, for its options: the source file after `tsx`/`node`, if any. */
function scriptSource(script: string): string {
  const file = /(?:tsx|node)\s+(\S+\.[jt]s)/.exec(PACKAGE.scripts[script] ?? '')?.[1];
  return file !== undefined && existsSync(join(ROOT, file)) ? readFileSync(join(ROOT, file), 'utf8') : '';
}

/** Each option must appear in `accepted` (a usage text or a source file); the failure names command and option. */
function expectKnownOptions(command: string, options: readonly string[], accepted: string): void {
  const unknown = options.filter((option) => !accepted.includes(option));
  expect({ command, unknown }).toEqual({ command, unknown: [] });
}

const CDK_COMMANDS = new Set(['bootstrap', 'synth', 'deploy', 'destroy', 'diff', 'ls', 'list']);

describe('commands shown in the README and docs/*.md', () => {
  it('finds the commands (the README quick start at least)', () => {
    const readme = SHOWN.filter(([doc]) => doc === 'README.md').map(([, command]) => command);
    expect(readme).toEqual(expect.arrayContaining(['npm ci', 'npm start', 'npm test']));
    expect(SHOWN.length).toBeGreaterThan(20);
  });

  it.each(SHOWN)('%s: %s', async (_doc, command) => {
    const words = command.split(/\s+/);
    if (command.startsWith('npx hookguard')) {
      const name = words[2];
      // A usage line (`npx hookguard <command>`, `npx hookguard ...`) names no command.
      if (name === undefined || name === '--help' || !/^[a-z]/.test(name)) return;
      expect([...COMMANDS.keys()]).toContain(name);
      const help = await helpOf(name);
      expectKnownOptions(command, optionsOf(words.slice(3)), help);
    } else if (command.startsWith('npx tsx')) {
      const file = join(ROOT, words[2] ?? '');
      expect(existsSync(file)).toBe(true);
      expectKnownOptions(command, optionsOf(words.slice(3)), readFileSync(file, 'utf8'));
    } else if (command.startsWith('npx cdk')) {
      expect([...CDK_COMMANDS]).toContain(words[2]);
    } else {
      const [, verb, script] = words;
      if (verb === 'ci' || verb === 'install' || verb === 'pack') return; // npm's own commands
      const name = verb === 'run' ? (script as string) : (verb as string);
      expect(Object.keys(PACKAGE.scripts)).toContain(name);
      const dashes = words.indexOf('--');
      const options = dashes === -1 ? [] : optionsOf(words.slice(dashes + 1));
      const accepted = name === 'start' ? START_USAGE : scriptSource(name);
      expectKnownOptions(command, options, accepted);
    }
  });
});
