import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import cdkJson from '../../../cdk.json';
import { parseConfig } from '../../../lib/config';

const ROOT = path.join(__dirname, '..', '..', '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
/** A ceiling for a whole-app synth in a child process on a busy CI machine (not an assertion on speed). */
const SYNTH_CEILING_MS = 180_000;

/** Runs bin/app.ts the way the CDK CLI does: context in CDK_CONTEXT_JSON, output in CDK_OUTDIR. */
function runApp(configFile: string, outdir: string) {
  return spawnSync(TSX, ['bin/app.ts'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: {
      ...process.env,
      HOOKGUARD_CONFIG: configFile,
      CDK_OUTDIR: outdir,
      // Bundling is covered by the WebhookFunction test; here it would only add esbuild runs.
      CDK_CONTEXT_JSON: JSON.stringify({ ...cdkJson.context, 'aws:cdk:bundling-stacks': [] }),
    },
  });
}

describe('bin/app.ts', () => {
  let workdir: string;

  beforeAll(() => {
    workdir = mkdtempSync(path.join(tmpdir(), 'hookguard-app-'));
  });

  afterAll(() => {
    rmSync(workdir, { recursive: true, force: true });
  });

  it(
    'synthesises one Hookguard-<stage> stack per stage of the config, passing both cdk-nag packs',
    () => {
      const outdir = path.join(workdir, 'out');
      const configFile = path.join(ROOT, 'hookguard.config.json');
      const stages = Object.keys(parseConfig(JSON.parse(readFileSync(configFile, 'utf8'))).stages);

      const result = runApp(configFile, outdir);

      expect({ status: result.status, stderr: result.stderr.slice(-2000) }).toEqual({
        status: 0,
        stderr: expect.anything(),
      });
      const manifest = JSON.parse(readFileSync(path.join(outdir, 'manifest.json'), 'utf8')) as {
        artifacts: Record<string, { type: string }>;
      };
      const stacks = Object.entries(manifest.artifacts)
        .filter(([, artifact]) => artifact.type === 'aws:cloudformation:stack')
        .map(([name]) => name);
      expect(stacks.sort()).toEqual(stages.map((stage) => `Hookguard-${stage}`).sort());
      for (const stack of stacks) expect(existsSync(path.join(outdir, `${stack}.template.json`))).toBe(true);
      expect(result.stderr).not.toMatch(/AwsSolutions-|Serverless-/);
    },
    SYNTH_CEILING_MS,
  );

  it(
    'refuses an invalid configuration, naming every problem, before synthesising anything',
    () => {
      const configFile = path.join(workdir, 'bad.config.json');
      writeFileSync(
        configFile,
        JSON.stringify({ stages: { dev: { providers: { fakemail: {} }, logRetentionDays: 31 } } }),
      );
      const outdir = path.join(workdir, 'bad-out');

      const result = runApp(configFile, outdir);

      expect(result.status).toBe(1);
      // Exactly the list the loader builds: no stack trace, no dump of the error object.
      expect(result.stderr.split('\n')).toEqual([
        `Invalid Hookguard configuration (${configFile}): 2 problems`,
        '  - stages.dev.providers.fakemail: unknown provider (expected one of: amazon-ses, brevo, mailersend, ' +
          'mailgun, mailjet, mailtrap, mandrill, postal, postmark, resend, sendgrid, sparkpost, standard-webhooks, ' +
          'unisender-go)',
        expect.stringMatching(/^ {2}- stages\.dev\.logRetentionDays: must be one of 1, 3, .*, got 31$/),
        '',
      ]);
      expect(existsSync(path.join(outdir, 'manifest.json'))).toBe(false);
    },
    SYNTH_CEILING_MS,
  );
});
