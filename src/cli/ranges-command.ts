/**
 * `hookguard ranges`: the source allow-lists of a stage. Locally from the configuration (`"published"` shown as the
 * embedded list with its source and date); with `--deployed` from the deployed WAF IP sets, by invoking the refresher
 * in dry-run mode (what is in force, and what a refresh would change). `hookguard ranges refresh --deployed` runs a
 * refresh now; `--confirm` accepts a change above `ipRanges.maxChangeShare`. docs/ip-ranges.md.
 */
import type { ProviderRefreshResult } from '../../lambda/core/ip-ranges';
import { PUBLISHED_RANGE_SOURCES, publishesRanges } from '../../lambda/core/ip-ranges-sources';
import type { ProviderId } from '../../lambda/core/provider-ids';
import { isRecord } from '../../lambda/providers/shared';
import { COMMON_OPTIONS, COMMON_OPTIONS_HELP, parseCommandLine, resolveCommonOptions, UsageError } from '../local/options';
import { allowedSourcesOf, formatAllowedSources } from './allowed-sources';
import { type CliDeps, type CliIo, defaultDeployedAws, loadStage } from './cli-context';
import { awsTarget, DEPLOYED_OPTIONS, DEPLOYED_OPTIONS_HELP, JSON_OPTION, JSON_OPTION_HELP, printJson } from './command-kit';
import { DeployedStackError, deployedStackName } from './deployed-stack';
import { assertProviderId } from './provider-args';

/** `hookguard ranges --help`. */
export const RANGES_USAGE = [
  'Usage: npx hookguard ranges [--provider <id>] [--json] [--deployed] [options]',
  '       npx hookguard ranges refresh --deployed [--confirm] [--dry-run] [--provider <id>] [options]',
  '',
  'Shows the source allow-list (providers.<id>.allowedCidrs) of every provider that has one. Locally from the',
  'configuration, "published" as the list embedded in this version with its source and date (the local runtime',
  'itself filters no source address). With --deployed from the WAF IP sets, by invoking the stage\'s refresher in',
  'dry-run mode: what is in force and what a refresh would change (lambda:InvokeFunction on the function named by',
  'the stack output IpRangesFunctionName, cloudformation:DescribeStacks).',
  '',
  'ranges refresh --deployed fetches every published list now and updates the IP sets (docs/ip-ranges.md).',
  '',
  'Options:',
  '  --provider <id>     only this provider (repeatable)',
  '  --confirm           refresh: accept a change above ipRanges.maxChangeShare (never an implausible list)',
  '  --dry-run           refresh: fetch and judge, change nothing',
  JSON_OPTION_HELP.replace('print JSON (one document per line) for scripts', 'one JSON object per provider'),
  ...DEPLOYED_OPTIONS_HELP,
  ...COMMON_OPTIONS_HELP,
].join('\n');

/** The refresher's answer, as `lambda/ranges/handler.ts` returns it. */
interface RefresherAnswer {
  readonly stage: string;
  readonly dryRun: boolean;
  readonly results: readonly ProviderRefreshResult[];
}

function isRefresherAnswer(value: unknown): value is RefresherAnswer {
  return isRecord(value) && typeof value.stage === 'string' && Array.isArray(value.results);
}

/** Lines for one provider's refresh result. */
export function formatRefreshResult(result: ProviderRefreshResult): string[] {
  const lines = [`  ${result.provider.padEnd(10)} ${result.outcome}${result.reason ? `: ${result.reason}` : ''}`];
  const pad = ''.padEnd(12);
  lines.push(`${pad}in force: ${result.inForce.length === 0 ? 'none' : result.inForce.join(', ')}`);
  if (result.added.length > 0) lines.push(`${pad}${result.outcome === 'updated' ? 'added' : 'would add'}: ${result.added.join(', ')}`);
  if (result.removed.length > 0) {
    lines.push(`${pad}${result.outcome === 'updated' ? 'removed' : 'would remove'}: ${result.removed.join(', ')}`);
  }
  if (result.needsConfirmation) lines.push(`${pad}confirm with: npx hookguard ranges refresh --deployed --confirm --provider ${result.provider}`);
  return lines;
}

/** Runs `ranges`; resolves the exit code (1 when a refresh failed or was refused). */
export async function runRangesCommand(argv: readonly string[], io: CliIo, deps: CliDeps): Promise<number> {
  const { values, positionals } = parseCommandLine(
    argv,
    {
      ...COMMON_OPTIONS,
      ...DEPLOYED_OPTIONS,
      ...JSON_OPTION,
      provider: { type: 'string', multiple: true },
      confirm: { type: 'boolean' },
      'dry-run': { type: 'boolean' },
    },
    true,
  );
  if (values.help) {
    io.out(RANGES_USAGE);
    return 0;
  }
  const [action, ...extra] = positionals;
  if (extra.length > 0 || (action !== undefined && action !== 'refresh')) {
    throw new UsageError(`ranges takes no argument but "refresh", got "${positionals.join(' ')}"`);
  }
  const refresh = action === 'refresh';
  if (!refresh && (values.confirm || values['dry-run'])) throw new UsageError('--confirm and --dry-run belong to ranges refresh');
  if (refresh && !values.deployed) {
    throw new UsageError('ranges refresh acts on a deployed stage\'s WAF IP sets: add --deployed (the local runtime filters no source address)');
  }
  const options = resolveCommonOptions(values, io.env);
  const { stage } = loadStage(options, deps);
  const wanted: ProviderId[] = [];
  for (const id of values.provider ?? []) {
    assertProviderId(id);
    if (stage.providers[id] === undefined) throw new UsageError(`Provider ${id} is not enabled in stage ${stage.stage}`);
    wanted.push(id);
  }
  const selected = <T extends { readonly provider: ProviderId }>(entries: readonly T[]) =>
    wanted.length === 0 ? [...entries] : entries.filter((entry) => wanted.includes(entry.provider));

  if (!values.deployed) {
    const sources = selected(allowedSourcesOf(stage));
    if (values.json) for (const entry of sources) printJson(io, entry);
    else {
      io.out(`Stage ${stage.stage}, from the configuration (the local runtime filters no source address):`);
      if (sources.length === 0) io.out('  no provider has allowedCidrs: every source is accepted');
      for (const entry of sources) {
        io.out(`  ${entry.provider.padEnd(10)} ${formatAllowedSources(entry)}`);
        if (entry.published && publishesRanges(entry.provider)) {
          io.out(`  ${''.padEnd(10)} published list: ${entry.published.source}`);
          const location = PUBLISHED_RANGE_SOURCES[entry.provider].location;
          io.out(`  ${''.padEnd(10)} refreshed from: ${location.kind === 'dns' ? `DNS A records of ${location.hostname}` : location.url}`);
        }
      }
    }
    return 0;
  }

  const published = wanted.filter((id) => !publishesRanges(id) || !stage.providers[id]?.allowedCidrs.includes('published'));
  if (published.length > 0) throw new UsageError(`${published.join(', ')} ha${published.length === 1 ? 's' : 've'} no "published" in allowedCidrs`);
  const aws = (deps.aws ?? defaultDeployedAws)(await awsTarget(values, stage, io.env));
  const outputs = await aws.stackOutputs.outputs(deployedStackName(stage.stage));
  const functionName = outputs.IpRangesFunctionName;
  if (functionName === undefined || functionName === 'none') {
    throw new DeployedStackError(
      `Stack ${deployedStackName(stage.stage)} has no IP-range refresher: no provider has "published" in allowedCidrs (or the stack predates it)`,
    );
  }
  if (aws.invokeFunction === undefined) throw new DeployedStackError('This AWS adapter cannot invoke functions');
  const payload = {
    dryRun: !refresh || values['dry-run'] === true,
    ...(values.confirm ? { confirm: true } : {}),
    ...(wanted.length > 0 ? { providers: wanted } : {}),
  };
  const answer = await aws.invokeFunction(functionName, payload);
  if (!isRefresherAnswer(answer)) throw new DeployedStackError(`${functionName} answered something that is not a refresh result`);
  if (values.json) for (const result of answer.results) printJson(io, result);
  else {
    io.out(
      refresh && !answer.dryRun
        ? `Stage ${answer.stage}: refreshed the published IP ranges:`
        : `Stage ${answer.stage}: the WAF IP sets, and what a refresh would change (nothing was changed):`,
    );
    for (const result of answer.results) for (const line of formatRefreshResult(result)) io.out(line);
  }
  return answer.results.some((result) => result.outcome === 'failed' || result.outcome === 'refused') ? 1 : 0;
}
