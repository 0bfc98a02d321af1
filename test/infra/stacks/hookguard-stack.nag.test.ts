import { Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { HookguardStack, stackNameOf } from '../../../lib/stacks/hookguard-stack';
import { EVERY_PROVIDER_STAGE, stageConfig, testApp } from '../support/infra-fixtures';

const PACKS = [
  ['AwsSolutions', () => new AwsSolutionsChecks()],
  ['Serverless', () => new ServerlessChecks()],
] as const;

/** Every acknowledgement recorded in the tree: where, which finding, and why. */
function acknowledgements(root: IConstruct): Array<{ path: string; id: string; reason: string }> {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          path: construct.node.path,
          id: id.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  );
}

function fullStack(app = testApp()): HookguardStack {
  const config = stageConfig({
    ...EVERY_PROVIDER_STAGE,
    // The scheduled canary too (off by default for a stage not named prod).
    monitoring: { canary: true },
    customDomain: {
      domainName: 'hooks.example.com',
      certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-1111-2222-3333-444455556666',
      hostedZoneId: 'Z0123456789ABCDEFGHIJ',
      hostedZoneName: 'example.com',
    },
  });
  return new HookguardStack(app, stackNameOf('full'), {
    config,
    env: { account: '123456789012', region: 'eu-west-1' },
  });
}

describe('HookguardStack under cdk-nag', () => {
  let stack: HookguardStack;

  beforeAll(() => {
    stack = fullStack();
  });

  it.each(PACKS)(
    'has no unacknowledged %s finding with every provider, route type and a custom domain',
    (_pack, pack) => {
      const report = pack().validateScope(stack);
      const findings = report.violations.map((violation) => ({
        rule: violation.ruleName,
        at: violation.violatingResources.map((resource) => resource.constructPath),
      }));
      expect(findings).toEqual([]);
      expect(report.success).toBe(true);
    },
  );

  it('acknowledges each finding with a reason of its own, one id at a time', () => {
    const found = acknowledgements(stack);
    expect(found.length).toBeGreaterThan(0);
    for (const { id, reason } of found) {
      expect(id).toMatch(/^(AwsSolutions|Serverless)-[A-Za-z0-9]+(\[[^\]]+\])?$/);
      expect(reason.length).toBeGreaterThanOrEqual(40);
    }
  });

  it('acknowledges on the resources concerned, never on the stack or a whole construct tree root', () => {
    for (const { path } of acknowledgements(stack)) {
      expect(path.split('/').length).toBeGreaterThanOrEqual(3);
    }
    expect(acknowledgements(stack).filter(({ path }) => path === stack.node.path)).toEqual([]);
  });

  it.each([
    ['AwsSolutions-IAM5[Resource::*]', /\/TracingPolicy$/],
    ['AwsSolutions-APIG4', /\/Api\/RestApi\/Default\/webhooks\/[a-z-]+\/(POST|ANY|HEAD|GET)$/],
    ['Serverless-LambdaDLQ', /\/(Authorizer|Verifier|Rotation|Monitoring\/Watch|Canary\/Function)\/Function$/],
    ['AwsSolutions-SMG4', /\/Secrets\/SigningKeys$/],
  ])('scopes %s to the constructs that need it', (id, where) => {
    const paths = acknowledgements(stack)
      .filter((acknowledgement) => acknowledgement.id === id)
      .map(({ path }) => path);
    expect(paths.length).toBeGreaterThan(0);
    for (const path of paths) expect(path).toMatch(where);
  });

  it('acknowledges APIG4 only where a method really has no authorizer', () => {
    const openPosts = acknowledgements(stack)
      .filter(({ id, path }) => id === 'AwsSolutions-APIG4' && path.endsWith('/POST'))
      .map(({ path }) => path.split('/').at(-2));
    expect(openPosts.sort()).toEqual(['amazon-ses', 'mailtrap']);
  });

  it('still reports a non-compliant resource nobody acknowledged (the check is live)', () => {
    const probe = fullStack();
    new sqs.Queue(probe, 'UnacknowledgedQueue', { encryption: sqs.QueueEncryption.UNENCRYPTED });
    const rules = new AwsSolutionsChecks().validateScope(probe).violations.map((violation) => violation.ruleName);
    expect(rules).toEqual(expect.arrayContaining(['AwsSolutions-SQS3', 'AwsSolutions-SQS4']));
  });

  it('synthesises like the app: both packs as validation plugins, CloudFormation schema checks on', () => {
    const app = testApp({ validateTemplates: true });
    fullStack(app);
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
    // Any unacknowledged finding or template schema error fails synthesis with the report.
    expect(() => app.synth()).not.toThrow();
  }, 180_000);
});
