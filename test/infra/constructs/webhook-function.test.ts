import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Duration, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import {
  newestNodeRuntime,
  BUNDLE_ALIASES,
  hookguardBundling,
  prebundledDirectory,
  WebhookFunction,
  type WebhookFunctionProps,
} from '../../../lib/constructs/webhook-function';
import { resourcesOf, testApp, testStack } from '../support/infra-fixtures';

const FIXTURE_ENTRY = path.join(__dirname, '..', 'fixtures', 'sdk-handler.ts');
const REASON = 'Only API Gateway invokes it, synchronously; failures go back to the caller.';

function functionProps(overrides: Partial<WebhookFunctionProps> = {}): WebhookFunctionProps {
  return { entry: FIXTURE_ENTRY, stageName: 'dev', logRetentionDays: 30, noDeadLetterQueueReason: REASON, ...overrides };
}

describe('newestNodeRuntime', () => {
  it('picks Node.js 24, the newest pinned runtime of this aws-cdk-lib', () => {
    expect(newestNodeRuntime()).toBe(lambda.Runtime.NODEJS_24_X);
  });

  it('never picks the moving NODEJS_LATEST alias', () => {
    expect(newestNodeRuntime().isVariable).toBe(false);
  });
});

describe('WebhookFunction', () => {
  let template: Template;
  let built: WebhookFunction;

  beforeAll(() => {
    const stack = testStack();
    built = new WebhookFunction(
      stack,
      'Fn',
      functionProps({ environment: { TABLE: 'ledger' }, timeout: Duration.seconds(25) }),
    );
    template = Template.fromStack(stack);
  });

  it('runs on the newest Node.js runtime on arm64 with explicit memory and timeout', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: 256,
      Timeout: 25,
    });
  });

  it('defaults to 10 seconds and 256 MB', () => {
    const stack = testStack();
    new WebhookFunction(stack, 'Fn', functionProps());
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', { MemorySize: 256, Timeout: 10 });
  });

  it('traces actively', () => {
    template.hasResourceProperties('AWS::Lambda::Function', { TracingConfig: { Mode: 'Active' } });
  });

  it('passes the environment through, with the metrics stage and namespace and no source maps', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: { TABLE: 'ledger', HOOKGUARD_STAGE: 'dev', POWERTOOLS_METRICS_NAMESPACE: 'Hookguard' },
      },
    });
  });

  it('writes JSON logs without the per-invocation platform lines (system level WARN), application level INFO', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      LoggingConfig: Match.objectLike({ LogFormat: 'JSON', SystemLogLevel: 'WARN', ApplicationLogLevel: 'INFO' }),
    });
  });

  it('logs to its own log group with the configured retention', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('^FnLogGroup') } },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    template.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'RetainExceptOnCreate' });
  });

  it('starts from a role without managed policies that may only write its own logs', () => {
    const [, role] = resourcesOf(template, 'AWS::IAM::Role')[0] as [string, Record<string, unknown>];
    expect(role.ManagedPolicyArns).toBeUndefined();
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyName: Match.stringLikeRegexp('^FnRoleDefaultPolicy'),
      PolicyDocument: {
        Statement: [
          {
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Effect: 'Allow',
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FnLogGroup'), 'Arn'] },
          },
        ],
      },
    });
  });

  it('keeps the X-Ray wildcard in a policy of its own, acknowledged there only', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyName: Match.stringLikeRegexp('^FnTracingPolicy'),
      PolicyDocument: {
        Statement: [{ Action: ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'], Effect: 'Allow', Resource: '*' }],
      },
    });
    const acknowledgedOn = built.node
      .findAll()
      .filter((child) =>
        child.node.metadata.some(
          (entry) =>
            entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY &&
            JSON.stringify(entry.data).includes('AwsSolutions-IAM5[Resource::*]'),
        ),
      );
    expect(acknowledgedOn).toEqual([built.tracingPolicy]);
  });

  it('depends on the tracing policy so traces work from the first invocation', () => {
    const [, fn] = Object.entries(template.findResources('AWS::Lambda::Function'))[0] as [
      string,
      { DependsOn: string[] },
    ];
    expect(fn.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^FnTracingPolicy/)]));
  });

  it('bundles with local esbuild: minified, the AWS SDK client in and tree-shaken to the commands used', () => {
    const app = testApp({ bundle: true });
    const stack = testStack(app, 'Bundled');
    new WebhookFunction(stack, 'Fn', functionProps());
    const assembly = app.synth();
    const assetDirs = readdirSync(assembly.directory).filter((name) => name.startsWith('asset.'));
    expect(assetDirs).toHaveLength(1);
    const bundle = readFileSync(path.join(assembly.directory, assetDirs[0] as string, 'index.js'), 'utf8');
    expect(bundle).toContain('bundled-marker:');
    expect(bundle).toContain('hookguard');
    expect(bundle).not.toMatch(/require\("@aws-sdk\/client-/);
    expect(bundle).toContain('"GetItem"');
    // ESM sources (mainFields module, main) let esbuild drop the commands the handler never sends.
    expect(bundle).not.toContain('TransactWriteItems');
    expect(existsSync(path.join(assembly.directory, assetDirs[0] as string, 'index.js.map'))).toBe(false);
    // The SDK's default credential chain is swapped for the Lambda environment's credentials: none of the SSO/STS
    // clients or other links a Lambda function never reaches.
    expect(bundle).toContain('No AWS credentials in the environment');
    expect(bundle).not.toContain('GetRoleCredentials');
    expect(bundle).not.toContain('AssumeRoleWithWebIdentity');
    // Minified: a few long lines (template literals keep their newlines), not the source's layout.
    expect(bundle.length / bundle.split('\n').length).toBeGreaterThan(1000);
  });

  it.each<[string, Partial<WebhookFunctionProps>, RegExp]>([
    [
      'a missing entry',
      { entry: '/nowhere/handler.ts' },
      /entry must be an existing file, got "\/nowhere\/handler.ts"/,
    ],
    ['a retention CloudWatch does not offer', { logRetentionDays: 31 }, /logRetentionDays must be one of .* got 31/],
    ['too little memory', { memorySize: 64 }, /memorySize must be a whole number from 128 to 10240, got 64/],
    ['a timeout over 15 minutes', { timeout: Duration.minutes(16) }, /timeout must be 1 to 900 seconds, got 960/],
    ['an empty DLQ reason', { noDeadLetterQueueReason: 'n/a' }, /noDeadLetterQueueReason must explain the choice/],
    ['a NODE_OPTIONS override', { environment: { NODE_OPTIONS: '--inspect' } }, /must not set NODE_OPTIONS/],
    ['a HOOKGUARD_STAGE override', { environment: { HOOKGUARD_STAGE: 'x' } }, /must not set HOOKGUARD_STAGE/],
    ['a stage name with a space', { stageName: 'my stage' }, /stageName must be 1-128 letters/],
    ['an invalid variable name', { environment: { 'BAD-NAME': 'x' } }, /environment name "BAD-NAME" is not a valid/],
    [
      'an environment over 4 KB',
      { environment: { HOOKGUARD_SETTINGS: 'x'.repeat(4100) } },
      /environment is \d+ bytes, above Lambda's 4096-byte limit/,
    ],
  ])('rejects %s', (_case, overrides, message) => {
    expect(() => new WebhookFunction(testStack(), 'Fn', functionProps(overrides))).toThrow(message);
  });

  describe('pre-bundled code (the published package)', () => {
    let root: string;

    beforeAll(() => {
      // The package layout: <root>/bundles/<name>/index.js, and no <root>/lambda/<name>/handler.ts.
      root = mkdtempSync(path.join(tmpdir(), 'hookguard-prebundled-'));
      mkdirSync(path.join(root, 'bundles', 'probe'), { recursive: true });
      writeFileSync(path.join(root, 'bundles', 'probe', 'index.js'), 'exports.handler=async()=>"prebundled-marker";');
    });

    afterAll(() => {
      rmSync(root, { recursive: true, force: true });
    });

    it('finds the bundle of an entry, and nothing where the package ships none', () => {
      expect(prebundledDirectory(path.join(root, 'lambda', 'probe', 'handler.ts'))).toBe(
        path.join(root, 'bundles', 'probe'),
      );
      expect(prebundledDirectory(path.join(root, 'lambda', 'other', 'handler.ts'))).toBeUndefined();
      expect(prebundledDirectory(FIXTURE_ENTRY)).toBeUndefined();
    });

    it('deploys the bundle as it is, with every other setting unchanged', () => {
      const app = testApp({ bundle: true });
      const stack = testStack(app, 'Prebundled');
      new WebhookFunction(stack, 'Fn', functionProps({ entry: path.join(root, 'lambda', 'probe', 'handler.ts') }));
      const template = Template.fromStack(stack);
      template.hasResourceProperties('AWS::Lambda::Function', {
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        TracingConfig: { Mode: 'Active' },
        Environment: { Variables: Match.objectLike({ HOOKGUARD_STAGE: Match.anyValue() }) },
        LoggingConfig: Match.objectLike({ LogFormat: 'JSON' }),
      });
      const assembly = app.synth();
      const assetDirs = readdirSync(assembly.directory).filter((name) => name.startsWith('asset.'));
      expect(assetDirs).toHaveLength(1);
      expect(readFileSync(path.join(assembly.directory, assetDirs[0] as string, 'index.js'), 'utf8')).toContain(
        'prebundled-marker',
      );
    });

    it('aliases the credential chain to a module of this package that exists', () => {
      expect(hookguardBundling().esbuildArgs).toEqual({
        '--alias': [`@aws-sdk/credential-provider-node=${BUNDLE_ALIASES['@aws-sdk/credential-provider-node']}`],
      });
      expect(existsSync(BUNDLE_ALIASES['@aws-sdk/credential-provider-node'] as string)).toBe(true);
    });

    it('shares one bundling configuration with the build step (scripts/bundle-lambdas.ts)', () => {
      const script = readFileSync(path.join(__dirname, '..', '..', '..', 'scripts', 'bundle-lambdas.ts'), 'utf8');
      expect(script).toContain('bundling: hookguardBundling(');
    });
  });
});
