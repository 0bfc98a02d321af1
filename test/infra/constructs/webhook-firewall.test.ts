import { Match, Template } from 'aws-cdk-lib/assertions';
import { GATEWAY_ERROR_BODIES } from '../../../lambda/core/http';
import { integerGreaterThanRegex } from '../../../lib/constructs/integer-greater-than-regex';
import {
  type FirewallProvider,
  providerPathRegex,
  WebhookFirewall,
  type WebhookFirewallProps,
} from '../../../lib/constructs/webhook-firewall';
import { testStack } from '../support/infra-fixtures';

const STAGE_ARN = 'arn:aws:apigateway:eu-west-1::/restapis/abc123/stages/dev';

const PROVIDERS: FirewallProvider[] = [
  { id: 'postmark', allowedCidrs: ['3.134.147.250/32', '50.31.156.6/32'], rateLimit: 200, maxBodyBytes: 1_048_576 },
  { id: 'mailjet', allowedCidrs: ['87.253.232.0/21', '2a01:db8::/32'], rateLimit: 300, maxBodyBytes: 4_194_304 },
  { id: 'mailgun', allowedCidrs: ['2001:db8::/32'], rateLimit: 400, maxBodyBytes: 1_048_576 },
  { id: 'sendgrid', allowedCidrs: [], rateLimit: 500, maxBodyBytes: 4_194_304 },
];

function firewallProps(overrides: Partial<WebhookFirewallProps> = {}): WebhookFirewallProps {
  return {
    name: 'hookguard-dev',
    resourceArn: STAGE_ARN,
    providers: PROVIDERS,
    rateLimit: 10_000,
    rateLimitWindowSeconds: 300,
    logRetentionDays: 30,
    ...overrides,
  };
}

interface Rule {
  Name: string;
  Priority: number;
  Action?: Record<string, unknown>;
  OverrideAction?: Record<string, unknown>;
  Statement: Record<string, unknown>;
  RuleLabels?: Array<{ Name: string }>;
  VisibilityConfig: { SampledRequestsEnabled: boolean };
}

describe('WebhookFirewall', () => {
  let template: Template;
  let rules: Rule[];
  const rule = (name: string): Rule => {
    const found = rules.find((candidate) => candidate.Name === name);
    if (!found) throw new Error(`no rule ${name}`);
    return found;
  };

  beforeAll(() => {
    const stack = testStack();
    new WebhookFirewall(stack, 'Firewall', firewallProps());
    template = Template.fromStack(stack);
    const acl = Object.values(template.findResources('AWS::WAFv2::WebACL'))[0] as { Properties: { Rules: Rule[] } };
    rules = acl.Properties.Rules;
  });

  it('creates a regional web ACL that allows by default and associates it with the stage', () => {
    template.hasResourceProperties('AWS::WAFv2::WebACL', {
      Name: 'hookguard-dev',
      Scope: 'REGIONAL',
      DefaultAction: { Allow: {} },
    });
    template.hasResourceProperties('AWS::WAFv2::WebACLAssociation', {
      ResourceArn: STAGE_ARN,
      WebACLArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('FirewallWebAcl'), 'Arn'] },
    });
  });

  it('gives every rule a unique priority and labels provider paths before any rule reads the labels', () => {
    const priorities = rules.map((candidate) => candidate.Priority);
    expect(new Set(priorities).size).toBe(rules.length);
    const sorted = [...rules].sort((a, b) => a.Priority - b.Priority);
    const lastLabel = Math.max(...sorted.filter((r) => r.Name.startsWith('label-')).map((r) => r.Priority));
    const firstReader = Math.min(...sorted.filter((r) => !r.Name.startsWith('label-')).map((r) => r.Priority));
    expect(lastLabel).toBeLessThan(firstReader);
  });

  it.each(PROVIDERS.map((provider) => provider.id))('labels requests to /webhooks/%s after decoding the path', (id) => {
    expect(rule(`label-${id}`)).toMatchObject({
      Action: { Count: {} },
      RuleLabels: [{ Name: `hookguard:provider:${id}` }],
      Statement: {
        RegexMatchStatement: {
          RegexString: providerPathRegex(id),
          FieldToMatch: { UriPath: {} },
          TextTransformations: [
            { Priority: 0, Type: 'URL_DECODE' },
            { Priority: 1, Type: 'NORMALIZE_PATH' },
          ],
        },
      },
    });
  });

  it.each([
    ['/dev/webhooks/sendgrid', true],
    ['/webhooks/sendgrid', true],
    ['/dev/webhooks/sendgrid/', true],
    ['/dev/webhooks/sendgrid-extra', false],
    ['/dev/webhooks/sendgridx', false],
    ['/dev/webhooks/sendgrid/extra', false],
    ['/dev/hooks/sendgrid', false],
    ['/dev/webhooks/mailgun', false],
  ])('treats path %s as the sendgrid route: %s', (path, expected) => {
    expect(new RegExp(providerPathRegex('sendgrid')).test(path)).toBe(expected);
  });

  it('keeps IPv4 and IPv6 allow-lists in separate IP sets, one per provider and version', () => {
    const sets = Object.values(template.findResources('AWS::WAFv2::IPSet')).map(
      (resource) => (resource as { Properties: Record<string, unknown> }).Properties,
    );
    expect(sets.map((set) => [set.Name, set.IPAddressVersion, set.Addresses]).sort()).toEqual(
      [
        ['hookguard-dev-mailgun-ipv6', 'IPV6', ['2001:db8::/32']],
        ['hookguard-dev-mailjet-ipv4', 'IPV4', ['87.253.232.0/21']],
        ['hookguard-dev-mailjet-ipv6', 'IPV6', ['2a01:db8::/32']],
        ['hookguard-dev-postmark-ipv4', 'IPV4', ['3.134.147.250/32', '50.31.156.6/32']],
      ].sort(),
    );
    for (const set of sets) expect(set.Scope).toBe('REGIONAL');
  });

  it('blocks requests to a provider path from outside both of its IP sets with a JSON 403', () => {
    expect(rule('allowed-sources-mailjet')).toMatchObject({
      Action: { Block: { CustomResponse: { ResponseCode: 403, CustomResponseBodyKey: 'forbidden' } } },
      Statement: {
        AndStatement: {
          Statements: [
            { LabelMatchStatement: { Scope: 'LABEL', Key: 'hookguard:provider:mailjet' } },
            {
              NotStatement: {
                Statement: {
                  OrStatement: {
                    Statements: [
                      {
                        IPSetReferenceStatement: {
                          Arn: { 'Fn::GetAtt': [expect.stringMatching(/mailjetIPV4/), 'Arn'] },
                        },
                      },
                      {
                        IPSetReferenceStatement: {
                          Arn: { 'Fn::GetAtt': [expect.stringMatching(/mailjetIPV6/), 'Arn'] },
                        },
                      },
                    ],
                  },
                },
              },
            },
          ],
        },
      },
    });
  });

  it('uses the single IP set directly when a provider lists one IP version only', () => {
    expect(rule('allowed-sources-mailgun').Statement).toMatchObject({
      AndStatement: {
        Statements: [
          { LabelMatchStatement: { Key: 'hookguard:provider:mailgun' } },
          {
            NotStatement: {
              Statement: {
                IPSetReferenceStatement: { Arn: { 'Fn::GetAtt': [expect.stringMatching(/mailgunIPV6/), 'Arn'] } },
              },
            },
          },
        ],
      },
    });
  });

  it('adds no source rule for a provider without allowed CIDRs', () => {
    expect(rules.map((candidate) => candidate.Name)).not.toContain('allowed-sources-sendgrid');
  });

  it('rate-limits every source IP over the configured window with a JSON 429', () => {
    expect(rule('rate-limit-per-ip')).toMatchObject({
      Action: { Block: { CustomResponse: { ResponseCode: 429, CustomResponseBodyKey: 'throttled' } } },
      Statement: { RateBasedStatement: { Limit: 10_000, EvaluationWindowSec: 300, AggregateKeyType: 'IP' } },
    });
  });

  it.each(PROVIDERS)('rate-limits $id per source IP on its own path only', (provider) => {
    expect(rule(`rate-limit-${provider.id}`)).toMatchObject({
      Action: { Block: { CustomResponse: { ResponseCode: 429 } } },
      Statement: {
        RateBasedStatement: {
          Limit: provider.rateLimit,
          EvaluationWindowSec: 300,
          AggregateKeyType: 'IP',
          ScopeDownStatement: { LabelMatchStatement: { Scope: 'LABEL', Key: `hookguard:provider:${provider.id}` } },
        },
      },
    });
  });

  it.each(PROVIDERS)('answers 413 when $id declares a content-length above its limit', (provider) => {
    expect(rule(`body-size-${provider.id}`)).toMatchObject({
      Action: { Block: { CustomResponse: { ResponseCode: 413, CustomResponseBodyKey: 'payloadTooLarge' } } },
      Statement: {
        AndStatement: {
          Statements: [
            { LabelMatchStatement: { Key: `hookguard:provider:${provider.id}` } },
            {
              RegexMatchStatement: {
                RegexString: integerGreaterThanRegex(provider.maxBodyBytes),
                FieldToMatch: { SingleHeader: { Name: 'content-length' } },
              },
            },
          ],
        },
      },
    });
  });

  it('never inspects the body for size (WAF sees only its first 16 KB)', () => {
    expect(JSON.stringify(rules)).not.toContain('SizeConstraintStatement');
  });

  it('runs the AWS IP reputation, known bad inputs and core rule sets, with the core body size rule only counted', () => {
    const managed = rules
      .filter((candidate) => 'ManagedRuleGroupStatement' in candidate.Statement)
      .map((candidate) => candidate.Statement.ManagedRuleGroupStatement as Record<string, unknown>);
    expect(managed.map((group) => group.Name).sort()).toEqual([
      'AWSManagedRulesAmazonIpReputationList',
      'AWSManagedRulesCommonRuleSet',
      'AWSManagedRulesKnownBadInputsRuleSet',
    ]);
    expect(rule('AWS-AWSManagedRulesCommonRuleSet')).toMatchObject({
      OverrideAction: { None: {} },
      Statement: {
        ManagedRuleGroupStatement: {
          VendorName: 'AWS',
          RuleActionOverrides: [{ Name: 'SizeRestrictions_BODY', ActionToUse: { Count: {} } }],
        },
      },
    });
  });

  it('has no Bot Control (it blocks non-browser clients, i.e. every webhook sender)', () => {
    expect(JSON.stringify(rules)).not.toMatch(/BotControl/i);
  });

  it('answers blocks with the JSON bodies the gateway responses use', () => {
    template.hasResourceProperties('AWS::WAFv2::WebACL', {
      CustomResponseBodies: {
        forbidden: { ContentType: 'APPLICATION_JSON', Content: JSON.stringify(GATEWAY_ERROR_BODIES.wafFiltered.body) },
        throttled: { ContentType: 'APPLICATION_JSON', Content: JSON.stringify(GATEWAY_ERROR_BODIES.throttled.body) },
        payloadTooLarge: {
          ContentType: 'APPLICATION_JSON',
          Content: JSON.stringify(GATEWAY_ERROR_BODIES.payloadTooLarge.body),
        },
      },
    });
  });

  it('keeps sampled requests off (they would show Authorization headers in the console)', () => {
    for (const candidate of rules) expect(candidate.VisibilityConfig.SampledRequestsEnabled).toBe(false);
  });

  it('logs to aws-waf-logs-<name> with the authorization and signature headers redacted', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: 'aws-waf-logs-hookguard-dev',
      RetentionInDays: 30,
    });
    const logging = Object.values(template.findResources('AWS::WAFv2::LoggingConfiguration'))[0] as {
      Properties: { RedactedFields: Array<{ SingleHeader: { Name: string } }>; LogDestinationConfigs: unknown[] };
      DependsOn: string[];
    };
    const redacted = logging.Properties.RedactedFields.map((field) => field.SingleHeader.Name);
    expect(redacted).toContain('authorization');
    expect(redacted).toEqual(
      expect.arrayContaining(['x-twilio-email-event-webhook-signature', 'x-mandrill-signature']),
    );
    // The bare group ARN (WAF rejects the `:*` form), built from the group's name.
    expect(logging.Properties.LogDestinationConfigs).toEqual([
      {
        'Fn::Join': [
          '',
          ['arn:aws:logs:eu-west-1:123456789012:log-group:', { Ref: expect.stringMatching(/^FirewallLogs/) }],
        ],
      },
    ]);
    expect(logging.DependsOn).toEqual([expect.stringMatching(/FirewallLogs/)]);
  });

  it.each<[string, Partial<WebhookFirewallProps>, RegExp]>([
    ['a rate limit under WAF minimum', { rateLimit: 5 }, /rateLimit must be a whole number from 10/],
    [
      'an unsupported window',
      { rateLimitWindowSeconds: 90 as 60 },
      /rateLimitWindowSeconds must be one of 60, 120, 300, 600, got 90/,
    ],
    ['an invalid retention', { logRetentionDays: 31 }, /logRetentionDays must be one of .* got 31/],
    ['a bad name', { name: 'hook guard' }, /name must be letters, digits/],
    ['no provider', { providers: [] }, /at least one provider/],
    [
      'a malformed CIDR',
      { providers: [{ id: 'postmark', allowedCidrs: ['10.0.0.1/24'], rateLimit: 100, maxBodyBytes: 100 }] },
      /allowedCidrs\[0\] "10.0.0.1\/24" has host bits set/,
    ],
    [
      'a provider twice',
      {
        providers: [
          { id: 'postmark', allowedCidrs: [], rateLimit: 100, maxBodyBytes: 100 },
          { id: 'postmark', allowedCidrs: [], rateLimit: 100, maxBodyBytes: 100 },
        ],
      },
      /"postmark" is listed twice/,
    ],
    [
      'a body limit whose regex exceeds WAF limits',
      { providers: [{ id: 'postmark', allowedCidrs: [], rateLimit: 100, maxBodyBytes: 1_111_111_111_111_111 }] },
      /maxBodyBytes 1111111111111111 needs a \d+-character regex/,
    ],
  ])('rejects %s', (_case, overrides, message) => {
    expect(() => new WebhookFirewall(testStack(), 'Firewall', firewallProps(overrides))).toThrow(message);
  });

  it('reports every problem at once', () => {
    const build = () =>
      new WebhookFirewall(testStack(), 'Firewall', firewallProps({ rateLimit: 1, logRetentionDays: 2, name: '' }));
    expect(build).toThrow(/3 problems/);
  });
});
