/**
 * What a user installs: `npm pack` the project (its `prepack` runs `npm run build`), install the tarball into a
 * fresh, minimal CDK app in a temporary folder with the peer dependencies (from the local npm cache, offline when it
 * can), compile the app's TypeScript against the package's type declarations, synthesize, and check the template.
 * The app has neither tsx nor esbuild nor Hookguard's sources: the Lambda code must come pre-bundled.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const TSC = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const STEP_TIMEOUT_MS = 240_000;

function version(name: string): string {
  return (JSON.parse(readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string })
    .version;
}

/** Runs a command; throws with its output when it fails (a failed step names itself in the test's error). */
function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  const result = spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    timeout: STEP_TIMEOUT_MS,
    env: { ...process.env, ...env },
  });
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} failed (${result.status ?? result.signal}):\n${result.stdout.slice(-3000)}\n${result.stderr.slice(-3000)}`,
    );
  }
  return result;
}

/** The consumer's CDK app: a plain stack of its own with one Hookguard in it. */
const APP_SOURCE = `import { App, CfnOutput, Stack } from 'aws-cdk-lib';
import { Hookguard, type HookguardProps } from 'hookguard';

const props: HookguardProps = {
  stage: 'shop',
  providers: { sendgrid: {}, mailgun: {}, postmark: { allowedCidrs: ['published', '3.134.147.250/32'] } },
  // The optional functions too (the scheduled canary, the published-ranges refresher), so every shipped bundle is used.
  monitoring: { canary: true },
  events: { routes: [{ name: 'bounces', eventPattern: { 'detail-type': ['email.bounced'] }, target: { type: 'sqs' } }] },
};

const app = new App();
const stack = new Stack(app, 'ConsumerStack');
const hooks = new Hookguard(stack, 'Webhooks', props);
new CfnOutput(stack, 'WebhookUrl', { value: hooks.url });
new CfnOutput(stack, 'BusName', { value: hooks.eventBus.eventBusName });
app.synth();
`;

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'node16',
    moduleResolution: 'node16',
    strict: true,
    skipLibCheck: true,
    types: [],
    outDir: 'build',
  },
  files: ['app.ts'],
};

type Template = { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };

describe('the packed package in a fresh CDK app', () => {
  let workdir: string;
  let template: Template;
  let assemblyDir: string;

  beforeAll(() => {
    workdir = mkdtempSync(path.join(tmpdir(), 'hookguard-consumer-'));
    const packed = run('npm', ['pack', '--silent', '--pack-destination', workdir], ROOT);
    const tarball = packed.stdout.trim().split('\n').at(-1) as string;
    const app = path.join(workdir, 'app');
    mkdirSync(app);
    writeFileSync(
      path.join(app, 'package.json'),
      JSON.stringify({
        name: 'consumer-app',
        private: true,
        dependencies: {
          hookguard: `file:../${tarball}`,
          'aws-cdk-lib': version('aws-cdk-lib'),
          constructs: version('constructs'),
        },
      }),
    );
    run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'], app);
    writeFileSync(path.join(app, 'app.ts'), APP_SOURCE);
    writeFileSync(path.join(app, 'tsconfig.json'), JSON.stringify(TSCONFIG));
    run(process.execPath, [TSC, '-p', 'tsconfig.json'], app);
    assemblyDir = path.join(app, 'cdk.out');
    run(process.execPath, ['build/app.js'], app, { CDK_OUTDIR: assemblyDir });
    template = JSON.parse(readFileSync(path.join(assemblyDir, 'ConsumerStack.template.json'), 'utf8')) as Template;
  }, 600_000);

  afterAll(() => {
    if (workdir) rmSync(workdir, { recursive: true, force: true });
  });

  const typesOf = () => Object.values(template.Resources).map((resource) => resource.Type);

  it('installs without tsx, esbuild or the TypeScript sources', () => {
    const installed = path.join(workdir, 'app', 'node_modules');
    expect(existsSync(path.join(installed, 'hookguard', 'dist', 'lib', 'index.js'))).toBe(true);
    expect(existsSync(path.join(installed, 'tsx'))).toBe(false);
    expect(existsSync(path.join(installed, 'esbuild'))).toBe(false);
    expect(existsSync(path.join(installed, 'hookguard', 'lambda'))).toBe(false);
    expect(existsSync(path.join(installed, 'hookguard', 'lib'))).toBe(false);
  });

  it('synthesizes the API with its Basic authorizer, the WAF association, the bus and the dedupe ledger', () => {
    expect(typesOf()).toEqual(
      expect.arrayContaining([
        'AWS::ApiGateway::RestApi',
        'AWS::ApiGateway::Authorizer',
        'AWS::WAFv2::WebACL',
        'AWS::WAFv2::WebACLAssociation',
        'AWS::Events::EventBus',
        'AWS::Events::Archive',
        'AWS::DynamoDB::Table',
        'AWS::SecretsManager::Secret',
        'AWS::SecretsManager::RotationSchedule',
      ]),
    );
    const bus = Object.values(template.Resources).find((resource) => resource.Type === 'AWS::Events::EventBus');
    expect(bus?.Properties?.Name).toBe('hookguard-shop');
    const authorizer = Object.values(template.Resources).find(
      (resource) => resource.Type === 'AWS::ApiGateway::Authorizer',
    );
    expect(authorizer?.Properties).toMatchObject({ Type: 'REQUEST', IdentitySource: 'method.request.header.Authorization' });
  });

  it('deploys the pre-bundled handlers as they are', () => {
    const functions = Object.values(template.Resources).filter((resource) => resource.Type === 'AWS::Lambda::Function');
    const bundles = readdirSync(path.join(ROOT, 'dist', 'bundles'));
    expect(bundles).toEqual(expect.arrayContaining(['authorizer', 'rotation', 'verifier']));
    // One function per handler of the project (lambda/<name>/handler.ts), each from its pre-bundled copy.
    expect(functions.map((fn) => fn.Properties?.Handler)).toEqual(bundles.map(() => 'index.handler'));
    const assets = readdirSync(assemblyDir).filter((name) => name.startsWith('asset.'));
    const shipped = bundles.map((name) => readFileSync(path.join(ROOT, 'dist', 'bundles', name, 'index.js'), 'utf8'));
    const deployed = assets
      .filter((asset) => existsSync(path.join(assemblyDir, asset, 'index.js')))
      .map((asset) => readFileSync(path.join(assemblyDir, asset, 'index.js'), 'utf8'));
    expect(deployed.sort()).toEqual(shipped.sort());
  });
});
