import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { CANARY_SIMULATORS } from '../../lambda/canary/simulators';
import { SIMULATORS } from '../../src/simulate';
import {
  SES_SIMULATOR_CERT_PEM,
  SES_SIMULATOR_CERT_URL,
  SES_SIMULATOR_PRIVATE_KEY_PEM,
} from '../../src/simulate/amazon-ses-test-keys';

const ROOT = join(__dirname, '../..');

/** Every Lambda entry: each `lambda/<function>/handler.ts`. */
const ENTRIES = readdirSync(join(ROOT, 'lambda'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(ROOT, 'lambda', entry.name, 'handler.ts')))
  .map((entry) => `lambda/${entry.name}/handler.ts`);

/** The scheduled canary: the one Lambda that posts as a provider, so it carries simulators (never their test keys). */
const CANARY_ENTRY = 'lambda/canary/handler.ts';

/** The body of a PEM (no armour, no line breaks), as a minifier would keep it inside a string literal. */
function pemBody(pem: string): string {
  return pem
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('-----'))
    .join('\n');
}

/** Bundles a Lambda entry as the stack does (esbuild, node, CommonJS, minified, AWS SDK external), in memory. */
async function bundle(entry: string): Promise<{ code: string; inputs: string[] }> {
  const result = await build({
    entryPoints: [join(ROOT, entry)],
    absWorkingDir: ROOT,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    external: ['@aws-sdk/*'],
    tsconfig: join(ROOT, 'tsconfig.json'),
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  return {
    code: result.outputFiles.map((file) => file.text).join('\n'),
    inputs: Object.keys(result.metafile.inputs),
  };
}

/** Markers of the test-only SNS key and certificate (checked by name, so that a failure does not print a whole bundle). */
const KEY_MARKERS = [
  SES_SIMULATOR_CERT_URL,
  pemBody(SES_SIMULATOR_PRIVATE_KEY_PEM).slice(0, 64),
  pemBody(SES_SIMULATOR_CERT_PEM).slice(0, 64),
  '-----BEGIN PRIVATE KEY-----\n',
];

describe('Lambda bundles hold only what runs in AWS', () => {
  it('finds the Lambda entries', () => {
    expect(ENTRIES).toEqual(expect.arrayContaining(['lambda/verifier/handler.ts', 'lambda/authorizer/handler.ts']));
  });

  it.each(ENTRIES.filter((entry) => entry !== CANARY_ENTRY))(
    '%s contains no simulator code and no test key material',
    async (entry) => {
      // Act
      const { code, inputs } = await bundle(entry);

      // Assess
      expect(inputs.filter((input) => input.startsWith('src/') || input.startsWith('test/'))).toEqual([]);
      expect(inputs.some((input) => input.startsWith('lambda/'))).toBe(true);
      // Markers of simulator code and of the test-only SNS key and certificate.
      expect(['cannot simulate event', ...KEY_MARKERS].filter((marker) => code.includes(marker))).toEqual([]);
    },
  );

  it(
    'the scheduled canary carries the simulators and the canary request it posts, but no test key material',
    async () => {
      // Act
      const { code, inputs } = await bundle(CANARY_ENTRY);

      // Assess: simulators (it posts what a provider would) but never Amazon SES's, which holds the test keys
      const fromSrc = inputs.filter((input) => input.startsWith('src/'));
      expect(fromSrc).toEqual(expect.arrayContaining(['src/smoke/canary-request.ts', 'src/simulate/mailgun.ts']));
      expect(fromSrc.filter((input) => !/^src\/(simulate|smoke)\//.test(input))).toEqual([]);
      expect(fromSrc).not.toContain('src/simulate/amazon-ses-test-keys.ts');
      expect(inputs.filter((input) => input.startsWith('test/'))).toEqual([]);
      expect(KEY_MARKERS.filter((marker) => code.includes(marker))).toEqual([]);
    },
    120_000,
  );

  it('the verifier bundle does contain the provider modules (the check looks at the right thing)', async () => {
    const { inputs } = await bundle('lambda/verifier/handler.ts');
    expect(inputs).toEqual(expect.arrayContaining(['lambda/providers/sendgrid.ts', 'lambda/providers/amazon-ses.ts']));
  });
});

describe('the scheduled canary simulators', () => {
  it('are the registry minus Amazon SES (only Amazon SNS sends those; its simulator holds the test keys)', () => {
    expect([...CANARY_SIMULATORS.keys()].sort()).toEqual([...SIMULATORS.keys()].filter((id) => id !== 'amazon-ses').sort());
    for (const [id, simulator] of CANARY_SIMULATORS) expect(simulator).toBe(SIMULATORS.get(id));
  });
});
