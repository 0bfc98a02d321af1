import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import type * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { GATEWAY_ERROR_BODIES, THROTTLED_RETRY_AFTER_SECONDS } from '../../../lambda/core/http';
import { PROVIDER_IDS, type ProviderId } from '../../../lambda/core/provider-ids';
import { integerGreaterThanRegex } from '../../../lib/constructs/integer-greater-than-regex';
import {
  type FirewallProvider,
  firewallRules,
  groupProviders,
  LOGGED_ACTIONS,
  providerPathMatch,
  providerPathRegex,
  statementCapacity,
  WAF_INCLUDED_CAPACITY,
  WAF_REGEX_MAX_LENGTH,
  webAclCapacity,
  WebhookFirewall,
  type WebhookFirewallProps,
  MANAGED_RULE_COUNTED_LABEL,
  MANAGED_RULE_DECISIONS,
  WAF_QUOTAS,
  wafQuotaProblems,
} from '../../../lib/constructs/webhook-firewall';
import { testStack } from '../support/infra-fixtures';

/** WCUs of the `managed-rules-counted` rule: one label match per counted managed rule. */
const COUNTED_LABELS = Object.values(MANAGED_RULE_DECISIONS)
  .flat()
  .filter((decision) => decision.action === 'count').length;

const STAGE_ARN = 'arn:aws:apigateway:eu-west-1::/restapis/abc123/stages/dev';
const MIB = 1_048_576;

/** Two rate limits shared by two providers each and one of its own; three body limits; three allow-lists. */
const PROVIDERS: FirewallProvider[] = [
  { id: 'postmark', allowedCidrs: ['3.134.147.250/32', '50.31.156.6/32'], rateLimit: 200, maxBodyBytes: MIB },
  { id: 'mailjet', allowedCidrs: ['87.253.232.0/21', '2a01:db8::/32'], rateLimit: 500, maxBodyBytes: 4 * MIB },
  { id: 'mailgun', allowedCidrs: ['2001:db8::/32'], rateLimit: 200, maxBodyBytes: MIB },
  { id: 'sendgrid', allowedCidrs: [], rateLimit: 500, maxBodyBytes: 4 * MIB },
  { id: 'resend', allowedCidrs: [], rateLimit: 1000, maxBodyBytes: 262_144 },
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

/** Every provider with the same settings, as the default configuration has them. */
function uniformProviders(overrides: Partial<FirewallProvider> = {}): FirewallProvider[] {
  return PROVIDER_IDS.map((id) => ({ id, allowedCidrs: [], rateLimit: 10_000, maxBodyBytes: MIB, ...overrides }));
}

interface Rule {
  Name: string;
  Priority: number;
  Action?: Record<string, unknown>;
  OverrideAction?: Record<string, unknown>;
  Statement: Record<string, unknown>;
  RuleLabels?: Array<{ Name: string }>;
  VisibilityConfig: { SampledRequestsEnabled: boolean; MetricName: string };
}

type Statement = Record<string, Record<string, unknown>>;

function rulesOf(template: Template): Rule[] {
  const acl = Object.values(template.findResources('AWS::WAFv2::WebACL'))[0] as { Properties: { Rules: Rule[] } };
  return acl.Properties.Rules;
}

function synth(props: WebhookFirewallProps): { firewall: WebhookFirewall; template: Template; rules: Rule[] } {
  const stack = testStack();
  const firewall = new WebhookFirewall(stack, 'Firewall', props);
  const template = Template.fromStack(stack);
  return { firewall, template, rules: rulesOf(template) };
}

/** An IP set's ARN in the template. */
function ipSetArn(logicalId: RegExp): unknown {
  return { 'Fn::GetAtt': [expect.stringMatching(logicalId), 'Arn'] };
}

/** The regexes of a path match (one regex, or an OR of several). */
function pathRegexes(statement: Statement): string[] {
  const regexOf = (candidate: Statement) => {
    const regex = candidate.RegexMatchStatement as { RegexString: string; FieldToMatch: Record<string, unknown> };
    expect(regex.FieldToMatch).toEqual({ UriPath: {} });
    expect(regex).toMatchObject({
      TextTransformations: [
        { Priority: 0, Type: 'URL_DECODE' },
        { Priority: 1, Type: 'NORMALIZE_PATH' },
      ],
    });
    return regex.RegexString;
  };
  if (statement.OrStatement) return (statement.OrStatement.Statements as Statement[]).map(regexOf);
  return [regexOf(statement)];
}

/** Whether a path match statement matches a (decoded, normalised) path. */
function matchesPath(statement: Statement, path: string): boolean {
  return pathRegexes(statement).some((regex) => new RegExp(regex).test(path));
}

describe('WebhookFirewall', () => {
  let firewall: WebhookFirewall;
  let template: Template;
  let rules: Rule[];
  const rule = (name: string): Rule => {
    const found = rules.find((candidate) => candidate.Name === name);
    if (!found) throw new Error(`no rule ${name}`);
    return found;
  };

  beforeAll(() => {
    ({ firewall, template, rules } = synth(firewallProps()));
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

  it('has one rule per protection and per distinct limit, in evaluation order, not one per provider', () => {
    expect([...rules].sort((a, b) => a.Priority - b.Priority).map((candidate) => candidate.Name)).toEqual([
      'allowed-sources',
      'rate-limit-per-ip',
      'rate-limit-200',
      'rate-limit-500',
      'rate-limit-1000',
      'body-size',
      'AWS-AWSManagedRulesAmazonIpReputationList',
      'AWS-AWSManagedRulesKnownBadInputsRuleSet',
      'AWS-AWSManagedRulesCommonRuleSet',
      'managed-rules-counted',
    ]);
    expect(new Set(rules.map((candidate) => candidate.Priority)).size).toBe(rules.length);
  });

  it('counts and labels only what a counted managed rule matched (the logs keep blocked and counted requests)', () => {
    const counting = rules.filter((candidate) => candidate.Action?.Count !== undefined);
    expect(counting.map((candidate) => candidate.Name)).toEqual(['managed-rules-counted']);
    const counted = Object.values(MANAGED_RULE_DECISIONS)
      .flat()
      .filter((decision) => decision.action === 'count');
    expect(rule('managed-rules-counted')).toMatchObject({
      RuleLabels: [{ Name: MANAGED_RULE_COUNTED_LABEL }],
      VisibilityConfig: { CloudWatchMetricsEnabled: true, MetricName: 'managed-rules-counted' },
      Statement: {
        OrStatement: {
          Statements: counted.map((decision) => ({ LabelMatchStatement: { Scope: 'LABEL', Key: decision.label } })),
        },
      },
    });
    for (const candidate of rules.filter((other) => other.Name !== 'managed-rules-counted')) {
      expect(candidate.RuleLabels).toBeUndefined();
    }
  });

  it('keeps seven rules for every provider with the same settings (the default configuration)', () => {
    const { rules: uniform, firewall: built } = synth(firewallProps({ providers: uniformProviders() }));
    expect(uniform.map((candidate) => candidate.Name)).toEqual([
      'rate-limit-per-ip',
      'rate-limit-10000',
      'body-size',
      'AWS-AWSManagedRulesAmazonIpReputationList',
      'AWS-AWSManagedRulesKnownBadInputsRuleSet',
      'AWS-AWSManagedRulesCommonRuleSet',
      'managed-rules-counted',
    ]);
    expect(built.capacity).toBeLessThanOrEqual(WAF_INCLUDED_CAPACITY);
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
    // With a path token (docs/path-token.md): scoped by the provider segment whatever the token segment holds.
    ['/dev/webhooks/Q7rT2vX9zB4nM6kP1sD8fG3hJ5lW0cY2eA4iU6oR/sendgrid', true],
    ['/dev/webhooks/a-wrong-guess/sendgrid/', true],
    ['/dev/webhooks/Q7rT2vX9zB4nM6kP1sD8fG3hJ5lW0cY2eA4iU6oR/mailgun', false],
    ['/dev/webhooks/x/y/sendgrid', false],
  ])('treats path %s as the sendgrid route: %s', (path, expected) => {
    expect(new RegExp(providerPathRegex('sendgrid')).test(path)).toBe(expected);
  });

  it.each([
    ['/dev/webhooks/sendgrid', true],
    ['/dev/webhooks/mailgun/', true],
    ['/webhooks/mailgun', true],
    ['/dev/webhooks/postmark', false],
    ['/dev/webhooks/mailgunx', false],
    ['/dev/webhooks/sendgrid/mailgun/x', false],
    ['/dev/webhooks/xmailgun', false],
  ])('treats path %s as one of the mailgun and sendgrid routes: %s', (path, expected) => {
    expect(providerPathRegex(['mailgun', 'sendgrid'])).toBe('/webhooks/(?:[^/]+/)?(?:mailgun|sendgrid)/?$');
    expect(new RegExp(providerPathRegex(['mailgun', 'sendgrid'])).test(path)).toBe(expected);
  });

  it('matches every provider with one regex, and splits a list too long for one regex into an OR', () => {
    expect(pathRegexes(toCfn(providerPathMatch(PROVIDER_IDS)))).toHaveLength(1);
    const many = [...PROVIDER_IDS, ...PROVIDER_IDS.map((id) => `${id}-copy` as ProviderId)];
    const regexes = pathRegexes(toCfn(providerPathMatch(many)));
    expect(regexes.length).toBeGreaterThan(1);
    for (const regex of regexes) expect(regex.length).toBeLessThanOrEqual(WAF_REGEX_MAX_LENGTH);
    for (const id of many) {
      expect(regexes.filter((regex) => new RegExp(regex).test(`/dev/webhooks/${id}`))).toHaveLength(1);
    }
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

  describe('allowed-sources', () => {
    const branches = () => {
      const statement = rule('allowed-sources').Statement as Statement;
      return (statement.OrStatement?.Statements ?? []) as Statement[];
    };
    const branchFor = (id: string) => {
      const found = branches().filter((branch) =>
        matchesPath((branch.AndStatement?.Statements as Statement[])[0] as Statement, `/dev/webhooks/${id}`),
      );
      expect(found.length).toBeLessThanOrEqual(1);
      return found[0];
    };

    it('blocks with a JSON 403, one branch per allow-listed provider', () => {
      expect(rule('allowed-sources').Action).toEqual({
        Block: { CustomResponse: { ResponseCode: 403, CustomResponseBodyKey: 'forbidden' } },
      });
      expect(branches()).toHaveLength(3);
    });

    it('blocks a request to mailjet from outside both of its IP sets', () => {
      expect(branchFor('mailjet')).toEqual({
        AndStatement: {
          Statements: [
            {
              RegexMatchStatement: expect.objectContaining({ RegexString: providerPathRegex('mailjet') }),
            },
            {
              NotStatement: {
                Statement: {
                  OrStatement: {
                    Statements: [
                      { IPSetReferenceStatement: { Arn: ipSetArn(/mailjetIPV4/) } },
                      { IPSetReferenceStatement: { Arn: ipSetArn(/mailjetIPV6/) } },
                    ],
                  },
                },
              },
            },
          ],
        },
      });
    });

    it('uses the single IP set directly when a provider lists one IP version only', () => {
      expect(branchFor('mailgun')).toMatchObject({
        AndStatement: {
          Statements: [
            { RegexMatchStatement: { RegexString: providerPathRegex('mailgun') } },
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
      expect(branchFor('postmark')).toBeDefined();
    });

    it('leaves providers without allowed CIDRs to every source', () => {
      expect(branchFor('sendgrid')).toBeUndefined();
      expect(branchFor('resend')).toBeUndefined();
    });

    it('is a plain AND for one allow-listed provider, and absent without any', () => {
      const one = synth(
        firewallProps({ providers: [PROVIDERS[0] as FirewallProvider, PROVIDERS[3] as FirewallProvider] }),
      );
      expect(Object.keys(one.rules.find((r) => r.Name === 'allowed-sources')?.Statement ?? {})).toEqual([
        'AndStatement',
      ]);
      const none = synth(firewallProps({ providers: uniformProviders() }));
      expect(none.rules.map((candidate) => candidate.Name)).not.toContain('allowed-sources');
    });
  });

  it('rate-limits every source IP over all paths with a JSON 503 and Retry-After (SNS never retries a 429)', () => {
    expect(rule('rate-limit-per-ip')).toMatchObject({
      Action: {
        Block: {
          CustomResponse: {
            ResponseCode: 503,
            CustomResponseBodyKey: 'throttled',
            ResponseHeaders: [{ Name: 'Retry-After', Value: String(THROTTLED_RETRY_AFTER_SECONDS) }],
          },
        },
      },
      Statement: { RateBasedStatement: { Limit: 10_000, EvaluationWindowSec: 300, AggregateKeyType: 'IP' } },
    });
    expect(rule('rate-limit-per-ip').Statement.RateBasedStatement).not.toHaveProperty('ScopeDownStatement');
  });

  describe('per-provider rate limits', () => {
    const providerRateRules = (candidates: Rule[]) =>
      candidates.filter((candidate) => /^rate-limit-\d+$/.test(candidate.Name));

    it.each(PROVIDERS)('limits $id per source IP at its own limit in exactly one rule', (provider) => {
      const limiting = providerRateRules(rules).filter((candidate) =>
        matchesPath(
          (candidate.Statement.RateBasedStatement as Statement).ScopeDownStatement as unknown as Statement,
          `/dev/webhooks/${provider.id}`,
        ),
      );
      expect(limiting).toHaveLength(1);
      expect(limiting[0]).toMatchObject({
        Action: {
          Block: {
            CustomResponse: {
              ResponseCode: 503,
              CustomResponseBodyKey: 'throttled',
              ResponseHeaders: [{ Name: 'Retry-After', Value: String(THROTTLED_RETRY_AFTER_SECONDS) }],
            },
          },
        },
        Statement: { RateBasedStatement: { Limit: provider.rateLimit, EvaluationWindowSec: 300 } },
      });
    });

    it('counts providers that share a limit per source IP and per provider path, in one rule', () => {
      expect(rule('rate-limit-200').Statement.RateBasedStatement).toEqual({
        Limit: 200,
        EvaluationWindowSec: 300,
        AggregateKeyType: 'CUSTOM_KEYS',
        CustomKeys: [
          { IP: {} },
          {
            UriPath: {
              TextTransformations: [
                { Priority: 0, Type: 'URL_DECODE' },
                { Priority: 1, Type: 'NORMALIZE_PATH' },
              ],
            },
          },
        ],
        ScopeDownStatement: {
          RegexMatchStatement: expect.objectContaining({ RegexString: providerPathRegex(['mailgun', 'postmark']) }),
        },
      });
    });

    it('counts a provider with a limit of its own per source IP on its path', () => {
      expect(rule('rate-limit-1000').Statement.RateBasedStatement).toEqual({
        Limit: 1000,
        EvaluationWindowSec: 300,
        AggregateKeyType: 'IP',
        ScopeDownStatement: {
          RegexMatchStatement: expect.objectContaining({ RegexString: providerPathRegex('resend') }),
        },
      });
    });

    it('makes one rule per distinct limit: two limits, two rules; one limit, one rule', () => {
      const two = synth(
        firewallProps({
          providers: [
            { id: 'sendgrid', allowedCidrs: [], rateLimit: 100, maxBodyBytes: MIB },
            { id: 'mailgun', allowedCidrs: [], rateLimit: 250, maxBodyBytes: MIB },
            { id: 'postal', allowedCidrs: [], rateLimit: 100, maxBodyBytes: MIB },
            { id: 'brevo', allowedCidrs: [], rateLimit: 250, maxBodyBytes: MIB },
          ],
        }),
      );
      expect(providerRateRules(two.rules).map((candidate) => candidate.Name)).toEqual([
        'rate-limit-100',
        'rate-limit-250',
      ]);
      const one = synth(firewallProps({ providers: uniformProviders() }));
      expect(providerRateRules(one.rules).map((candidate) => candidate.Name)).toEqual(['rate-limit-10000']);
    });
  });

  describe('body size', () => {
    const branches = () =>
      ((rule('body-size').Statement as Statement).OrStatement?.Statements ?? []) as Array<{
        AndStatement: { Statements: [Statement, { RegexMatchStatement: Record<string, unknown> }] };
      }>;

    it('answers 413 in one rule with a branch per distinct limit', () => {
      expect(rule('body-size').Action).toEqual({
        Block: { CustomResponse: { ResponseCode: 413, CustomResponseBodyKey: 'payloadTooLarge' } },
      });
      expect(branches()).toHaveLength(3);
    });

    it.each(PROVIDERS)('blocks a content-length above $maxBodyBytes on /webhooks/$id, and only there', (provider) => {
      const path = `/dev/webhooks/${provider.id}`;
      const matching = branches().filter((branch) => matchesPath(branch.AndStatement.Statements[0], path));
      expect(matching).toHaveLength(1);
      const lengthMatch = (matching[0] as (typeof matching)[number]).AndStatement.Statements[1].RegexMatchStatement;
      expect(lengthMatch).toEqual({
        RegexString: integerGreaterThanRegex(provider.maxBodyBytes),
        FieldToMatch: { SingleHeader: { Name: 'content-length' } },
        TextTransformations: [{ Priority: 0, Type: 'NONE' }],
      });
      const over = new RegExp(lengthMatch.RegexString as string);
      expect(over.test(String(provider.maxBodyBytes))).toBe(false);
      expect(over.test(String(provider.maxBodyBytes + 1))).toBe(true);
    });

    it('is a plain AND when every provider has the same limit', () => {
      const { rules: uniform } = synth(firewallProps({ providers: uniformProviders() }));
      expect(Object.keys(uniform.find((candidate) => candidate.Name === 'body-size')?.Statement ?? {})).toEqual([
        'AndStatement',
      ]);
    });
  });

  it('never inspects the body for size (WAF sees only its first 16 KB)', () => {
    expect(JSON.stringify(rules)).not.toContain('SizeConstraintStatement');
  });

  it('runs the AWS IP reputation, known bad inputs and core rule sets, counting the rules email content can match', () => {
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
          RuleActionOverrides: [
            'SizeRestrictions_BODY',
            'CrossSiteScripting_BODY',
            'GenericRFI_BODY',
            'GenericLFI_BODY',
            'EC2MetaDataSSRF_BODY',
            'NoUserAgent_HEADER',
          ].map((name) => ({ Name: name, ActionToUse: { Count: {} } })),
        },
      },
    });
    expect(rule('AWS-AWSManagedRulesKnownBadInputsRuleSet')).toMatchObject({
      Statement: {
        ManagedRuleGroupStatement: {
          RuleActionOverrides: ['JavaDeserializationRCE_BODY', 'Log4JRCE_BODY', 'ReactJSRCE_BODY'].map((name) => ({
            Name: name,
            ActionToUse: { Count: {} },
          })),
        },
      },
    });
    expect(rule('AWS-AWSManagedRulesAmazonIpReputationList').Statement.ManagedRuleGroupStatement).not.toHaveProperty(
      'RuleActionOverrides',
    );
  });

  it('gives every managed rule decision a written reason and a label of its group', () => {
    for (const [group, decisions] of Object.entries(MANAGED_RULE_DECISIONS)) {
      const namespace = group === 'AWSManagedRulesCommonRuleSet' ? 'core-rule-set' : 'known-bad-inputs';
      for (const decision of decisions) {
        expect(decision.reason.length).toBeGreaterThan(30);
        expect(decision.label.toLowerCase()).toBe(`awswaf:managed:aws:${namespace}:${decision.rule.toLowerCase()}`);
      }
    }
    // Body rules and the missing User-Agent are counted; the scanner user-agent rule keeps blocking.
    const action = (name: string) =>
      Object.values(MANAGED_RULE_DECISIONS)
        .flat()
        .find((decision) => decision.rule === name)?.action;
    expect(action('CrossSiteScripting_BODY')).toBe('count');
    expect(action('NoUserAgent_HEADER')).toBe('count');
    expect(action('UserAgent_BadBots_HEADER')).toBe('block');
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

  it('keeps sampled requests off (they would show Authorization headers in the console) and names each metric', () => {
    for (const candidate of rules) {
      expect(candidate.VisibilityConfig.SampledRequestsEnabled).toBe(false);
      expect(candidate.VisibilityConfig.MetricName).toBe(candidate.Name);
    }
  });

  describe('logging', () => {
    const logging = () =>
      Object.values(template.findResources('AWS::WAFv2::LoggingConfiguration'))[0] as {
        Properties: {
          RedactedFields: Array<{ SingleHeader: { Name: string } }>;
          LogDestinationConfigs: unknown[];
          LoggingFilter: unknown;
        };
        DependsOn: string[];
      };

    it('logs to aws-waf-logs-<name> with the authorization and signature headers redacted', () => {
      template.hasResourceProperties('AWS::Logs::LogGroup', {
        LogGroupName: 'aws-waf-logs-hookguard-dev',
        RetentionInDays: 30,
      });
      const redacted = logging().Properties.RedactedFields.map((field) => field.SingleHeader.Name);
      expect(redacted).toContain('authorization');
      expect(redacted).toEqual(
        expect.arrayContaining(['x-twilio-email-event-webhook-signature', 'x-mandrill-signature']),
      );
      // The bare group ARN (WAF rejects the `:*` form), built from the group's name.
      expect(logging().Properties.LogDestinationConfigs).toEqual([
        {
          'Fn::Join': [
            '',
            ['arn:aws:logs:eu-west-1:123456789012:log-group:', { Ref: expect.stringMatching(/^FirewallLogs/) }],
          ],
        },
      ]);
      expect(logging().DependsOn).toEqual([expect.stringMatching(/FirewallLogs/)]);
    });

    it('keeps only requests WAF blocked or counted, and drops allowed ones (the access log has them)', () => {
      expect(logging().Properties.LoggingFilter).toEqual({
        DefaultBehavior: 'DROP',
        Filters: [
          {
            Behavior: 'KEEP',
            Requirement: 'MEETS_ANY',
            Conditions: [
              { ActionCondition: { Action: 'BLOCK' } },
              { ActionCondition: { Action: 'COUNT' } },
              { ActionCondition: { Action: 'EXCLUDED_AS_COUNT' } },
            ],
          },
        ],
      });
      expect(LOGGED_ACTIONS).not.toContain('ALLOW');
    });
  });

  describe('capacity', () => {
    it('adds up the WCUs of every statement', () => {
      // Regex 3 + 2 transformations; allow-lists; rate rules (2, + 30 per custom key, + 10 per key transformation);
      // body-size branches (path 23 + length regex 3); managed groups 925.
      const allowed = 23 + 2 + (23 + 1) + (23 + 1);
      const rates = 2 + (2 + 30 + 30 + 20 + 23) * 2 + (2 + 23);
      const bodies = 3 * (23 + 3);
      expect(firewall.capacity).toBe(allowed + rates + bodies + 925 + COUNTED_LABELS);
      expect(firewall.capacity).toBe(webAclCapacity(firewallRules(firewallProps(), () => 'arn')));
    });

    it('fits the default configuration well inside the included 1,500 WCUs, without a warning', () => {
      const stack = testStack();
      const uniform = new WebhookFirewall(stack, 'Firewall', firewallProps({ providers: uniformProviders() }));
      // rate-limit-per-ip 2, one shared rate rule 105, one body-size branch 26, managed groups 925, label matches.
      expect(uniform.capacity).toBe(2 + 105 + 26 + 925 + COUNTED_LABELS);
      Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
    });

    it('warns at synth when distinct limits push the rules above the included 1,500 WCUs', () => {
      const stack = testStack();
      const distinct = PROVIDER_IDS.map((id, index) => ({
        id,
        allowedCidrs: ['192.0.2.0/24', '2001:db8::/32'],
        rateLimit: 100 + (index % 9),
        maxBodyBytes: MIB + index,
      }));
      const built = new WebhookFirewall(stack, 'Firewall', firewallProps({ providers: distinct }));
      expect(built.capacity).toBeGreaterThan(WAF_INCLUDED_CAPACITY);
      // Synthesis prints the warning on stderr too; it is the expected outcome here.
      const printed = jest.spyOn(console, 'error').mockImplementation(() => undefined);
      try {
        Annotations.fromStack(stack).hasWarning('/Test/Firewall', Match.stringLikeRegexp('above the 1500 included'));
      } finally {
        printed.mockRestore();
      }
    });

    it('refuses to guess the capacity of a statement it does not know', () => {
      expect(() => statementCapacity({ geoMatchStatement: { countryCodes: ['FR'] } })).toThrow(/geoMatchStatement/);
      const botControl = { vendorName: 'AWS', name: 'AWSManagedRulesBotControlRuleSet' };
      expect(() => statementCapacity({ managedRuleGroupStatement: botControl })).toThrow(/BotControl/);
    });
  });

  describe('AWS WAF quotas', () => {
    const ten = (limit: (index: number) => number) =>
      PROVIDER_IDS.slice(0, 10).map((id, index) => ({ id, allowedCidrs: [], rateLimit: limit(index), maxBodyBytes: MIB }));

    it('refuses ten distinct per-provider rate limits: 11 rate-based rules, above the quota of 10', () => {
      const build = () => new WebhookFirewall(testStack(), 'Firewall', firewallProps({ providers: ten((i) => 100 + i) }));
      expect(build).toThrow(/11 rate-based rules, above AWS WAF's fixed quota of 10 rate-based rules per web ACL/);
      expect(build).toThrow(/at most 9 distinct rateLimit values/);
    });

    it('accepts nine distinct per-provider limits (ten rate-based rules), and any number of providers sharing them', () => {
      const built = new WebhookFirewall(testStack(), 'Firewall', firewallProps({ providers: ten((i) => 100 + (i % 9)) }));
      const rateRules = ((built.webAcl.rules ?? []) as wafv2.CfnWebACL.RuleProperty[]).filter(
        (candidate) => (candidate.statement as Record<string, unknown>).rateBasedStatement,
      );
      expect(rateRules).toHaveLength(WAF_QUOTAS.rateBasedRules);
    });

    const base = () => ({
      rules: firewallRules(firewallProps(), () => 'arn:ipset'),
      ipSets: [],
      customResponseBodies: {},
      loggingConditions: [],
    });

    it("finds nothing wrong with the construct's own web ACL", () => {
      expect(wafQuotaProblems(base())).toEqual([]);
    });

    it('refuses more than 5,000 WCUs', () => {
      const managed = { managedRuleGroupStatement: { vendorName: 'AWS', name: 'AWSManagedRulesCommonRuleSet' } };
      const rules = Array.from({ length: 8 }, (_, index) => ({
        name: `m${index}`,
        priority: index,
        statement: managed,
        overrideAction: { none: {} },
        visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: `m${index}`, sampledRequestsEnabled: false },
      }));
      expect(wafQuotaProblems({ ...base(), rules })).toEqual([
        expect.stringMatching(/about 5600 WCUs, above AWS WAF's maximum of 5000 WCUs per web ACL/),
      ]);
    });

    it('refuses more than 50 reference statements', () => {
      const references = Array.from({ length: 51 }, (_, index) => ({ ipSetReferenceStatement: { arn: `arn:${index}` } }));
      const rules = [{ ...base().rules[0], statement: { orStatement: { statements: references } } }] as never;
      expect(wafQuotaProblems({ ...base(), rules })).toEqual([
        expect.stringMatching(/51 reference statements \(IP sets\), above AWS WAF's quota of 50 per web ACL/),
      ]);
    });

    it('refuses an IP set over 10,000 addresses, a regex over 200 characters and 11 text transformations', () => {
      const regex = {
        regexMatchStatement: {
          regexString: 'a'.repeat(201),
          fieldToMatch: { uriPath: {} },
          textTransformations: Array.from({ length: 11 }, (_, priority) => ({ priority, type: 'URL_DECODE' })),
        },
      };
      const rules = [{ ...base().rules[0], statement: regex }] as never;
      const addresses = Array.from({ length: 10_001 }, (_, index) => `10.${index >> 8}.${index & 255}.0/32`);
      expect(wafQuotaProblems({ ...base(), rules, ipSets: [{ name: 'big', addresses }] })).toEqual([
        expect.stringMatching(/201 characters is above AWS WAF's 200-character quota/),
        expect.stringMatching(/11 text transformations, above AWS WAF's 10/),
        expect.stringMatching(/IP set big has 10001 addresses, above AWS WAF's 10000 per IP set/),
      ]);
    });

    it('refuses custom response bodies over 4 KB each or 50 KB together', () => {
      const bodies = Object.fromEntries(Array.from({ length: 13 }, (_, index) => [`b${index}`, 'x'.repeat(4000)]));
      expect(wafQuotaProblems({ ...base(), customResponseBodies: { ...bodies, huge: 'x'.repeat(4097) } })).toEqual([
        expect.stringMatching(/custom response body huge has 4097 bytes, above AWS WAF's 4096/),
        expect.stringMatching(/custom response bodies total 56097 bytes, above AWS WAF's 51200/),
      ]);
    });

    it('refuses a logging filter naming an action WAF does not log or a label no rule adds', () => {
      const loggingConditions = [
        { action: 'BLOCK' },
        { label: MANAGED_RULE_COUNTED_LABEL },
        { label: 'awswaf:managed:aws:core-rule-set:CrossSiteScripting_Body' },
        { action: 'DROP' },
        { label: 'hookguard:typo' },
      ];
      expect(wafQuotaProblems({ ...base(), loggingConditions })).toEqual([
        'the logging filter names action DROP, which AWS WAF does not log',
        'the logging filter names label hookguard:typo, which no rule of the web ACL adds',
      ]);
    });

    it('creates no regex pattern set (inline regexes only: the account quota of 10 sets stays free)', () => {
      const { template: built } = synth(firewallProps());
      expect(Object.keys(built.findResources('AWS::WAFv2::RegexPatternSet'))).toHaveLength(0);
      expect(JSON.stringify(built.toJSON())).not.toContain('RegexPatternSetReferenceStatement');
    });
  });

  it('groups providers by a setting, ascending, ids sorted', () => {
    expect(groupProviders(PROVIDERS, (provider) => provider.rateLimit)).toEqual([
      { value: 200, providers: ['mailgun', 'postmark'] },
      { value: 500, providers: ['mailjet', 'sendgrid'] },
      { value: 1000, providers: ['resend'] },
    ]);
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

/** An L1 statement in CloudFormation's casing, as the template has it. */
function toCfn(statement: wafv2.CfnWebACL.StatementProperty): Statement {
  const pascal = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(pascal);
    if (value && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value).map(([key, nested]) => [`${key[0]?.toUpperCase() ?? ''}${key.slice(1)}`, pascal(nested)]),
      );
    }
    return value;
  };
  return pascal(statement) as Statement;
}
