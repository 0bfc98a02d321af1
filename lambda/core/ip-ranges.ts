/**
 * Keeping the WAF allow-lists of the providers that publish their webhook sources current (`"published"` in
 * `providers.<id>.allowedCidrs`). Pure logic over three ports: the published list (HTTPS page or DNS), the WAF IP
 * sets (read with their lock token, replaced with it) and the bus (`ip-ranges.updated`). `lambda/ranges/handler.ts`
 * wires AWS; docs/ip-ranges.md explains the rules.
 *
 * A refresh of one provider: read its two IP sets (IPv4, IPv6); fetch and parse the published list; refuse it when it
 * is implausible (empty, a block broader than the configured floor, non-public space, more than WAF holds, or a change
 * above the configured share of the last good list unless the operator confirms); otherwise replace the sets with the
 * operator's own CIDRs plus the new list. Anything refused or failed leaves the sets as they are: the last good list
 * stays in force. Providers are refreshed independently: one failing never stops the others.
 */
import { canonicalCidr, type Cidr, formatCidr, isNonPublic, parseCidr, sortCidrs } from './ip-ranges-cidr';
import {
  PUBLISHED_RANGE_SOURCES,
  type PublishedRangeProvider,
  type PublishedRangeSource,
} from './ip-ranges-sources';
import { EVENT_SOURCE } from './event';
import { METRIC_NAMES } from './metrics';
import type { EventBusPort, Logger } from '../ports';
import { silentLogger } from '../ports';

/** EventBridge `DetailType` of the event published when a provider's IP sets changed. */
export const IP_RANGES_UPDATED_DETAIL_TYPE = 'ip-ranges.updated';

/** The metric (contract: Count, [Stage, Provider]) a refused or failed refresh records; 0 after a good one. */
export const IP_RANGES_REFRESH_FAILED_METRIC = METRIC_NAMES.ipRangesRefreshFailed;

/** AWS WAF's quota of addresses per IP set (AWS WAF Developer Guide, "AWS WAF quotas"; cannot be raised). */
export const MAX_IP_SET_ADDRESSES = 10_000;

/** What makes a fetched list plausible. */
export interface RangePolicy {
  /** Shortest IPv4 prefix accepted: a broader block is refused (/16 is 65,536 addresses). */
  readonly minPrefixIpv4: number;
  /** Shortest IPv6 prefix accepted. */
  readonly minPrefixIpv6: number;
  /**
   * Largest change accepted without confirmation, 0 to 1: (added + removed) / entries of the last good and the new
   * list together (adding 1 block to 1 is 0.5; replacing every block is 1). A change above it is refused until the
   * operator confirms it (`hookguard ranges refresh --confirm`); 1 never asks.
   */
  readonly maxChangeShare: number;
}

/** The defaults of `ipRanges` in the configuration. */
export const DEFAULT_RANGE_POLICY: RangePolicy = { minPrefixIpv4: 16, minPrefixIpv6: 32, maxChangeShare: 0.5 };

// ---------------------------------------------------------------------------------------------------------------
// Parsing the published formats.

const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name.startsWith('#x') || name.startsWith('#X')) return String.fromCodePoint(Number.parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(Number(name.slice(1)));
    return ENTITIES[name.toLowerCase()] ?? whole;
  });
}

/**
 * The text lines of an HTML or Markdown page: scripts, styles and comments dropped, one line per block element,
 * headings marked with a leading `#` (as in Markdown), tags removed, entities decoded, blank lines dropped.
 */
export function pageLines(page: string): string[] {
  const text = page
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<(script|style|noscript|template)\b[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<h[1-6]\b[^>]*>/gi, '\n# ')
    .replace(/<\/h[1-6]\s*>/gi, '\n')
    .replace(/<\/?(p|div|li|ul|ol|br|tr|td|th|table|section|article|header|footer|nav|aside|main|summary|details|dt|dd|dl|pre|blockquote|button|hr)\b[^>]*>/gi, '\n')
    .replace(/<[^>]*>/g, ' ');
  return decodeEntities(text)
    .split(/\r?\n/)
    .map((line) => line.replace(/\s+/g, ' ').trim())
    .filter((line) => line !== '');
}

const isHeading = (line: string) => line.startsWith('#');
const headingText = (line: string) => line.replace(/^#+\s*/, '');

/** Address-like tokens: IPv4 and IPv6, each with an optional prefix. Validated afterwards. */
const ADDRESS_TOKEN = /(?<![\w.:/])(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}(?:\.\d{1,3}){0,4})(?:\/\d{1,3})?(?![\w:/]|\.\d)/gi;

/** A parsed published list. */
export interface ParsedRanges {
  /** Canonical CIDRs, sorted, without duplicates. */
  readonly cidrs: readonly string[];
  /** CIDR-looking tokens that are not valid CIDRs (a list with any is refused). */
  readonly problems: readonly string[];
}

function addressesIn(lines: readonly string[], cidrOnly: boolean): ParsedRanges {
  const cidrs: string[] = [];
  const problems: string[] = [];
  for (const line of lines) {
    for (const [token] of line.matchAll(ADDRESS_TOKEN)) {
      // A bare `::` in prose (or any token without a digit) is punctuation, not an address.
      if (!/[0-9]/.test(token)) continue;
      const hasPrefix = token.includes('/');
      if (cidrOnly && !hasPrefix) continue;
      const parsed = parseCidr(token);
      if (typeof parsed === 'string') {
        // A bare token that is no address (a time like 12:30) is just text; a CIDR that does not parse is a broken list.
        if (hasPrefix) problems.push(`${token} ${parsed}`);
        continue;
      }
      cidrs.push(formatCidr(parsed));
    }
  }
  return { cidrs: sortCidrs(cidrs), problems };
}

/**
 * The addresses of the section of `page` that `section` names: from the first heading matching it (or, when no
 * heading does, the first line), up to the next heading or the next question line (FAQ pages). Candidate starts are
 * tried in order until one yields addresses.
 *
 * @example
 * parsePageSection(html, /^webhook ip ranges\b/i, true).cidrs; // ['1.179.112.0/20', '172.246.240.0/20']
 */
export function parsePageSection(page: string, section: RegExp, cidrOnly: boolean): ParsedRanges {
  const lines = pageLines(page);
  const starts = [
    ...lines.flatMap((line, index) => (isHeading(line) && section.test(headingText(line)) ? [index] : [])),
    ...lines.flatMap((line, index) => (!isHeading(line) && section.test(line) ? [index] : [])),
  ];
  for (const start of starts) {
    const body: string[] = [];
    for (const line of lines.slice(start + 1)) {
      if (isHeading(line) || line.endsWith('?')) break;
      body.push(line);
    }
    const parsed = addressesIn(body, cidrOnly);
    if (parsed.cidrs.length > 0 || parsed.problems.length > 0) return parsed;
  }
  return { cidrs: [], problems: [] };
}

/** The list a DNS answer gives: each A record a /32. */
export function parseDnsAnswer(addresses: readonly string[]): ParsedRanges {
  const cidrs: string[] = [];
  const problems: string[] = [];
  for (const address of addresses) {
    const canonical = canonicalCidr(address);
    if (canonical === undefined || address.includes('/')) problems.push(`${address} is not an IP address`);
    else cidrs.push(canonical);
  }
  return { cidrs: sortCidrs(cidrs), problems };
}

// ---------------------------------------------------------------------------------------------------------------
// Judging a list.

/** Added and removed CIDRs between two lists (canonical texts). */
export interface RangeDifference {
  readonly added: readonly string[];
  readonly removed: readonly string[];
}

/** What changes from `previous` to `next`. */
export function rangeDifference(previous: readonly string[], next: readonly string[]): RangeDifference {
  const before = new Set(previous);
  const after = new Set(next);
  return {
    added: sortCidrs(next.filter((cidr) => !before.has(cidr))),
    removed: sortCidrs(previous.filter((cidr) => !after.has(cidr))),
  };
}

/** The verdict on a fetched list. */
export type RangeVerdict =
  | { readonly accepted: true }
  | { readonly accepted: false; readonly reason: string; readonly needsConfirmation: boolean };

/**
 * Whether `parsed` may replace `previous` (the last good published list, empty before the first refresh).
 * Confirmation lifts the change-share limit only; an empty, broken, too broad, non-public or oversize list is
 * never accepted.
 */
export function judgeRanges(
  parsed: ParsedRanges,
  previous: readonly string[],
  policy: RangePolicy,
  confirmed: boolean,
): RangeVerdict {
  const refuse = (reason: string, needsConfirmation = false): RangeVerdict => ({ accepted: false, reason, needsConfirmation });
  if (parsed.problems.length > 0) return refuse(`the list has invalid entries: ${parsed.problems.slice(0, 3).join('; ')}`);
  if (parsed.cidrs.length === 0) return refuse('the list is empty (the page or DNS answer changed shape?)');
  if (parsed.cidrs.length > MAX_IP_SET_ADDRESSES) {
    return refuse(`the list has ${parsed.cidrs.length} entries, above AWS WAF's ${MAX_IP_SET_ADDRESSES} per IP set`);
  }
  const blocks = parsed.cidrs.map((text) => parseCidr(text) as Cidr);
  const broad = blocks.filter(
    (block) => block.prefix < (block.version === 4 ? policy.minPrefixIpv4 : policy.minPrefixIpv6),
  );
  if (broad.length > 0) {
    return refuse(
      `${broad.map(formatCidr).join(', ')} ${broad.length === 1 ? 'is' : 'are'} broader than the floor ` +
        `(/${policy.minPrefixIpv4} IPv4, /${policy.minPrefixIpv6} IPv6)`,
    );
  }
  const private_ = blocks.filter(isNonPublic);
  if (private_.length > 0) {
    return refuse(`${private_.map(formatCidr).join(', ')} is private, reserved or documentation space, never a provider's source`);
  }
  if (previous.length > 0 && !confirmed) {
    const { added, removed } = rangeDifference(previous, parsed.cidrs);
    const union = new Set([...previous, ...parsed.cidrs]).size;
    const share = (added.length + removed.length) / union;
    if (share > policy.maxChangeShare) {
      return refuse(
        `the change (${added.length} added, ${removed.length} removed; ${union} entries in the old and new lists together) ` +
          `is ${Math.round(share * 100)} %, above ${Math.round(policy.maxChangeShare * 100)} %: confirm it with ` +
          '`hookguard ranges refresh --confirm`',
        true,
      );
    }
  }
  return { accepted: true };
}

// ---------------------------------------------------------------------------------------------------------------
// Ports.

/** Names an AWS WAF IP set (UpdateIPSet needs name, id and scope; the scope is the adapter's). */
export interface IpSetRef {
  readonly name: string;
  readonly id: string;
}

/** An IP set's addresses and the lock token that must accompany a change of them. */
export interface IpSetState {
  readonly addresses: readonly string[];
  readonly lockToken: string;
}

/** Another writer changed the set since it was read (WAF's WAFOptimisticLockException). */
export class IpSetLockConflictError extends Error {
  constructor(message = 'The IP set changed since it was read (optimistic lock)') {
    super(message);
    this.name = 'IpSetLockConflictError';
  }
}

/** The WAF IP sets (adapter: `adapters/wafv2-ip-sets.ts`). */
export interface IpSetPort {
  get(ref: IpSetRef): Promise<IpSetState>;
  /** Replaces every address of the set; throws {@link IpSetLockConflictError} when `lockToken` is stale. */
  update(ref: IpSetRef, addresses: readonly string[], lockToken: string): Promise<void>;
}

/** Where published lists are read (adapters: `adapters/published-ranges-fetch.ts`). */
export interface RangeFetchPort {
  /** GETs a page over HTTPS; throws on a non-2xx answer or a network failure. */
  getText(url: string): Promise<string>;
  /** The A records of `hostname`; throws when the name does not resolve. */
  resolveA(hostname: string): Promise<readonly string[]>;
}

// ---------------------------------------------------------------------------------------------------------------
// The refresh.

/** One provider whose IP sets follow its published list. */
export interface RefreshTarget {
  readonly provider: PublishedRangeProvider;
  /** The operator's own CIDRs for this provider, kept in the sets beside the published list. */
  readonly staticCidrs: readonly string[];
  readonly ipv4: IpSetRef;
  readonly ipv6: IpSetRef;
}

/** What the scheduled run or the operator asks for. */
export interface RefreshRequest {
  /** Accept a change above `maxChangeShare` (never an implausible list). */
  readonly confirm?: boolean;
  /** Only these providers; absent: every target. */
  readonly providers?: readonly PublishedRangeProvider[];
  /** Fetch, judge and report, change nothing. */
  readonly dryRun?: boolean;
}

/** What happened to one provider. */
export interface ProviderRefreshResult {
  readonly provider: PublishedRangeProvider;
  readonly outcome: 'unchanged' | 'updated' | 'would-update' | 'refused' | 'failed';
  /** The published part of the sets after the run (the last good list unless `updated`). */
  readonly published: readonly string[];
  /** Everything the sets allow after the run: the operator's CIDRs plus {@link published}. */
  readonly inForce: readonly string[];
  readonly added: readonly string[];
  readonly removed: readonly string[];
  /** Why a list was refused or a step failed. */
  readonly reason?: string;
  /** Refused only because the change is large: `--confirm` would accept it. */
  readonly needsConfirmation?: boolean;
}

/** Dependencies of {@link refreshPublishedRanges}. */
export interface RangeRefreshDeps {
  readonly targets: readonly RefreshTarget[];
  readonly fetch: RangeFetchPort;
  readonly ipSets: IpSetPort;
  /** The account's default bus (next to `credentials.rotated`). */
  readonly bus: EventBusPort;
  readonly stage: string;
  readonly policy: RangePolicy;
  /** @default PUBLISHED_RANGE_SOURCES */
  readonly sources?: Readonly<Record<PublishedRangeProvider, PublishedRangeSource>>;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** @default silentLogger */
  readonly logger?: Logger;
  /** Attempts of one set's update when WAF reports a lock conflict. @default 3 */
  readonly maxLockAttempts?: number;
}

/** Detail of `ip-ranges.updated`. */
export interface IpRangesUpdatedDetail {
  readonly stage: string;
  readonly provider: PublishedRangeProvider;
  readonly added: readonly string[];
  readonly removed: readonly string[];
  /** The published list now in force. */
  readonly published: readonly string[];
  /** Where it was read. */
  readonly source: string;
  /** The change was above `maxChangeShare` and the operator confirmed it. */
  readonly confirmed: boolean;
  readonly updatedAt: string;
}

const isV6 = (cidr: string) => cidr.includes(':');

function canonicalList(addresses: readonly string[]): string[] {
  return sortCidrs(addresses.flatMap((address) => canonicalCidr(address) ?? []));
}

function sourceLabel(source: PublishedRangeSource): string {
  return source.location.kind === 'dns' ? `dns:${source.location.hostname}` : source.location.url;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function fetchList(source: PublishedRangeSource, fetch: RangeFetchPort): Promise<ParsedRanges> {
  const location = source.location;
  if (location.kind === 'dns') return parseDnsAnswer(await fetch.resolveA(location.hostname));
  return parsePageSection(await fetch.getText(location.url), location.section, location.cidrOnly);
}

/**
 * Refreshes every target (or those asked for), each independently, and publishes one `ip-ranges.updated` entry per
 * provider whose sets changed.
 *
 * @returns one result per provider; never throws for a provider's failure (see `outcome` and `reason`).
 * @example
 * const results = await refreshPublishedRanges(deps, { confirm: false });
 */
export async function refreshPublishedRanges(
  deps: RangeRefreshDeps,
  request: RefreshRequest = {},
): Promise<ProviderRefreshResult[]> {
  const sources = deps.sources ?? PUBLISHED_RANGE_SOURCES;
  const logger = deps.logger ?? silentLogger;
  const now = deps.now ?? (() => new Date());
  const targets = deps.targets.filter(
    (target) => request.providers === undefined || request.providers.includes(target.provider),
  );
  const results = await Promise.all(targets.map((target) => refreshOne(target, sources[target.provider])));

  const updated = results.filter((result) => result.outcome === 'updated');
  if (updated.length === 0) return results;
  const updatedAt = now();
  const entries = updated.map((result) => {
    const detail: IpRangesUpdatedDetail = {
      stage: deps.stage,
      provider: result.provider,
      added: result.added,
      removed: result.removed,
      published: result.published,
      source: sourceLabel(sources[result.provider]),
      confirmed: request.confirm === true,
      updatedAt: updatedAt.toISOString(),
    };
    return { source: EVENT_SOURCE, detailType: IP_RANGES_UPDATED_DETAIL_TYPE, detail: JSON.stringify(detail), time: updatedAt };
  });
  let failedIndexes: ReadonlyMap<number, string>;
  try {
    const put = await deps.bus.putEvents(entries);
    failedIndexes = new Map(put.failed.map((failure) => [failure.index, failure.errorCode]));
  } catch (error) {
    failedIndexes = new Map(entries.map((_, index) => [index, errorText(error)]));
  }
  if (failedIndexes.size === 0) return results;
  // The sets changed but the signal was lost: report it as a failure so that the alarm tells the operator.
  return results.map((result) => {
    const index = updated.indexOf(result);
    const failure = index === -1 ? undefined : failedIndexes.get(index);
    if (failure === undefined) return result;
    logger.error('IP sets updated but ip-ranges.updated was not published', { provider: result.provider, error: failure });
    return { ...result, outcome: 'failed' as const, reason: `the IP sets were updated but ip-ranges.updated was not published (${failure})` };
  });

  async function refreshOne(target: RefreshTarget, source: PublishedRangeSource): Promise<ProviderRefreshResult> {
    const staticCidrs = canonicalList(target.staticCidrs);
    const staticSet = new Set(staticCidrs);
    let previous: string[];
    try {
      const [v4, v6] = await Promise.all([deps.ipSets.get(target.ipv4), deps.ipSets.get(target.ipv6)]);
      previous = canonicalList([...v4.addresses, ...v6.addresses]).filter((cidr) => !staticSet.has(cidr));
    } catch (error) {
      logger.error('Reading the IP sets failed', { provider: target.provider, error: errorText(error) });
      return { provider: target.provider, outcome: 'failed', published: [], inForce: staticCidrs, added: [], removed: [], reason: `reading the IP sets failed: ${errorText(error)}` };
    }
    const kept = (outcome: 'failed' | 'refused', reason: string, needsConfirmation?: boolean): ProviderRefreshResult => ({
      provider: target.provider,
      outcome,
      published: previous,
      inForce: sortCidrs([...staticCidrs, ...previous]),
      added: [],
      removed: [],
      reason,
      ...(needsConfirmation ? { needsConfirmation } : {}),
    });

    let parsed: ParsedRanges;
    try {
      parsed = await fetchList(source, deps.fetch);
    } catch (error) {
      logger.warn('Fetching the published list failed; the last good list stays in force', {
        provider: target.provider,
        source: sourceLabel(source),
        error: errorText(error),
      });
      return kept('failed', `fetching ${sourceLabel(source)} failed: ${errorText(error)}`);
    }
    const verdict = judgeRanges(parsed, previous, deps.policy, request.confirm === true);
    if (!verdict.accepted) {
      logger.warn('Published list refused; the last good list stays in force', {
        provider: target.provider,
        reason: verdict.reason,
      });
      return kept('refused', verdict.reason, verdict.needsConfirmation);
    }
    const next = [...parsed.cidrs];
    const { added, removed } = rangeDifference(previous, next);
    const inForce = sortCidrs([...staticCidrs, ...next]);
    const result = { provider: target.provider, published: next, inForce, added, removed };
    if (added.length === 0 && removed.length === 0) return { ...result, outcome: 'unchanged' };
    if (request.dryRun) return { ...result, outcome: 'would-update' };
    try {
      await writeSet(target.ipv4, inForce.filter((cidr) => !isV6(cidr)));
      await writeSet(target.ipv6, inForce.filter(isV6));
    } catch (error) {
      logger.error('Updating the IP sets failed', { provider: target.provider, error: errorText(error) });
      return kept('failed', `updating the IP sets failed: ${errorText(error)}`);
    }
    logger.info('IP sets updated from the published list', { provider: target.provider, added, removed });
    return { ...result, outcome: 'updated' };
  }

  /** Replaces a set's addresses with `desired`, re-reading the lock token after a conflict. */
  async function writeSet(ref: IpSetRef, desired: readonly string[]): Promise<void> {
    const attempts = deps.maxLockAttempts ?? 3;
    for (let attempt = 1; ; attempt += 1) {
      const state = await deps.ipSets.get(ref);
      const current = canonicalList(state.addresses);
      if (current.length === desired.length && current.every((cidr, index) => cidr === desired[index])) return;
      try {
        await deps.ipSets.update(ref, desired, state.lockToken);
        return;
      } catch (error) {
        if (!(error instanceof IpSetLockConflictError) || attempt >= attempts) throw error;
        logger.info('IP set changed since it was read; reading it again', { ipSet: ref.name, attempt });
      }
    }
  }
}

/**
 * The CloudWatch embedded-metric records of a run: `IpRangesRefreshFailed` [Stage, Provider] per provider, 1 when
 * its list was refused or its refresh failed, 0 otherwise (so that the alarm clears on the next good run).
 */
export function refreshMetricRecords(
  results: readonly Pick<ProviderRefreshResult, 'provider' | 'outcome'>[],
  stage: string,
  now: Date,
  namespace = 'Hookguard',
): Record<string, unknown>[] {
  return results.map((result) => ({
    _aws: {
      Timestamp: now.getTime(),
      CloudWatchMetrics: [
        { Namespace: namespace, Dimensions: [['Stage', 'Provider']], Metrics: [{ Name: IP_RANGES_REFRESH_FAILED_METRIC, Unit: 'Count' }] },
      ],
    },
    Stage: stage,
    Provider: result.provider,
    [IP_RANGES_REFRESH_FAILED_METRIC]: result.outcome === 'failed' || result.outcome === 'refused' ? 1 : 0,
  }));
}

/**
 * What `"published"` resolves to at synth: the embedded known list of each publishing provider, merged with the
 * operator's own CIDRs. Entries other than `"published"` are returned as written.
 *
 * @example
 * resolveAllowedCidrs('brevo', ['published', '198.51.100.0/24']).cidrs; // ['1.179.112.0/20', ..., '198.51.100.0/24']
 */
export function resolveAllowedCidrs(
  provider: string,
  allowedCidrs: readonly string[],
  sources: Readonly<Record<PublishedRangeProvider, PublishedRangeSource>> = PUBLISHED_RANGE_SOURCES,
): { readonly cidrs: readonly string[]; readonly staticCidrs: readonly string[]; readonly published: boolean } {
  const published = allowedCidrs.includes('published');
  const staticCidrs = allowedCidrs.filter((entry) => entry !== 'published');
  if (!published) return { cidrs: staticCidrs, staticCidrs, published };
  const source = (sources as Readonly<Record<string, PublishedRangeSource>>)[provider];
  if (source === undefined) throw new Error(`${provider} publishes no webhook source list`);
  const seen = new Set(staticCidrs.map((cidr) => canonicalCidr(cidr) ?? cidr));
  const seeded = source.known.cidrs.filter((cidr) => !seen.has(cidr));
  return { cidrs: [...staticCidrs, ...seeded], staticCidrs, published };
}
