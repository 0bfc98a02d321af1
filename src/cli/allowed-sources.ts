/**
 * The source allow-lists a stage's configuration puts in force (`providers.<id>.allowedCidrs`), with `"published"`
 * resolved to the embedded known list, its source and the date it was checked. `urls`, `status` and `ranges` show
 * them; deployed, the WAF IP sets may hold a newer published list (`hookguard ranges --deployed` reads those).
 */
import { resolveAllowedCidrs } from '../../lambda/core/ip-ranges';
import { PUBLISHED_RANGE_SOURCES, publishesRanges } from '../../lambda/core/ip-ranges-sources';
import type { ProviderId } from '../../lambda/core/provider-ids';
import type { StageConfig } from '../../lib/config/types';

/** One provider's allow-list. */
export interface AllowedSources {
  readonly provider: ProviderId;
  /** Every CIDR in force: the operator's own, then the published list's. */
  readonly cidrs: readonly string[];
  /** The operator's own CIDRs. */
  readonly ownCidrs: readonly string[];
  /** With `"published"`: the embedded list's check date and source. */
  readonly published?: { readonly cidrs: readonly string[]; readonly checked: string; readonly source: string };
}

/** The allow-lists of the stage's providers that have one (providers without one accept any source). */
export function allowedSourcesOf(stage: StageConfig): AllowedSources[] {
  return (Object.entries(stage.providers) as Array<[ProviderId, StageConfig['providers'][ProviderId]]>).flatMap(
    ([provider, settings]) => {
      if (settings === undefined || settings.allowedCidrs.length === 0) return [];
      const resolved = resolveAllowedCidrs(provider, settings.allowedCidrs);
      const known = resolved.published && publishesRanges(provider) ? PUBLISHED_RANGE_SOURCES[provider].known : undefined;
      return [
        {
          provider,
          cidrs: resolved.cidrs,
          ownCidrs: resolved.staticCidrs,
          ...(known ? { published: { cidrs: known.cidrs, checked: known.checked, source: known.source } } : {}),
        },
      ];
    },
  );
}

/**
 * One line: `allowed sources (AWS WAF): 3 CIDRs: a, b, c (published list as checked 2026-12-02, ...)`. The local
 * runtime filters no source address: this is what the deployed web ACL allows.
 */
export function formatAllowedSources(entry: AllowedSources): string {
  const list = entry.cidrs.length === 0 ? 'none yet' : entry.cidrs.join(', ');
  const published =
    entry.published === undefined
      ? ''
      : entry.published.cidrs.length === 0
        ? ' (published list: none embedded; deployed, the first refresh fills it and the path is blocked until then)'
        : ` (published list as checked ${entry.published.checked}; deployed, the refresher keeps it current)`;
  return `allowed sources (AWS WAF): ${entry.cidrs.length} CIDR${entry.cidrs.length === 1 ? '' : 's'}: ${list}${published}`;
}
