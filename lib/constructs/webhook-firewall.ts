/**
 * The AWS WAF web ACL in front of the API stage.
 *
 * Every rule is billed a month ($1), so providers that share a setting share a rule, and the provider path match is
 * folded into the statements that need it instead of one labelling rule per provider. Rule order (first Block wins):
 * 1. `allowed-sources` (when any provider has `allowedCidrs`): a request to a provider's path from outside that
 *    provider's IP sets is blocked (403). One rule: an OR, over those providers, of "this provider's path and not
 *    one of its sources".
 * 2. `rate-limit-per-ip`: every request counts against its source IP, all paths together (503 + `Retry-After`).
 * 3. `rate-limit-<limit>`, one per distinct per-provider limit: each source IP is limited per provider path (503 +
 *    `Retry-After`). Rate limits answer 503, not 429: Amazon SNS never retries a 4xx, so a 429 loses the message;
 *    every provider retries a 503 (README, "Provider retries").
 *    A limit used by one provider aggregates on the source IP with the provider's path as scope-down; a limit
 *    shared by several providers aggregates on the source IP plus the (decoded, normalised) URI path, scoped down to
 *    those providers' paths, so each provider path still has its own counter per source IP. (Two spellings of a path
 *    that still differ after normalisation, such as a trailing slash, count apart; `rate-limit-per-ip` bounds them
 *    together.)
 * 4. `body-size`: a declared `content-length` above the provider's `maxBodyBytes` is blocked with 413; one rule, an
 *    OR over the distinct limits of "one of these providers' paths and a length above this limit". WAF sees only the
 *    first 16 KB of a body, so the header is what it can check in full; the verifier enforces the limit again on the
 *    bytes it actually receives.
 * 5. AWS managed rules: Amazon IP reputation list, known bad inputs and the core rule set, with the rules a
 *    legitimate email event can match set to Count ({@link MANAGED_RULE_DECISIONS}, each with its reason). No Bot
 *    Control: it blocks non-browser clients, which every webhook sender is.
 * 6. `managed-rules-counted` (Count): matches the labels of the counted managed rules, so that their matches have a
 *    metric of their own and the label `hookguard:managed-rule-counted` in the WAF log.
 *
 * Quotas ({@link wafQuotaProblems}): the construct refuses, with an error naming the quota, a configuration past any
 * fixed AWS WAF quota it can reach (10 rate-based rules, 5,000 WCUs, 50 reference statements, 10,000 addresses per
 * IP set, 200 characters per regex, 10 text transformations per statement, 4 KB per custom response body, 50 KB of
 * them in all), and it creates no regex pattern set (inline regexes only: the account's 10 regex sets stay free).
 * Source: AWS WAF Developer Guide, "AWS WAF quotas" (docs.aws.amazon.com/waf/latest/developerguide/limits.html).
 *
 * A provider path is matched after URL-decoding and path normalisation (so `%2F` or `//` tricks still match), with
 * one regex per group of providers: `/webhooks/(?:[^/]+/)?(?:a|b)/?$` (the optional segment: a path token). Nothing counts every request, so the logs can keep just
 * the requests WAF blocked or counted (API Gateway's access log already records every request).
 *
 * Capacity ({@link webAclCapacity}): the default configuration (14 providers, one rate limit, two body limits, no
 * allow-list) needs 1,084 WCUs of the 1,500 included in the web ACL's price. Each allow-listed provider and each
 * distinct body limit adds about 25 WCUs, each distinct rate limit 25 (one provider) or 105 (shared: the path key);
 * every provider allow-listed with limits of its own would need about 2,000. Above 1,500 the construct warns at
 * synth (AWS WAF charges a surcharge for the capacity above it).
 */
import { Annotations, ArnFormat, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { GATEWAY_ERROR_BODIES, THROTTLED_RETRY_AFTER_SECONDS } from '../../lambda/core/http';
import { isProviderId, type ProviderId } from '../../lambda/core/provider-ids';
import { WEBHOOKS_PREFIX } from '../../lambda/core/webhook-path';
import { cidrProblem } from '../config/load';
import { integerGreaterThanRegex } from './integer-greater-than-regex';
import { PropsProblems, show, VALID_LOG_RETENTION_DAYS } from './props-validation';

/** AWS WAF's limit on an inline regex. */
export const WAF_REGEX_MAX_LENGTH = 200;

/**
 * The fixed AWS WAF quotas the web ACL can reach (AWS WAF Developer Guide, "AWS WAF quotas"; none can be raised).
 */
export const WAF_QUOTAS = {
  /** Rate-based rules per web ACL. */
  rateBasedRules: 10,
  /** Web ACL capacity units per web ACL. */
  capacity: 5000,
  /** Reference statements (IP set, regex pattern set, rule group) per web ACL. */
  referenceStatements: 50,
  /** Addresses in CIDR notation per IP set. */
  ipSetAddresses: 10_000,
  /** Characters per regex. */
  regexLength: WAF_REGEX_MAX_LENGTH,
  /** Text transformations per rule statement. */
  textTransformations: 10,
  /** Bytes of one custom response body. */
  customResponseBodyBytes: 4096,
  /** Bytes of every custom response body of the web ACL together. */
  customResponseBodiesBytes: 50 * 1024,
} as const;

/** One AWS managed rule's action on the webhook paths, and why. */
export interface ManagedRuleDecision {
  readonly rule: string;
  /** The label the rule adds to a request it matches (`awswaf:managed:aws:<group>:<Rule_Name>`). */
  readonly label: string;
  readonly action: 'count' | 'block';
  readonly reason: string;
}

const CORE = 'awswaf:managed:aws:core-rule-set';
const BAD_INPUTS = 'awswaf:managed:aws:known-bad-inputs';
const EMAIL_CONTENT =
  'Webhook bodies carry email content (HTML snippets, click URLs, bounce texts, subjects) that Hookguard authenticates itself and never renders, includes or fetches; a 403 is never retried by Amazon SNS and several providers, so the event would be lost.';

/**
 * The managed rules whose action Hookguard sets, per rule group (rules not listed keep the group's Block). Count
 * wherever a legitimate event can match; Block where the matched part of the request is one a provider never sends.
 */
export const MANAGED_RULE_DECISIONS: Readonly<Record<string, readonly ManagedRuleDecision[]>> = {
  AWSManagedRulesCommonRuleSet: [
    {
      rule: 'SizeRestrictions_BODY',
      label: `${CORE}:SizeRestrictions_Body`,
      action: 'count',
      reason: 'Blocks bodies over 8 KB; provider batches are larger. The body-size rule enforces each provider limit.',
    },
    { rule: 'CrossSiteScripting_BODY', label: `${CORE}:CrossSiteScripting_Body`, action: 'count', reason: EMAIL_CONTENT },
    { rule: 'GenericRFI_BODY', label: `${CORE}:GenericRFI_Body`, action: 'count', reason: EMAIL_CONTENT },
    { rule: 'GenericLFI_BODY', label: `${CORE}:GenericLFI_Body`, action: 'count', reason: EMAIL_CONTENT },
    { rule: 'EC2MetaDataSSRF_BODY', label: `${CORE}:EC2MetaDataSSRF_Body`, action: 'count', reason: EMAIL_CONTENT },
    {
      rule: 'NoUserAgent_HEADER',
      label: `${CORE}:NoUserAgent_Header`,
      action: 'count',
      reason:
        'Providers are not required to send a User-Agent and some do not document one; the request is authenticated by credential and signature, not by its client name.',
    },
    {
      rule: 'UserAgent_BadBots_HEADER',
      label: `${CORE}:UserAgent_BadBots_Header`,
      action: 'block',
      reason: 'Matches scanner user agents (nmap, nessus...); no provider sends one.',
    },
  ],
  AWSManagedRulesKnownBadInputsRuleSet: [
    {
      rule: 'JavaDeserializationRCE_BODY',
      label: `${BAD_INPUTS}:JavaDeserializationRCE_Body`,
      action: 'count',
      reason: `${EMAIL_CONTENT} Hookguard runs no Java and deserialises nothing but JSON and forms.`,
    },
    {
      rule: 'Log4JRCE_BODY',
      label: `${BAD_INPUTS}:Log4JRCE_Body`,
      action: 'count',
      reason: `${EMAIL_CONTENT} A bounced probe mail's subject is a legitimate event; Hookguard runs no Log4j.`,
    },
    {
      rule: 'ReactJSRCE_BODY',
      label: `${BAD_INPUTS}:ReactJSRCE_Body`,
      action: 'count',
      reason: `${EMAIL_CONTENT} Hookguard renders no React server components.`,
    },
  ],
};

/** Label the `managed-rules-counted` rule adds to a request a counted managed rule matched. */
export const MANAGED_RULE_COUNTED_LABEL = 'hookguard:managed-rule-counted';

/** Web ACL capacity units included in the web ACL's price; AWS WAF charges a surcharge above it. */
export const WAF_INCLUDED_CAPACITY = 1500;

/** Capacity of the AWS managed rule groups the web ACL uses (their documented WCUs). */
export const MANAGED_RULE_GROUP_CAPACITY: Readonly<Record<string, number>> = {
  AWSManagedRulesAmazonIpReputationList: 25,
  AWSManagedRulesKnownBadInputsRuleSet: 200,
  AWSManagedRulesCommonRuleSet: 700,
};

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

/**
 * The actions whose requests WAF logs: what it blocked, what a rule counted, and what a managed rule overridden to
 * Count matched (`EXCLUDED_AS_COUNT`: {@link MANAGED_RULE_DECISIONS}). Allowed requests are dropped from the WAF log;
 * the API access log has every request, with `wafStatus`.
 */
export const LOGGED_ACTIONS = ['BLOCK', 'COUNT', 'EXCLUDED_AS_COUNT'] as const;

/** Keys of the web ACL's custom response bodies. */
const BODY_KEYS = { forbidden: 'forbidden', throttled: 'throttled', payloadTooLarge: 'payloadTooLarge' } as const;

/** The path transformations every path match applies, and the rate rules apply to the URI path key. */
const PATH_TRANSFORMATIONS: wafv2.CfnWebACL.TextTransformationProperty[] = [
  { priority: 0, type: 'URL_DECODE' },
  { priority: 1, type: 'NORMALIZE_PATH' },
];

/** One provider's WAF settings. */
export interface FirewallProvider {
  readonly id: ProviderId;
  /** IPv4 and IPv6 CIDRs allowed to reach the provider's path; empty: any source (unless {@link refreshed}). */
  readonly allowedCidrs: readonly string[];
  /**
   * The IP sets follow the provider's published list (`"published"`, docs/ip-ranges.md): both sets (IPv4 and IPv6)
   * exist even when empty, because the refresher replaces their addresses after deployment, and the path is
   * allow-listed even with no CIDR at all (fail closed until the first refresh fills the sets).
   * @default false
   */
  readonly refreshed?: boolean;
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
   * @default RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE: kept on deletion, removed when a failed create rolls back
   */
  readonly logRemovalPolicy?: RemovalPolicy;
}

/**
 * The path regex of one or more providers' routes (matched against the decoded, normalised URI path):
 * `/webhooks/(?:[^/]+/)?<id>/?$`, or `/webhooks/(?:[^/]+/)?(?:<id>|<id>)/?$` for several. The optional segment is a
 * stage's path token (docs/path-token.md): the rules scope by the provider segment whether or not the stage has a
 * token, and whatever the token segment holds, so a guessed token meets the provider's allow-list, rate and body
 * limits too (every rule here blocks: matching more is never less safe). The token itself stays out of the web ACL.
 * Non-capturing groups only: AWS WAF refuses capturing subexpressions (AWS WAF Developer Guide, "Supported regular
 * expression syntax").
 */
export function providerPathRegex(providers: ProviderId | readonly ProviderId[]): string {
  const ids = typeof providers === 'string' ? [providers] : providers;
  if (ids.length === 0) throw new RangeError('providerPathRegex needs at least one provider');
  const prefix = `${WEBHOOKS_PREFIX}/(?:[^/]+/)?`;
  return ids.length === 1 ? `${prefix}${ids[0] as string}/?$` : `${prefix}(?:${ids.join('|')})/?$`;
}

/** Providers that share one value of a setting, in ascending order of the value; providers sorted by id. */
export interface ProviderGroup {
  readonly value: number;
  readonly providers: readonly ProviderId[];
}

/** Groups providers by a numeric setting (rate limit, body limit): one group per distinct value. */
export function groupProviders(
  providers: readonly FirewallProvider[],
  setting: (provider: FirewallProvider) => number,
): ProviderGroup[] {
  const groups = new Map<number, ProviderId[]>();
  for (const provider of providers) {
    const value = setting(provider);
    groups.set(value, [...(groups.get(value) ?? []), provider.id]);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => a - b)
    .map(([value, ids]) => ({ value, providers: [...ids].sort() }));
}

function visibility(metricName: string): wafv2.CfnWebACL.VisibilityConfigProperty {
  // Sampled requests would show full request headers, Basic credentials included, in the console: logs (redacted)
  // are the way to look at requests.
  return { cloudWatchMetricsEnabled: true, metricName, sampledRequestsEnabled: false };
}

function block(
  responseCode: number,
  customResponseBodyKey: string,
  headers: Readonly<Record<string, string>> = {},
): wafv2.CfnWebACL.RuleActionProperty {
  const responseHeaders = Object.entries(headers).map(([name, value]) => ({ name, value }));
  return {
    block: {
      customResponse: {
        responseCode,
        customResponseBodyKey,
        ...(responseHeaders.length > 0 ? { responseHeaders } : {}),
      },
    },
  };
}

/** The rate rules' answer: the same as the stage throttling's (503, `Retry-After`), which every provider retries. */
function throttled(): wafv2.CfnWebACL.RuleActionProperty {
  return block(GATEWAY_ERROR_BODIES.throttled.statusCode, BODY_KEYS.throttled, {
    'Retry-After': String(THROTTLED_RETRY_AFTER_SECONDS),
  });
}

/** One statement, or the OR of several (WAF wants at least two statements in an OR). */
function anyOf(statements: wafv2.CfnWebACL.StatementProperty[]): wafv2.CfnWebACL.StatementProperty {
  if (statements.length === 0) throw new RangeError('anyOf needs at least one statement');
  return statements.length === 1
    ? (statements[0] as wafv2.CfnWebACL.StatementProperty)
    : { orStatement: { statements } };
}

/**
 * Matches the paths of the given providers: one regex while it fits WAF's 200-character limit, else an OR of several
 * (each 23 WCUs: the regex and its two transformations).
 */
export function providerPathMatch(providers: readonly ProviderId[]): wafv2.CfnWebACL.StatementProperty {
  const chunks: ProviderId[][] = [];
  for (const id of providers) {
    const last = chunks.at(-1);
    if (last && providerPathRegex([...last, id]).length <= WAF_REGEX_MAX_LENGTH) last.push(id);
    else chunks.push([id]);
  }
  return anyOf(
    chunks.map((chunk) => ({
      regexMatchStatement: {
        regexString: providerPathRegex(chunk),
        fieldToMatch: { uriPath: {} },
        textTransformations: PATH_TRANSFORMATIONS,
      },
    })),
  );
}

/** The web ACL's rules for the given props; `ipSetArn` names the IP set of a provider and IP version. */
export function firewallRules(
  props: Pick<WebhookFirewallProps, 'providers' | 'rateLimit' | 'rateLimitWindowSeconds'>,
  ipSetArn: (provider: ProviderId, version: 'IPV4' | 'IPV6') => string,
): wafv2.CfnWebACL.RuleProperty[] {
  const rules: wafv2.CfnWebACL.RuleProperty[] = [];
  const addRule = (rule: Omit<wafv2.CfnWebACL.RuleProperty, 'priority'>) => {
    rules.push({ ...rule, priority: rules.length });
  };

  const outsideAllowedSources = props.providers
    .filter((provider) => provider.allowedCidrs.length > 0 || provider.refreshed === true)
    .map((provider): wafv2.CfnWebACL.StatementProperty => {
      const versions = (['IPV4', 'IPV6'] as const).filter(
        (version) =>
          provider.refreshed === true ||
          provider.allowedCidrs.some((cidr) => cidr.includes(':') === (version === 'IPV6')),
      );
      const fromAllowedSource = anyOf(
        versions.map((version) => ({ ipSetReferenceStatement: { arn: ipSetArn(provider.id, version) } })),
      );
      return {
        andStatement: {
          statements: [providerPathMatch([provider.id]), { notStatement: { statement: fromAllowedSource } }],
        },
      };
    });
  if (outsideAllowedSources.length > 0) {
    addRule({
      name: 'allowed-sources',
      action: block(403, BODY_KEYS.forbidden),
      statement: anyOf(outsideAllowedSources),
      visibilityConfig: visibility('allowed-sources'),
    });
  }

  addRule({
    name: 'rate-limit-per-ip',
    action: throttled(),
    statement: {
      rateBasedStatement: {
        limit: props.rateLimit,
        evaluationWindowSec: props.rateLimitWindowSeconds,
        aggregateKeyType: 'IP',
      },
    },
    visibilityConfig: visibility('rate-limit-per-ip'),
  });

  for (const group of groupProviders(props.providers, (provider) => provider.rateLimit)) {
    const shared = group.providers.length > 1;
    addRule({
      name: `rate-limit-${group.value}`,
      action: throttled(),
      statement: {
        rateBasedStatement: {
          limit: group.value,
          evaluationWindowSec: props.rateLimitWindowSeconds,
          // Several providers in one rule: the path is part of the key, so each provider path keeps its own counter
          // per source IP, as one rule per provider would.
          ...(shared
            ? {
                aggregateKeyType: 'CUSTOM_KEYS',
                customKeys: [{ ip: {} }, { uriPath: { textTransformations: PATH_TRANSFORMATIONS } }],
              }
            : { aggregateKeyType: 'IP' }),
          scopeDownStatement: providerPathMatch(group.providers),
        },
      },
      visibilityConfig: visibility(`rate-limit-${group.value}`),
    });
  }

  addRule({
    name: 'body-size',
    action: block(413, BODY_KEYS.payloadTooLarge),
    statement: anyOf(
      groupProviders(props.providers, (provider) => provider.maxBodyBytes).map((group) => ({
        andStatement: {
          statements: [
            providerPathMatch(group.providers),
            {
              regexMatchStatement: {
                regexString: integerGreaterThanRegex(group.value),
                // `singleHeader` is untyped in the L1, so it takes CloudFormation's own casing.
                fieldToMatch: { singleHeader: { Name: 'content-length' } },
                textTransformations: [{ priority: 0, type: 'NONE' }],
              },
            },
          ],
        },
      })),
    ),
    visibilityConfig: visibility('body-size'),
  });

  const managed = (name: string) => {
    const counted = (MANAGED_RULE_DECISIONS[name] ?? []).filter((decision) => decision.action === 'count');
    addRule({
      name: `AWS-${name}`,
      overrideAction: { none: {} },
      statement: {
        managedRuleGroupStatement: {
          vendorName: 'AWS',
          name,
          ...(counted.length > 0
            ? { ruleActionOverrides: counted.map(({ rule }) => ({ name: rule, actionToUse: { count: {} } })) }
            : {}),
        },
      },
      visibilityConfig: visibility(`AWS-${name}`),
    });
  };
  managed('AWSManagedRulesAmazonIpReputationList');
  managed('AWSManagedRulesKnownBadInputsRuleSet');
  managed('AWSManagedRulesCommonRuleSet');
  addRule({
    name: 'managed-rules-counted',
    action: { count: {} },
    ruleLabels: [{ name: MANAGED_RULE_COUNTED_LABEL }],
    statement: anyOf(
      Object.values(MANAGED_RULE_DECISIONS)
        .flat()
        .filter((decision) => decision.action === 'count')
        .map((decision) => ({ labelMatchStatement: { scope: 'LABEL', key: decision.label } })),
    ),
    visibilityConfig: visibility('managed-rules-counted'),
  });
  return rules;
}

/** WCUs of a text transformation other than NONE. */
const TRANSFORMATION_WCU = 10;

function transformationsCapacity(transformations: unknown): number {
  const list = (transformations ?? []) as wafv2.CfnWebACL.TextTransformationProperty[];
  return list.filter((transformation) => transformation.type !== 'NONE').length * TRANSFORMATION_WCU;
}

/**
 * Web ACL capacity units of one statement, from AWS WAF's documented costs: regex match 3 (+10 per text
 * transformation), IP set and label match 1, AND/OR/NOT the sum of what they hold, rate-based 2 + 30 per custom
 * aggregation key (+10 per transformation of a key) + its scope-down, managed groups their published capacity.
 *
 * @throws Error for a statement type it does not know, so the estimate never silently undercounts.
 */
export function statementCapacity(statement: wafv2.CfnWebACL.StatementProperty): number {
  const s = statement as Record<string, Record<string, unknown> | undefined>;
  const sum = (statements: unknown) =>
    (statements as wafv2.CfnWebACL.StatementProperty[]).reduce((total, nested) => total + statementCapacity(nested), 0);
  if (s.regexMatchStatement) return 3 + transformationsCapacity(s.regexMatchStatement.textTransformations);
  if (s.ipSetReferenceStatement || s.labelMatchStatement) return 1;
  if (s.andStatement) return sum(s.andStatement.statements);
  if (s.orStatement) return sum(s.orStatement.statements);
  if (s.notStatement) return statementCapacity(s.notStatement.statement as wafv2.CfnWebACL.StatementProperty);
  if (s.rateBasedStatement) {
    const keys = (s.rateBasedStatement.customKeys ?? []) as Array<Record<string, { textTransformations?: unknown }>>;
    const scopeDown = s.rateBasedStatement.scopeDownStatement as wafv2.CfnWebACL.StatementProperty | undefined;
    return (
      2 +
      keys.reduce(
        (total, key) =>
          total + 30 + Object.values(key).reduce((t, part) => t + transformationsCapacity(part.textTransformations), 0),
        0,
      ) +
      (scopeDown ? statementCapacity(scopeDown) : 0)
    );
  }
  if (s.managedRuleGroupStatement) {
    const name = String(s.managedRuleGroupStatement.name);
    const capacity = MANAGED_RULE_GROUP_CAPACITY[name];
    if (capacity === undefined) throw new Error(`no known capacity for managed rule group ${name}`);
    return capacity;
  }
  throw new Error(`no known capacity for statement ${Object.keys(s).join(', ')}`);
}

/** Web ACL capacity units of a list of rules (the sum of their statements'). */
export function webAclCapacity(rules: readonly wafv2.CfnWebACL.RuleProperty[]): number {
  return rules.reduce(
    (total, rule) => total + statementCapacity(rule.statement as wafv2.CfnWebACL.StatementProperty),
    0,
  );
}

/** What {@link wafQuotaProblems} checks: the web ACL as it would be deployed. */
export interface WebAclQuotaInput {
  readonly rules: readonly wafv2.CfnWebACL.RuleProperty[];
  /** Each IP set's name and addresses. */
  readonly ipSets: ReadonlyArray<{ readonly name: string; readonly addresses: readonly string[] }>;
  /** Custom response bodies by key (their content). */
  readonly customResponseBodies: Readonly<Record<string, string>>;
  /** The logging filter's conditions (`ActionCondition.Action` or `LabelNameCondition.LabelName`). */
  readonly loggingConditions: ReadonlyArray<{ readonly action?: string; readonly label?: string }>;
}

/** The actions a logging filter's `ActionCondition` can name. */
const LOGGING_FILTER_ACTIONS = new Set(['ALLOW', 'BLOCK', 'COUNT', 'CAPTCHA', 'CHALLENGE', 'EXCLUDED_AS_COUNT']);

function nestedStatements(statement: wafv2.CfnWebACL.StatementProperty): wafv2.CfnWebACL.StatementProperty[] {
  const s = statement as Record<string, Record<string, unknown> | undefined>;
  const list = (value: unknown) => (value ?? []) as wafv2.CfnWebACL.StatementProperty[];
  if (s.andStatement) return list(s.andStatement.statements);
  if (s.orStatement) return list(s.orStatement.statements);
  if (s.notStatement) return [s.notStatement.statement as wafv2.CfnWebACL.StatementProperty];
  if (s.rateBasedStatement?.scopeDownStatement) {
    return [s.rateBasedStatement.scopeDownStatement as wafv2.CfnWebACL.StatementProperty];
  }
  return [];
}

function everyStatement(statement: wafv2.CfnWebACL.StatementProperty): wafv2.CfnWebACL.StatementProperty[] {
  return [statement, ...nestedStatements(statement).flatMap(everyStatement)];
}

/**
 * Every fixed AWS WAF quota the web ACL would break, each problem naming the quota (empty: it fits). The quotas are
 * {@link WAF_QUOTAS}; the labels a logging filter names must be ones a rule of the web ACL adds (a misspelt label
 * would silently log nothing).
 */
export function wafQuotaProblems(input: WebAclQuotaInput): string[] {
  const problems: string[] = [];
  const quota = WAF_QUOTAS;
  const rateBased = input.rules.filter((rule) => (rule.statement as Record<string, unknown>).rateBasedStatement);
  if (rateBased.length > quota.rateBasedRules) {
    problems.push(
      `the web ACL needs ${rateBased.length} rate-based rules, above AWS WAF's fixed quota of ${quota.rateBasedRules} ` +
        `rate-based rules per web ACL: one covers all paths, so give providers at most ${quota.rateBasedRules - 1} ` +
        'distinct rateLimit values (providers that share a value share a rule)',
    );
  }
  const capacity = webAclCapacity(input.rules);
  if (capacity > quota.capacity) {
    problems.push(
      `the web ACL needs about ${capacity} WCUs, above AWS WAF's maximum of ${quota.capacity} WCUs per web ACL: ` +
        'share rate limits, body limits or allow-lists between providers',
    );
  }
  const statements = input.rules.flatMap((rule) => everyStatement(rule.statement as wafv2.CfnWebACL.StatementProperty));
  const references = statements.filter((statement) => {
    const s = statement as Record<string, unknown>;
    return s.ipSetReferenceStatement || s.regexPatternSetReferenceStatement || s.ruleGroupReferenceStatement;
  }).length;
  if (references > quota.referenceStatements) {
    problems.push(
      `the web ACL has ${references} reference statements (IP sets), above AWS WAF's quota of ` +
        `${quota.referenceStatements} per web ACL: allow-list fewer providers or merge their sources`,
    );
  }
  for (const statement of statements) {
    const s = statement as Record<string, Record<string, unknown> | undefined>;
    const regex = s.regexMatchStatement?.regexString;
    if (typeof regex === 'string' && regex.length > quota.regexLength) {
      problems.push(`a regex of ${regex.length} characters is above AWS WAF's ${quota.regexLength}-character quota`);
    }
    for (const part of Object.values(s)) {
      const transformations = (part?.textTransformations ?? []) as unknown[];
      if (transformations.length > quota.textTransformations) {
        problems.push(
          `a statement has ${transformations.length} text transformations, above AWS WAF's ${quota.textTransformations}`,
        );
      }
    }
  }
  for (const set of input.ipSets) {
    if (set.addresses.length > quota.ipSetAddresses) {
      problems.push(
        `IP set ${set.name} has ${set.addresses.length} addresses, above AWS WAF's ${quota.ipSetAddresses} per IP set`,
      );
    }
  }
  let bodiesBytes = 0;
  for (const [key, content] of Object.entries(input.customResponseBodies)) {
    const bytes = Buffer.byteLength(content, 'utf8');
    bodiesBytes += bytes;
    if (bytes > quota.customResponseBodyBytes) {
      problems.push(`custom response body ${key} has ${bytes} bytes, above AWS WAF's ${quota.customResponseBodyBytes}`);
    }
  }
  if (bodiesBytes > quota.customResponseBodiesBytes) {
    problems.push(`custom response bodies total ${bodiesBytes} bytes, above AWS WAF's ${quota.customResponseBodiesBytes}`);
  }
  const labels = new Set([
    ...input.rules.flatMap((rule) => ((rule.ruleLabels ?? []) as wafv2.CfnWebACL.LabelProperty[]).map((l) => l.name)),
    ...Object.values(MANAGED_RULE_DECISIONS).flatMap((decisions) => decisions.map((decision) => decision.label)),
  ]);
  for (const condition of input.loggingConditions) {
    if (condition.action !== undefined && !LOGGING_FILTER_ACTIONS.has(condition.action)) {
      problems.push(`the logging filter names action ${condition.action}, which AWS WAF does not log`);
    }
    if (condition.label !== undefined && !labels.has(condition.label)) {
      problems.push(`the logging filter names label ${condition.label}, which no rule of the web ACL adds`);
    }
  }
  return problems;
}

/**
 * The web ACL, its IP sets, its association with the stage and its logging (blocked and counted requests only,
 * headers that carry credentials or signatures redacted).
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
  /** Web ACL capacity units the rules need (see {@link webAclCapacity}); above 1,500 AWS WAF charges a surcharge. */
  public readonly capacity: number;

  constructor(scope: Construct, id: string, props: WebhookFirewallProps) {
    super(scope, id);
    validate(props);

    const ipSets = new Map<ProviderId, { ipv4?: wafv2.CfnIPSet; ipv6?: wafv2.CfnIPSet }>();
    for (const provider of props.providers) {
      const ipv4 = provider.allowedCidrs.filter((cidr) => !cidr.includes(':'));
      const ipv6 = provider.allowedCidrs.filter((cidr) => cidr.includes(':'));
      const both = provider.refreshed === true;
      if (ipv4.length + ipv6.length === 0 && !both) continue;
      const sets: { ipv4?: wafv2.CfnIPSet; ipv6?: wafv2.CfnIPSet } = {};
      if (ipv4.length > 0 || both) sets.ipv4 = this.ipSet(props.name, provider.id, 'IPV4', ipv4);
      if (ipv6.length > 0 || both) sets.ipv6 = this.ipSet(props.name, provider.id, 'IPV6', ipv6);
      ipSets.set(provider.id, sets);
    }
    this.ipSets = ipSets;

    const rules = firewallRules(props, (provider, version) => {
      const sets = ipSets.get(provider);
      const set = version === 'IPV4' ? sets?.ipv4 : sets?.ipv6;
      if (!set) throw new Error(`no ${version} IP set for ${provider}`);
      return set.attrArn;
    });
    this.capacity = webAclCapacity(rules);
    const customResponseBodies = {
      [BODY_KEYS.forbidden]: jsonBody(GATEWAY_ERROR_BODIES.wafFiltered.body),
      [BODY_KEYS.throttled]: jsonBody(GATEWAY_ERROR_BODIES.throttled.body),
      [BODY_KEYS.payloadTooLarge]: jsonBody(GATEWAY_ERROR_BODIES.payloadTooLarge.body),
    };
    const quotaProblems = new PropsProblems('WebhookFirewall');
    for (const problem of wafQuotaProblems({
      rules,
      ipSets: [...ipSets.values()].flatMap((sets) =>
        [sets.ipv4, sets.ipv6].flatMap((set) =>
          set ? [{ name: set.name ?? '', addresses: (set.addresses ?? []) as string[] }] : [],
        ),
      ),
      customResponseBodies: Object.fromEntries(
        Object.entries(customResponseBodies).map(([key, body]) => [key, body.content]),
      ),
      loggingConditions: LOGGED_ACTIONS.map((action) => ({ action })),
    })) {
      quotaProblems.add(problem);
    }
    quotaProblems.throwIfAny();
    if (this.capacity > WAF_INCLUDED_CAPACITY) {
      Annotations.of(this).addWarningV2(
        'hookguard:wafCapacity',
        `The web ACL needs about ${this.capacity} WCUs, above the ${WAF_INCLUDED_CAPACITY} included in its price: ` +
          'AWS WAF charges a surcharge for the capacity above it. Providers that share a rate limit or a body limit ' +
          'share a rule: fewer distinct values need fewer WCUs.',
      );
    }

    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      name: props.name,
      description: 'Hookguard webhook API',
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      customResponseBodies,
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
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
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
      // Untyped in the L1: CloudFormation's own casing. Allowed requests are in the API access log already.
      loggingFilter: {
        DefaultBehavior: 'DROP',
        Filters: [
          {
            Behavior: 'KEEP',
            Requirement: 'MEETS_ANY',
            Conditions: LOGGED_ACTIONS.map((action) => ({ ActionCondition: { Action: action } })),
          },
        ],
      },
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

function jsonBody(body: unknown): { contentType: string; content: string } {
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
    if (provider.allowedCidrs.length > 10_000) problems.add(`${name}.allowedCidrs has more than 10,000 entries (AWS WAF quota: 10,000 addresses per IP set)`);
  }
  problems.throwIfAny();
}
