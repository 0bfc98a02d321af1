/**
 * The AWS WAF web ACL in front of the API stage.
 *
 * Rule order (first match wins for Block; Count only labels):
 * 1. One labelling rule per provider: requests whose URI path is `/webhooks/<id>` (after URL-decoding and path
 *    normalisation, so `%2F` or `//` tricks still match) get the label `hookguard:provider:<id>`. Later rules test
 *    the label (1 WCU) instead of repeating the path match with its transformations (23 WCU), which keeps 14
 *    providers under the 1,500 WCU included in the web ACL's price.
 * 2. Per-provider source allow-list: a labelled request from outside the provider's `allowedCidrs` is blocked (403).
 * 3. Rate limits per source IP: one for every request, one per provider path; blocked with 429.
 * 4. Per-provider body size: a declared `content-length` above the provider's `maxBodyBytes` is blocked with 413.
 *    WAF sees only the first 16 KB of a body, so the header is what it can check in full; the verifier enforces the
 *    limit again on the bytes it actually receives.
 * 5. AWS managed rules: Amazon IP reputation list, known bad inputs, and the core rule set with
 *    `SizeRestrictions_BODY` counted only (it blocks bodies over 8 KB; provider batches are larger). No Bot
 *    Control: it blocks non-browser clients, which every webhook sender is.
 */
import { ArnFormat, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { GATEWAY_ERROR_BODIES } from '../../lambda/core/http';
import { isProviderId, type ProviderId } from '../../lambda/core/provider-ids';
import { cidrProblem } from '../config/load';
import { integerGreaterThanRegex } from './integer-greater-than-regex';
import { PropsProblems, show, VALID_LOG_RETENTION_DAYS } from './props-validation';

/** Namespace of the labels the path rules add; `hookguard:provider:<id>`. */
export const PROVIDER_LABEL_NAMESPACE = 'hookguard:provider:';

/** AWS WAF's limit on an inline regex. */
export const WAF_REGEX_MAX_LENGTH = 200;

/**
 * Headers WAF logs must not show: the Basic credential, and the providers' signature headers (a signature is no
 * secret, but the project logs none).
 */
export const REDACTED_HEADERS = [
  'authorization',
  'x-twilio-email-event-webhook-signature',
  'x-mandrill-signature',
  'x-postal-signature',
  'x-postal-signature-256',
  'signature',
  'mailtrap-signature',
  'svix-signature',
  'webhook-signature',
] as const;

/** Keys of the web ACL's custom response bodies. */
const BODY_KEYS = { forbidden: 'forbidden', throttled: 'throttled', payloadTooLarge: 'payloadTooLarge' } as const;

/** One provider's WAF settings. */
export interface FirewallProvider {
  readonly id: ProviderId;
  /** IPv4 and IPv6 CIDRs allowed to reach the provider's path; empty: any source. */
  readonly allowedCidrs: readonly string[];
  /** Requests per source IP per window on this provider's path (at least 10). */
  readonly rateLimit: number;
  /** Largest declared `content-length` accepted on this provider's path, bytes. */
  readonly maxBodyBytes: number;
}

/** Props of {@link WebhookFirewall}. */
export interface WebhookFirewallProps {
  /** Web ACL name, also the base of the IP set names and the log group name; e.g. `hookguard-dev`. */
  readonly name: string;
  /** ARN of the API Gateway stage to protect. */
  readonly resourceArn: string;
  /** Enabled providers. */
  readonly providers: readonly FirewallProvider[];
  /** Requests per source IP per window for the whole API (at least 10). */
  readonly rateLimit: number;
  /** Window of every rate-based rule, seconds. */
  readonly rateLimitWindowSeconds: 60 | 120 | 300 | 600;
  /** Days WAF logs are kept. */
  readonly logRetentionDays: number;
  /**
   * What happens to the log group when it leaves the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly logRemovalPolicy?: RemovalPolicy;
}

/** The path regex of one provider's route (matched against the decoded, normalised URI path). */
export function providerPathRegex(provider: ProviderId): string {
  return `/webhooks/${provider}/?$`;
}

function label(provider: ProviderId): string {
  return `${PROVIDER_LABEL_NAMESPACE}${provider}`;
}

function visibility(metricName: string): wafv2.CfnWebACL.VisibilityConfigProperty {
  // Sampled requests would show full request headers, Basic credentials included, in the console: logs (redacted)
  // are the way to look at requests.
  return { cloudWatchMetricsEnabled: true, metricName, sampledRequestsEnabled: false };
}

function labelMatch(provider: ProviderId): wafv2.CfnWebACL.StatementProperty {
  return { labelMatchStatement: { scope: 'LABEL', key: label(provider) } };
}

function block(responseCode: number, customResponseBodyKey: string): wafv2.CfnWebACL.RuleActionProperty {
  return { block: { customResponse: { responseCode, customResponseBodyKey } } };
}

/**
 * The web ACL, its IP sets, its association with the stage and its logging.
 *
 * @example
 * new WebhookFirewall(this, 'Firewall', {
 *   name: 'hookguard-dev', resourceArn: api.stage.stageArn, rateLimit: 10_000, rateLimitWindowSeconds: 300,
 *   logRetentionDays: 30,
 *   providers: [{ id: 'postmark', allowedCidrs: ['3.134.147.250/32'], rateLimit: 2000, maxBodyBytes: 1_048_576 }],
 * });
 */
export class WebhookFirewall extends Construct {
  /** The web ACL. */
  public readonly webAcl: wafv2.CfnWebACL;
  /** The association with the stage. */
  public readonly association: wafv2.CfnWebACLAssociation;
  /** Log group `aws-waf-logs-<name>`. */
  public readonly logGroup: logs.LogGroup;
  /** The IP sets per provider (only providers with CIDRs of that version have one). */
  public readonly ipSets: ReadonlyMap<ProviderId, { readonly ipv4?: wafv2.CfnIPSet; readonly ipv6?: wafv2.CfnIPSet }>;

  constructor(scope: Construct, id: string, props: WebhookFirewallProps) {
    super(scope, id);
    validate(props);
    const rules: wafv2.CfnWebACL.RuleProperty[] = [];
    const addRule = (rule: Omit<wafv2.CfnWebACL.RuleProperty, 'priority'>) => {
      rules.push({ ...rule, priority: rules.length });
    };

    for (const provider of props.providers) {
      addRule({
        name: `label-${provider.id}`,
        action: { count: {} },
        ruleLabels: [{ name: label(provider.id) }],
        statement: {
          regexMatchStatement: {
            regexString: providerPathRegex(provider.id),
            fieldToMatch: { uriPath: {} },
            textTransformations: [
              { priority: 0, type: 'URL_DECODE' },
              { priority: 1, type: 'NORMALIZE_PATH' },
            ],
          },
        },
        visibilityConfig: visibility(`label-${provider.id}`),
      });
    }

    const ipSets = new Map<ProviderId, { ipv4?: wafv2.CfnIPSet; ipv6?: wafv2.CfnIPSet }>();
    for (const provider of props.providers) {
      const ipv4 = provider.allowedCidrs.filter((cidr) => !cidr.includes(':'));
      const ipv6 = provider.allowedCidrs.filter((cidr) => cidr.includes(':'));
      if (ipv4.length + ipv6.length === 0) continue;
      const sets: { ipv4?: wafv2.CfnIPSet; ipv6?: wafv2.CfnIPSet } = {};
      if (ipv4.length > 0) sets.ipv4 = this.ipSet(props.name, provider.id, 'IPV4', ipv4);
      if (ipv6.length > 0) sets.ipv6 = this.ipSet(props.name, provider.id, 'IPV6', ipv6);
      ipSets.set(provider.id, sets);
      const inSets = [sets.ipv4, sets.ipv6]
        .filter((set): set is wafv2.CfnIPSet => set !== undefined)
        .map((set): wafv2.CfnWebACL.StatementProperty => ({ ipSetReferenceStatement: { arn: set.attrArn } }));
      const fromAllowedSource: wafv2.CfnWebACL.StatementProperty =
        inSets.length === 1
          ? (inSets[0] as wafv2.CfnWebACL.StatementProperty)
          : { orStatement: { statements: inSets } };
      addRule({
        name: `allowed-sources-${provider.id}`,
        action: block(403, BODY_KEYS.forbidden),
        statement: {
          andStatement: { statements: [labelMatch(provider.id), { notStatement: { statement: fromAllowedSource } }] },
        },
        visibilityConfig: visibility(`allowed-sources-${provider.id}`),
      });
    }
    this.ipSets = ipSets;

    addRule({
      name: 'rate-limit-per-ip',
      action: block(429, BODY_KEYS.throttled),
      statement: {
        rateBasedStatement: {
          limit: props.rateLimit,
          evaluationWindowSec: props.rateLimitWindowSeconds,
          aggregateKeyType: 'IP',
        },
      },
      visibilityConfig: visibility('rate-limit-per-ip'),
    });
    for (const provider of props.providers) {
      addRule({
        name: `rate-limit-${provider.id}`,
        action: block(429, BODY_KEYS.throttled),
        statement: {
          rateBasedStatement: {
            limit: provider.rateLimit,
            evaluationWindowSec: props.rateLimitWindowSeconds,
            aggregateKeyType: 'IP',
            scopeDownStatement: labelMatch(provider.id),
          },
        },
        visibilityConfig: visibility(`rate-limit-${provider.id}`),
      });
    }

    for (const provider of props.providers) {
      addRule({
        name: `body-size-${provider.id}`,
        action: block(413, BODY_KEYS.payloadTooLarge),
        statement: {
          andStatement: {
            statements: [
              labelMatch(provider.id),
              {
                regexMatchStatement: {
                  regexString: integerGreaterThanRegex(provider.maxBodyBytes),
                  // `singleHeader` is untyped in the L1, so it takes CloudFormation's own casing.
                  fieldToMatch: { singleHeader: { Name: 'content-length' } },
                  textTransformations: [{ priority: 0, type: 'NONE' }],
                },
              },
            ],
          },
        },
        visibilityConfig: visibility(`body-size-${provider.id}`),
      });
    }

    const managed = (name: string, ruleActionOverrides?: wafv2.CfnWebACL.RuleActionOverrideProperty[]) =>
      addRule({
        name: `AWS-${name}`,
        overrideAction: { none: {} },
        statement: { managedRuleGroupStatement: { vendorName: 'AWS', name, ruleActionOverrides } },
        visibilityConfig: visibility(`AWS-${name}`),
      });
    managed('AWSManagedRulesAmazonIpReputationList');
    managed('AWSManagedRulesKnownBadInputsRuleSet');
    managed('AWSManagedRulesCommonRuleSet', [{ name: 'SizeRestrictions_BODY', actionToUse: { count: {} } }]);

    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      name: props.name,
      description: 'Hookguard webhook API',
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      customResponseBodies: {
        [BODY_KEYS.forbidden]: jsonBody(GATEWAY_ERROR_BODIES.wafFiltered.body),
        [BODY_KEYS.throttled]: jsonBody(GATEWAY_ERROR_BODIES.throttled.body),
        [BODY_KEYS.payloadTooLarge]: jsonBody(GATEWAY_ERROR_BODIES.payloadTooLarge.body),
      },
      rules,
      visibilityConfig: visibility(props.name),
    });

    this.association = new wafv2.CfnWebACLAssociation(this, 'Association', {
      resourceArn: props.resourceArn,
      webAclArn: this.webAcl.attrArn,
    });

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      // WAF only delivers to log groups whose name starts with aws-waf-logs-.
      logGroupName: `aws-waf-logs-${props.name}`,
      retention: props.logRetentionDays as logs.RetentionDays,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
    });
    const logging = new wafv2.CfnLoggingConfiguration(this, 'Logging', {
      resourceArn: this.webAcl.attrArn,
      // WAF wants the bare group ARN, without the `:*` that logGroupArn carries.
      logDestinationConfigs: [
        Stack.of(this).formatArn({
          service: 'logs',
          resource: 'log-group',
          resourceName: this.logGroup.logGroupName,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ],
      redactedFields: REDACTED_HEADERS.map((name) => ({ singleHeader: { Name: name } })),
    });
    logging.node.addDependency(this.logGroup);
  }

  private ipSet(name: string, provider: ProviderId, version: 'IPV4' | 'IPV6', addresses: string[]): wafv2.CfnIPSet {
    return new wafv2.CfnIPSet(this, `${provider}-${version}`, {
      name: `${name}-${provider}-${version.toLowerCase()}`,
      description: `Sources allowed to post ${provider} webhooks, ${version}`,
      scope: 'REGIONAL',
      ipAddressVersion: version,
      addresses,
    });
  }
}

function jsonBody(body: unknown): wafv2.CfnWebACL.CustomResponseBodyProperty {
  return { contentType: 'APPLICATION_JSON', content: JSON.stringify(body) };
}

function validate(props: WebhookFirewallProps): void {
  const problems = new PropsProblems('WebhookFirewall');
  problems.matches('name', props.name, /^[A-Za-z0-9_-]{1,100}$/, 'letters, digits, - or _ (1 to 100)');
  problems.integer('rateLimit', props.rateLimit, { min: 10, max: 2_000_000_000 });
  problems.oneOf('rateLimitWindowSeconds', props.rateLimitWindowSeconds, [60, 120, 300, 600] as const);
  problems.oneOf('logRetentionDays', props.logRetentionDays, VALID_LOG_RETENTION_DAYS);
  if (props.providers.length === 0) problems.add('providers must list at least one provider');
  const seen = new Set<string>();
  for (const provider of props.providers) {
    const name = `providers.${provider.id}`;
    if (!isProviderId(provider.id)) problems.add(`providers: ${show(provider.id)} is not a provider id`);
    if (seen.has(provider.id)) problems.add(`providers: ${show(provider.id)} is listed twice`);
    seen.add(provider.id);
    problems.integer(`${name}.rateLimit`, provider.rateLimit, { min: 10, max: 2_000_000_000 });
    problems.integer(`${name}.maxBodyBytes`, provider.maxBodyBytes, { min: 0, max: Number.MAX_SAFE_INTEGER });
    if (Number.isSafeInteger(provider.maxBodyBytes) && provider.maxBodyBytes >= 0) {
      const regex = integerGreaterThanRegex(provider.maxBodyBytes);
      if (regex.length > WAF_REGEX_MAX_LENGTH) {
        problems.add(
          `${name}.maxBodyBytes ${provider.maxBodyBytes} needs a ${regex.length}-character regex (WAF: 200)`,
        );
      }
    }
    provider.allowedCidrs.forEach((cidr, index) => {
      const problem = cidrProblem(cidr);
      if (problem) problems.add(`${name}.allowedCidrs[${index}] ${show(cidr)} ${problem}`);
    });
    if (provider.allowedCidrs.length > 10_000) problems.add(`${name}.allowedCidrs has more than 10,000 entries`);
  }
  problems.throwIfAny();
}
