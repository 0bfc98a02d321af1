/**
 * The IP-range refresher function. Thin: reads its targets and policy from the environment, takes a schedule event
 * or CloudFormation's stack status event after a deployment (refresh everything, no confirmation) or an operator's request from `hookguard ranges refresh`
 * (`{ "confirm": true, "dryRun": false, "providers": ["brevo"] }`), runs `core/ip-ranges.ts` over the AWS adapters,
 * writes `IpRangesRefreshFailed` per provider as embedded metrics and returns the per-provider results (addresses and
 * reasons only: nothing secret is involved).
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { WAFV2Client } from '@aws-sdk/client-wafv2';
import { EventBridgeBus } from '../adapters/eventbridge-bus';
import { PowertoolsLogger } from '../adapters/powertools-logger';
import { PublishedRangesFetcher } from '../adapters/published-ranges-fetch';
import { WafIpSets } from '../adapters/wafv2-ip-sets';
import {
  DEFAULT_RANGE_POLICY,
  type ProviderRefreshResult,
  type RangeRefreshDeps,
  type RefreshRequest,
  type RefreshTarget,
  refreshMetricRecords,
  refreshPublishedRanges,
} from '../core/ip-ranges';
import { type PublishedRangeProvider, publishesRanges } from '../core/ip-ranges-sources';
import { isRecord } from '../providers/shared';

/** What the handler needs; tests pass fakes or mocked clients, the Lambda {@link defaultDeps}. */
export interface RangesHandlerDeps extends RangeRefreshDeps {
  /** Where the EMF records go (stdout: Lambda sends it to CloudWatch Logs, which extracts the metrics). */
  readonly write: (line: string) => void;
}

/** What an invocation returns. */
export interface RangesHandlerResult {
  readonly stage: string;
  readonly dryRun: boolean;
  readonly results: readonly ProviderRefreshResult[];
}

/** Thrown for an invocation payload that is neither a schedule event nor a valid refresh request. */
export class RangesRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RangesRequestError';
  }
}

/** The refresh request an invocation payload asks for. */
export function parseRangesRequest(event: unknown): RefreshRequest {
  if (event === undefined || event === null) return {};
  if (!isRecord(event)) throw new RangesRequestError('The payload must be an object');
  // The schedule, and CloudFormation's status event after a deployment: a plain refresh, never confirmed.
  if (event['detail-type'] === 'Scheduled Event' || event['detail-type'] === 'CloudFormation Stack Status Change') return {};
  const allowed = new Set(['confirm', 'dryRun', 'providers']);
  const unknown = Object.keys(event).filter((key) => !allowed.has(key));
  if (unknown.length > 0) throw new RangesRequestError(`Unknown request fields: ${unknown.join(', ')} (expected confirm, dryRun, providers)`);
  const { confirm, dryRun, providers } = event;
  if (confirm !== undefined && typeof confirm !== 'boolean') throw new RangesRequestError('confirm must be true or false');
  if (dryRun !== undefined && typeof dryRun !== 'boolean') throw new RangesRequestError('dryRun must be true or false');
  let wanted: PublishedRangeProvider[] | undefined;
  if (providers !== undefined) {
    if (!Array.isArray(providers) || !providers.every((id): id is PublishedRangeProvider => typeof id === 'string' && publishesRanges(id))) {
      throw new RangesRequestError('providers must be a list of postmark, sparkpost, brevo or resend');
    }
    wanted = providers;
  }
  return {
    ...(confirm !== undefined ? { confirm } : {}),
    ...(dryRun !== undefined ? { dryRun } : {}),
    ...(wanted !== undefined ? { providers: wanted } : {}),
  };
}

/**
 * Creates the handler; `deps` may be a factory, called on the first invocation.
 *
 * @example
 * export const handler = createHandler(() => defaultDeps());
 */
export function createHandler(deps: RangesHandlerDeps | (() => RangesHandlerDeps)) {
  let resolved: RangesHandlerDeps | null = typeof deps === 'function' ? null : deps;
  return async function refreshRanges(event: unknown): Promise<RangesHandlerResult> {
    resolved ??= (deps as () => RangesHandlerDeps)();
    const request = parseRangesRequest(event);
    const now = resolved.now ?? (() => new Date());
    let results: ProviderRefreshResult[];
    try {
      results = await refreshPublishedRanges(resolved, request);
    } catch (error) {
      // Not a provider's failure (each is caught in the core): count every asked provider as failed, then fail.
      const asked = resolved.targets.filter((target) => request.providers?.includes(target.provider) ?? true);
      const failed = asked.map((target) => ({ provider: target.provider, outcome: 'failed' as const }));
      for (const record of refreshMetricRecords(failed, resolved.stage, now())) resolved.write(JSON.stringify(record));
      throw error;
    }
    if (!request.dryRun) {
      for (const record of refreshMetricRecords(results, resolved.stage, now())) resolved.write(JSON.stringify(record));
    }
    return { stage: resolved.stage, dryRun: request.dryRun === true, results };
  };
}

function parseTargets(text: string | undefined): RefreshTarget[] {
  if (!text) throw new Error('IP_RANGES_TARGETS is required');
  const parsed: unknown = JSON.parse(text);
  const ref = (value: unknown) =>
    isRecord(value) && typeof value.name === 'string' && typeof value.id === 'string' ? { name: value.name, id: value.id } : undefined;
  if (!Array.isArray(parsed)) throw new Error('IP_RANGES_TARGETS must be a JSON list');
  return parsed.map((entry, index) => {
    const ipv4 = isRecord(entry) ? ref(entry.ipv4) : undefined;
    const ipv6 = isRecord(entry) ? ref(entry.ipv6) : undefined;
    const provider = isRecord(entry) ? entry.provider : undefined;
    const staticCidrs = isRecord(entry) ? entry.staticCidrs : undefined;
    if (
      typeof provider !== 'string' ||
      !publishesRanges(provider) ||
      ipv4 === undefined ||
      ipv6 === undefined ||
      !Array.isArray(staticCidrs) ||
      !staticCidrs.every((cidr) => typeof cidr === 'string')
    ) {
      throw new Error(`IP_RANGES_TARGETS[${index}] must be { provider, staticCidrs, ipv4: { name, id }, ipv6: { name, id } }`);
    }
    return { provider, staticCidrs, ipv4, ipv6 };
  });
}

/** The Lambda's dependencies from `IP_RANGES_TARGETS`, `IP_RANGES_POLICY` and `HOOKGUARD_STAGE`. */
export function defaultDeps(env: NodeJS.ProcessEnv = process.env): RangesHandlerDeps {
  const stage = env.HOOKGUARD_STAGE;
  if (!stage) throw new Error('HOOKGUARD_STAGE is required');
  const policy = { ...DEFAULT_RANGE_POLICY, ...(env.IP_RANGES_POLICY ? (JSON.parse(env.IP_RANGES_POLICY) as object) : {}) };
  return {
    targets: parseTargets(env.IP_RANGES_TARGETS),
    policy,
    stage,
    fetch: new PublishedRangesFetcher(),
    ipSets: new WafIpSets({ client: new WAFV2Client({}) }),
    // The account's default bus, next to credentials.rotated: an operational signal, not an email event.
    bus: new EventBridgeBus({ client: new EventBridgeClient({}), eventBusName: 'default' }),
    logger: new PowertoolsLogger({ serviceName: 'hookguard-ip-ranges' }),
    write: (line) => process.stdout.write(`${line}\n`),
  };
}

/** The Lambda entry point. */
export const handler = createHandler(() => defaultDeps());
