/**
 * The scheduled refresher of the published IP ranges (`"published"` in `providers.<id>.allowedCidrs`): a function
 * (`lambda/ranges/handler.ts`) that every `ipRanges.refreshHours` fetches each published list, judges it, updates the
 * provider's WAF IP sets with WAF's lock token, publishes `ip-ranges.updated` on the account's default bus and
 * records `IpRangesRefreshFailed` [Stage, Provider]. Its role may read and update those IP sets only, and put events
 * on the default bus only. docs/ip-ranges.md.
 */
import * as path from 'node:path';
import { ArnFormat, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { resolveAllowedCidrs } from '../../lambda/core/ip-ranges';
import { type PublishedRangeProvider, publishesRanges } from '../../lambda/core/ip-ranges-sources';
import type { ProviderId } from '../../lambda/core/provider-ids';
import type { IpRangesConfig } from '../config/types';
import { PropsProblems } from './props-validation';
import type { WebhookFirewall } from './webhook-firewall';
import { WebhookFunction } from './webhook-function';

/**
 * A provider's firewall settings from its `allowedCidrs`: `"published"` replaced by the embedded known list (so a new
 * stage starts protected), and `refreshed` set so that the firewall creates both IP sets for the refresher.
 */
export function publishedFirewallCidrs(
  provider: ProviderId,
  allowedCidrs: readonly string[],
): { readonly allowedCidrs: readonly string[]; readonly refreshed: boolean } {
  const resolved = resolveAllowedCidrs(provider, allowedCidrs);
  return { allowedCidrs: resolved.cidrs, refreshed: resolved.published };
}

/** The providers of a stage whose `allowedCidrs` hold `"published"`, with their own CIDRs. */
export function publishedProviders(
  providers: Readonly<Partial<Record<ProviderId, { readonly allowedCidrs: readonly string[] }>>>,
): Array<{ readonly provider: PublishedRangeProvider; readonly staticCidrs: readonly string[] }> {
  return (Object.entries(providers) as Array<[ProviderId, { readonly allowedCidrs: readonly string[] } | undefined]>)
    .filter(([, settings]) => settings?.allowedCidrs.includes('published'))
    .flatMap(([provider, settings]) =>
      publishesRanges(provider)
        ? [{ provider, staticCidrs: (settings?.allowedCidrs ?? []).filter((entry) => entry !== 'published') }]
        : [],
    );
}

/** Props of {@link IpRangeRefresher}. */
export interface IpRangeRefresherProps {
  /** The stage: the `Stage` of its metric and the `stage` of its events. */
  readonly stage: string;
  /** The web ACL whose IP sets it keeps current (created with `refreshed: true` for these providers). */
  readonly firewall: WebhookFirewall;
  /** The providers with `"published"`, and the operator's own CIDRs of each. */
  readonly providers: ReadonlyArray<{ readonly provider: PublishedRangeProvider; readonly staticCidrs: readonly string[] }>;
  /** Schedule and plausibility rules (`StageConfig.ipRanges`). */
  readonly settings: IpRangesConfig;
  /** Days the function's log group keeps logs. */
  readonly logRetentionDays: number;
}

/** Environment variable names of the refresher function. */
export const REFRESHER_ENV = { targets: 'IP_RANGES_TARGETS', policy: 'IP_RANGES_POLICY' } as const;

/**
 * The refresher function and its schedule.
 *
 * @example
 * new IpRangeRefresher(this, 'IpRanges', { stage: 'prod', firewall, logRetentionDays: 30,
 *   providers: [{ provider: 'brevo', staticCidrs: [] }], settings: config.ipRanges });
 */
export class IpRangeRefresher extends Construct {
  /** The refresher function (`hookguard ranges refresh --deployed` invokes it). */
  public readonly function: WebhookFunction;
  /** The schedule. */
  public readonly schedule: events.Rule;
  /** The run after every successful deployment of the stack. */
  public readonly afterDeploy: events.Rule;

  constructor(scope: Construct, id: string, props: IpRangeRefresherProps) {
    super(scope, id);
    const problems = new PropsProblems('IpRangeRefresher');
    if (props.providers.length === 0) problems.add('providers must list at least one provider with "published"');
    const sets = props.providers.map(({ provider, staticCidrs }) => {
      const pair = props.firewall.ipSets.get(provider);
      if (pair?.ipv4 === undefined || pair.ipv6 === undefined) {
        problems.add(`the firewall has no IPv4 and IPv6 IP sets for ${provider} (create it with refreshed: true)`);
      }
      return { provider, staticCidrs, pair };
    });
    problems.integer('settings.refreshHours', props.settings.refreshHours, { min: 1, max: 24 });
    problems.throwIfAny();

    const stack = Stack.of(this);
    const targetsJson = stack.toJsonString(
      sets.map(({ provider, staticCidrs, pair }) => ({
        provider,
        staticCidrs,
        ipv4: { name: pair?.ipv4?.name, id: pair?.ipv4?.attrId },
        ipv6: { name: pair?.ipv6?.name, id: pair?.ipv6?.attrId },
      })),
    );
    const { refreshHours: _hours, ...policy } = props.settings;
    this.function = new WebhookFunction(this, 'Function', {
      entry: path.join(__dirname, '..', '..', 'lambda', 'ranges', 'handler.ts'),
      stageName: props.stage,
      description: `Hookguard ${props.stage}: refresh the published IP ranges of ${props.providers.map((p) => p.provider).join(', ')}`,
      logRetentionDays: props.logRetentionDays,
      noDeadLetterQueueReason:
        'Invoked by a schedule (the next run repeats the whole refresh) or synchronously by the CLI; a failed run keeps the last good list and raises IpRangesRefreshFailed, so a DLQ would hold nothing actionable.',
      timeout: Duration.seconds(60),
      memorySize: 256,
      environment: { [REFRESHER_ENV.targets]: targetsJson, [REFRESHER_ENV.policy]: JSON.stringify(policy) },
    });
    this.function.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['wafv2:GetIPSet', 'wafv2:UpdateIPSet'],
        resources: sets.flatMap(({ pair }) => [pair?.ipv4?.attrArn, pair?.ipv6?.attrArn].filter((arn): arn is string => arn !== undefined)),
      }),
    );
    this.function.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['events:PutEvents'],
        resources: [
          stack.formatArn({ service: 'events', resource: 'event-bus', resourceName: 'default', arnFormat: ArnFormat.SLASH_RESOURCE_NAME }),
        ],
      }),
    );

    // Once right after every successful deployment of the stack (a new stage, a new Hookguard version whose seeds
    // may have reset the sets): the sets hold the published lists at once instead of after the first scheduled run
    // (SparkPost has no embedded list at all). CloudFormation puts a "CloudFormation Stack Status Change" event on
    // the default bus for each stack status (detail: stack-id, status-details.status), no custom resource needed
    // (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/event-detail-stack-status-change.html).
    this.afterDeploy = new events.Rule(this, 'AfterDeploy', {
      description: `Hookguard ${props.stage}: refresh the published IP ranges after each deployment of the stack`,
      eventPattern: {
        source: ['aws.cloudformation'],
        detailType: ['CloudFormation Stack Status Change'],
        detail: { 'stack-id': [stack.stackId], 'status-details': { status: ['CREATE_COMPLETE', 'UPDATE_COMPLETE'] } },
      },
    });
    this.afterDeploy.addTarget(new targets.LambdaFunction(this.function.function, { retryAttempts: 2 }));
    Validations.of(this.afterDeploy).acknowledge({
      id: 'Serverless-EventBusDLQ',
      reason: 'A refresh after a deployment: the schedule repeats the whole refresh, and a failure keeps the last good list.',
    });

    this.schedule = new events.Rule(this, 'Schedule', {
      description: `Hookguard ${props.stage}: refresh the published IP ranges every ${props.settings.refreshHours} hours`,
      schedule: events.Schedule.rate(Duration.hours(props.settings.refreshHours)),
    });
    this.schedule.addTarget(new targets.LambdaFunction(this.function.function, { retryAttempts: 2 }));
    Validations.of(this.schedule).acknowledge({
      id: 'Serverless-EventBusDLQ',
      reason: 'A schedule of the IP-range refresher: a missed run is replaced by the next one, and a failure keeps the last good list.',
    });
  }
}
