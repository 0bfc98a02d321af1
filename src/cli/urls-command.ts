/**
 * `hookguard urls`: the webhook URL of every enabled provider, with what to set at the provider: from the local
 * secrets file, or with `--deployed` from the deployed stack (its outputs and its current credential). With
 * `--changed`, only what a rotation leaves to the operator: the providers whose webhook Hookguard does not update
 * through the provider's API (docs/provider-sync.md) and whose URL carries the credential.
 */
import type { ProviderId } from '../../lambda/core/provider-ids';
import { formatProviderUrls, type ProviderUrl, webhookUrl } from '../local/console-output';
import { COMMON_OPTIONS, COMMON_OPTIONS_HELP, parseCommandLine, resolveCommonOptions, UsageError } from '../local/options';
import { PROVIDER_SETUP_HINTS } from '../local/provider-setup';
import { parseCredential } from '../local/secrets-file';
import { needsSigningKey } from '../local/signing-keys';
import {
  type CliDeps,
  type CliIo,
  defaultDeployedAws,
  loadStage,
  localBaseUrl,
  localPathToken,
  readLocalSecrets,
} from './cli-context';
import { awsTarget, DEPLOYED_OPTIONS, DEPLOYED_OPTIONS_HELP, JSON_OPTION, JSON_OPTION_HELP, printJson } from './command-kit';
import { currentDeployedCredential, deployedPathToken, describeDeployedStack } from './deployed-stack';
import { allowedSourcesOf, formatAllowedSources } from './allowed-sources';
import { assertProviderId } from './provider-args';
import { manualReasonText, providerManagement } from './provider-management';

/** `hookguard urls --help`. */
export const URLS_USAGE = [
  'Usage: npx hookguard urls [--provider <id>] [--json] [--deployed [--changed]] [options]',
  '',
  'Prints the webhook URL of every enabled provider (credentials included: treat them as secrets) and what to set',
  'at the provider. Locally from the secrets file; with --deployed from stack Hookguard-<stage> with your AWS',
  'credentials (cloudformation:DescribeStacks, secretsmanager:GetSecretValue on the credential secret, and on the',
  'path token secret when the stage has one: docs/path-token.md).',
  '',
  'Options:',
  '  --provider <id>     only this provider (repeatable)',
  '  --changed           with --deployed: only what must still be pasted by hand after a rotation, and where (the',
  '                      providers Hookguard does not update through their API and whose URL carries the credential)',
  JSON_OPTION_HELP.replace('print JSON (one document per line) for scripts', 'one JSON object per provider: provider, auth, url, setup'),
  ...DEPLOYED_OPTIONS_HELP,
  ...COMMON_OPTIONS_HELP,
].join('\n');

/** Runs `urls`; resolves the exit code. */
export async function runUrlsCommand(argv: readonly string[], io: CliIo, deps: CliDeps): Promise<number> {
  const { values } = parseCommandLine(
    argv,
    {
      ...COMMON_OPTIONS,
      ...DEPLOYED_OPTIONS,
      ...JSON_OPTION,
      provider: { type: 'string', multiple: true },
      changed: { type: 'boolean' },
    },
    false,
  );
  if (values.help) {
    io.out(URLS_USAGE);
    return 0;
  }
  if (values.changed && !values.deployed) {
    throw new UsageError(
      '--changed needs --deployed: provider webhooks are updated through provider APIs only for deployed stages',
    );
  }
  const options = resolveCommonOptions(values, io.env);
  const { stage, settings, providers } = loadStage(options, deps);
  let enabled = Object.keys(settings.providers) as ProviderId[];
  if (values.provider !== undefined) {
    const wanted: ProviderId[] = [];
    for (const id of values.provider) {
      assertProviderId(id);
      if (!enabled.includes(id)) throw new UsageError(`Provider ${id} is not enabled in stage ${stage.stage}`);
      wanted.push(id);
    }
    enabled = enabled.filter((id) => wanted.includes(id));
  }
  const heading = values.json ? () => undefined : io.out;
  let urls: ProviderUrl[];
  if (values.deployed) {
    const target = await awsTarget(values, stage, io.env);
    const aws = (deps.aws ?? defaultDeployedAws)(target);
    const stack = await describeDeployedStack(aws.stackOutputs, stage.stage);
    const credential = await currentDeployedCredential(aws.secretValues, stack);
    const pathToken = await deployedPathToken(aws.secretValues, stack);
    heading(`Stack ${stack.stackName} (${stack.apiUrl}):`);
    urls = enabled.map((provider) => {
      const auth = settings.providers[provider]?.auth ?? 'basic';
      return { provider, auth, url: webhookUrl(stack.apiUrl, provider, auth, credential, pathToken) };
    });
    if (values.changed) {
      printChanged(io, values.json === true, urls, providerManagement(stage, deps.managementModules), stack.stackName);
      return 0;
    }
  } else {
    const secrets = await readLocalSecrets(options.secretsPath);
    const credential = parseCredential(secrets.basicAuth.current);
    const pathToken = localPathToken(stage, secrets, options.secretsPath);
    const base = localBaseUrl(options.port);
    heading(`Local runtime (stage ${stage.stage}, ${base}):`);
    urls = enabled.map((provider) => {
      const auth = settings.providers[provider]?.auth ?? 'basic';
      const module = providers.get(provider);
      const keyed = module !== undefined && needsSigningKey(module);
      return {
        provider,
        auth,
        url: webhookUrl(base, provider, auth, credential, pathToken),
        ...(keyed ? { hasSigningKey: (secrets.providers[provider]?.signingKeys.length ?? 0) > 0 } : {}),
      };
    });
  }
  // The source allow-lists (published lists as embedded; deployed, `hookguard ranges --deployed` shows the WAF's).
  const sources = new Map(allowedSourcesOf(stage).map((entry) => [entry.provider, entry]));
  urls = urls.map((url) => {
    const entry = sources.get(url.provider);
    return entry === undefined ? url : { ...url, allowedSources: formatAllowedSources(entry) };
  });
  if (values.json) {
    for (const url of urls) {
      const { allowedSources: _line, ...rest } = url;
      const entry = sources.get(url.provider);
      printJson(io, { ...rest, setup: PROVIDER_SETUP_HINTS[url.provider], ...(entry ? { allowedSources: entry } : {}) });
    }
  } else {
    for (const line of formatProviderUrls(urls)) io.out(line);
  }
  return 0;
}

/**
 * `--changed`: the manual providers whose URL carries the credential, each with its URL and where it goes; then, in
 * text only, which providers need nothing (managed, or signature only).
 */
function printChanged(
  io: CliIo,
  json: boolean,
  urls: readonly ProviderUrl[],
  management: ReturnType<typeof providerManagement>,
  stackName: string,
): void {
  const byProvider = new Map(management.map((entry) => [entry.provider, entry]));
  const toPaste: Array<ProviderUrl & { reason: string }> = [];
  const managed: ProviderId[] = [];
  const unchanged: ProviderId[] = [];
  for (const url of urls) {
    const entry = byProvider.get(url.provider);
    if (entry === undefined) continue;
    if (entry.mode === 'managed') managed.push(url.provider);
    else if (!entry.carriesCredential) unchanged.push(url.provider);
    else toPaste.push({ ...url, reason: manualReasonText(url.provider, entry.reason) });
  }
  if (json) {
    for (const entry of toPaste) {
      printJson(io, {
        provider: entry.provider,
        auth: entry.auth,
        url: entry.url,
        setup: PROVIDER_SETUP_HINTS[entry.provider],
        reason: entry.reason,
      });
    }
    return;
  }
  if (toPaste.length === 0) io.out('Nothing to paste by hand: every provider whose URL carries the credential is managed.');
  else {
    io.out(`Paste by hand at each provider (the current credential of ${stackName}):`);
    for (const entry of toPaste) {
      io.out(`  ${entry.provider.padEnd(18)} ${entry.url}`);
      io.out(`  ${''.padEnd(18)} where: ${PROVIDER_SETUP_HINTS[entry.provider]}`);
      io.out(`  ${''.padEnd(18)} why by hand: ${entry.reason}`);
    }
  }
  if (managed.length > 0) {
    io.out(`Updated by Hookguard through their API at each rotation: ${managed.join(', ')} (now: hookguard providers sync --deployed)`);
  }
  if (unchanged.length > 0) io.out(`Unchanged by a rotation (auth: signature, no credential in the URL): ${unchanged.join(', ')}`);
}
