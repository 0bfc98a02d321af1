import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { Hookguard, type HookguardProps } from '../../../lib';
import { PUBLISHED_RANGE_SOURCES } from '../../../lambda/core/ip-ranges-sources';
import { resourcesOf, testApp, testStack } from '../support/infra-fixtures';

const PUBLISHED: HookguardProps = {
  stage: 'dev',
  providers: {
    brevo: { allowedCidrs: ['published', '198.51.100.0/24'] },
    sparkpost: { allowedCidrs: ['published'] },
    postmark: { allowedCidrs: ['3.134.147.250/32'] },
    sendgrid: {},
  },
  ipRanges: { refreshHours: 3 },
} as HookguardProps;

type Json = Record<string, unknown>;

function build(props: HookguardProps = PUBLISHED) {
  const stack = testStack();
  const hooks = new Hookguard(stack, 'Webhooks', props);
  return { stack, hooks, template: Template.fromStack(stack) };
}

const ipSet = (template: Template, name: string) =>
  resourcesOf(template, 'AWS::WAFv2::IPSet').find(([, properties]) => properties.Name === name)?.[1];

describe('published IP ranges', () => {
  it('seeds both IP sets of a "published" provider with the embedded list beside the operator CIDRs', () => {
    const { template } = build();
    expect(ipSet(template, 'hookguard-dev-brevo-ipv4')?.Addresses).toEqual([
      '198.51.100.0/24',
      ...PUBLISHED_RANGE_SOURCES.brevo.known.cidrs,
    ]);
    expect(ipSet(template, 'hookguard-dev-brevo-ipv6')?.Addresses).toEqual([]);
    // SparkPost publishes through DNS only: empty sets, the path blocked until the first refresh (fail closed).
    expect(ipSet(template, 'hookguard-dev-sparkpost-ipv4')?.Addresses).toEqual([]);
    expect(ipSet(template, 'hookguard-dev-sparkpost-ipv6')?.Addresses).toEqual([]);
    expect(ipSet(template, 'hookguard-dev-postmark-ipv6')).toBeUndefined();
    const [acl] = resourcesOf(template, 'AWS::WAFv2::WebACL');
    const rule = (acl?.[1].Rules as Json[]).find((entry) => entry.Name === 'allowed-sources');
    const text = JSON.stringify(rule);
    // The provider segment, with or without a path token before it (docs/path-token.md).
    expect(text).toContain('/webhooks/(?:[^/]+/)?sparkpost/?$');
    expect(text).toContain('sparkpostIPV6');
  });

  it('deploys the refresher on its schedule, allowed to touch only those IP sets and the default bus', () => {
    const { stack, hooks, template } = build();
    const refresher = hooks.ipRangeRefresher;
    expect(refresher).toBeDefined();
    const fn = template.toJSON().Resources[stack.getLogicalId(refresher?.function.function.node.defaultChild as never)] as Json;
    const env = ((fn.Properties as Json).Environment as Json).Variables as Json;
    const targets = JSON.stringify(stack.resolve(env.IP_RANGES_TARGETS));
    expect(targets).toContain('\\"provider\\":\\"brevo\\"');
    expect(targets).toContain('\\"staticCidrs\\":[\\"198.51.100.0/24\\"]');
    expect(targets).toContain('\\"provider\\":\\"sparkpost\\"');
    expect(targets).not.toContain('postmark');
    expect(JSON.parse(env.IP_RANGES_POLICY as string)).toEqual({ minPrefixIpv4: 16, minPrefixIpv6: 32, maxChangeShare: 0.5 });

    const rules = resourcesOf(template, 'AWS::Events::Rule').filter(([, properties]) =>
      String(properties.Description).includes('published IP ranges'),
    );
    expect(rules.map(([, properties]) => properties.ScheduleExpression ?? 'after deploy')).toEqual(['after deploy', 'rate(3 hours)']);
    const afterDeploy = rules.find(([, properties]) => properties.EventPattern !== undefined)?.[1];
    expect(afterDeploy?.EventPattern).toEqual({
      source: ['aws.cloudformation'],
      'detail-type': ['CloudFormation Stack Status Change'],
      detail: { 'stack-id': [{ Ref: 'AWS::StackId' }], 'status-details': { status: ['CREATE_COMPLETE', 'UPDATE_COMPLETE'] } },
    });
    for (const [, rule] of rules) {
      expect(JSON.stringify(rule.Targets)).toContain(stack.getLogicalId(refresher?.function.function.node.defaultChild as never));
    }

    const statements = resourcesOf(template, 'AWS::IAM::Policy').flatMap(
      ([, properties]) => ((properties.PolicyDocument as Json).Statement as Json[]),
    );
    const waf = statements.filter((statement) => JSON.stringify(statement.Action).includes('wafv2:'));
    expect(waf).toHaveLength(1);
    expect(waf[0]?.Action).toEqual(['wafv2:GetIPSet', 'wafv2:UpdateIPSet']);
    const resources = JSON.stringify(waf[0]?.Resource);
    for (const name of ['brevoIPV4', 'brevoIPV6', 'sparkpostIPV4', 'sparkpostIPV6']) expect(resources).toContain(name);
    expect(resources).not.toContain('postmark');
  });

  it('alarms per provider on IpRangesRefreshFailed, holding its state between runs', () => {
    const { template } = build();
    const alarms = resourcesOf(template, 'AWS::CloudWatch::Alarm')
      .map(([, properties]) => properties)
      .filter((properties) => String(properties.AlarmName).includes('ip-ranges-refresh-failed'));
    expect(alarms.map((alarm) => alarm.AlarmName).sort()).toEqual([
      'hookguard-dev-ip-ranges-refresh-failed-brevo',
      'hookguard-dev-ip-ranges-refresh-failed-sparkpost',
    ]);
    expect(alarms[0]).toMatchObject({
      MetricName: 'IpRangesRefreshFailed',
      Namespace: 'Hookguard',
      Statistic: 'Maximum',
      Period: 3600,
      Threshold: 1,
      TreatMissingData: 'ignore',
    });
    expect(String(alarms[0]?.AlarmDescription)).toContain('#alarm-ip-ranges-refresh-failed');
  });

  it('builds no refresher without "published"', () => {
    const { hooks, template } = build({ stage: 'dev', providers: { brevo: { allowedCidrs: ['1.179.112.0/20'] } } });
    expect(hooks.ipRangeRefresher).toBeUndefined();
    expect(ipSet(template, 'hookguard-dev-brevo-ipv6')).toBeUndefined();
  });

  it('refuses "published" for a provider that publishes nothing', () => {
    expect(() => build({ stage: 'dev', providers: { sendgrid: { allowedCidrs: ['published'] } } } as HookguardProps)).toThrow(
      /providers\.sendgrid\.allowedCidrs\[0\]: "published" is only for providers that publish their webhook sources \(brevo, postmark, resend, sparkpost\); sendgrid publishes none/,
    );
  });

  it.each([
    ['AwsSolutions', () => new AwsSolutionsChecks()],
    ['Serverless', () => new ServerlessChecks()],
  ])('is %s-clean', (_pack, pack) => {
    const stack = new Stack(testApp(), 'UserStack');
    new Hookguard(stack, 'Dev', PUBLISHED);
    const report = pack().validateScope(stack);
    expect(report.violations.map((violation) => violation.ruleName)).toEqual([]);
  });
});
