/**
 * `hookguard providers sync`: applies, on demand, the update a rotation makes at every managed provider (after
 * adding a provider, or after someone changed a webhook by hand at the provider): points each managed webhook at
 * the stage's URL with the current Basic credential, reads it back, and removes superseded ones (an SNS
 * subscription, an Unisender Go URL). `--dry-run` prints the difference per provider and changes nothing. The work
 * is the sync engine's (`lambda/core/provider-sync.ts`), the same code the rotation's `setSecret`/`testSecret` run.
 */
import { DescribeSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { parseBasicCredentialSecret } from '../../lambda/core/basic-auth';
import type { ProviderId } from '../../lambda/core/provider-ids';
import {
  buildManagedProviders,
  createProviderSync,
  parseProviderApiKeys,
  type ProviderSyncReport,
  type ProviderSyncResult,
  providerWebhookUrl,
} from '../../lambda/core/provider-sync';
import { MANAGEMENT_MODULES } from '../../lambda/management';
import { FetchHttpClient } from '../../lambda/management/http-client';
import type { ManagedAccount } from '../../lambda/management/types';
import { COMMON_OPTIONS, COMMON_OPTIONS_HELP, parseCommandLine, resolveCommonOptions, UsageError } from '../local/options';
import { type CliDeps, type CliIo, loadStage } from './cli-context';
import {
  type AwsTarget,
  awsClientConfig,
  awsTarget,
  DEPLOYED_OPTIONS,
  DEPLOYED_OPTIONS_HELP,
  JSON_OPTION,
  JSON_OPTION_HELP,
  printJson,
  type Style,
  styleFor,
} from './command-kit';
import { deployedStackOutputs, requireOutputs } from './deployed-resources';
import { DeployedStackError, deployedStackName } from './deployed-stack';
import { assertProviderId } from './provider-args';
import { managedAccountOf } from './provider-management';

/** `hookguard providers --help`. */
export const PROVIDERS_USAGE = [
  'Usage: npx hookguard providers sync [--dry-run] [--provider <id>] [--json] --deployed [options]',
  '',
  "sync   points every managed provider's webhook (providers.<id>.managed) at the stage's URL with the current",
  '       Basic credential through the provider\'s API, reads each back, then removes superseded webhooks (an SNS',
  '       subscription, an Unisender Go URL): the update a rotation makes, on demand. Every provider is tried; the',
  '       exit code is 1 when any failed. Providers not managed are left alone: hookguard urls --deployed --changed',
  '       prints what to paste by hand. Deployed stages only (provider accounts never point at the local runtime).',
  '       Needs cloudformation:DescribeStacks; secretsmanager:GetSecretValue and DescribeSecret on the credential',
  '       secret and GetSecretValue on the provider-API-keys secret; for Amazon SES the SNS subscription calls.',
  '',
  'Options:',
  '  --dry-run           print what would change at each provider, change nothing',
  '  --provider <id>     only this managed provider (repeatable)',
  JSON_OPTION_HELP.replace('print JSON (one document per line) for scripts', 'one JSON document per step (plan; or apply, verify, retire)'),
  ...DEPLOYED_OPTIONS_HELP,
  ...COMMON_OPTIONS_HELP,
].join('\n');

const PROVIDERS_OPTIONS = {
  ...COMMON_OPTIONS,
  ...DEPLOYED_OPTIONS,
  ...JSON_OPTION,
  'dry-run': { type: 'boolean' },
  provider: { type: 'string', multiple: true },
} as const;

/** The stack output naming the provider-API-keys secret (created when some provider is managed). */
export const PROVIDER_API_KEYS_OUTPUT = 'ProviderApiKeysSecretArn';

/** What `providers sync` reads from the deployed stage. */
export interface SyncInputs {
  readonly apiUrl: string;
  /** The AWSCURRENT credential. */
  readonly credential: { readonly username: string; readonly password: string };
  /** When an AWSPENDING version other than AWSCURRENT exists: a rotation under way or stopped. */
  readonly pendingRotation: boolean;
  /** The provider-API-keys secret's text. */
  readonly apiKeysText: string;
}

/** Runs `providers`; resolves the exit code. */
export async function runProvidersCommand(argv: readonly string[], io: CliIo, deps: CliDeps): Promise<number> {
  const { values, positionals } = parseCommandLine(argv, PROVIDERS_OPTIONS, true);
  if (values.help) {
    io.out(PROVIDERS_USAGE);
    return 0;
  }
  const [action, ...rest] = positionals;
  if (action === undefined) throw new UsageError('providers needs an action: sync (see npx hookguard providers --help)');
  if (action !== 'sync') throw new UsageError(`Unknown providers action "${action}" (expected sync)`);
  if (rest.length > 0) throw new UsageError(`providers sync takes no arguments, got "${rest[0]}"`);
  const options = resolveCommonOptions(values, io.env);
  const { stage } = loadStage(options, deps);
  if (!values.deployed) {
    throw new UsageError(
      `providers sync acts on deployed stages only: provider accounts point at a deployed stage's URL, never at the ` +
        `local runtime (npx hookguard urls prints the local URLs). Add --deployed to sync stage ${stage.stage}`,
    );
  }

  const modules = deps.managementModules ?? MANAGEMENT_MODULES;
  const accounts: Partial<Record<ProviderId, ManagedAccount>> = {};
  for (const provider of Object.keys(stage.providers) as ProviderId[]) {
    const account = managedAccountOf(stage, provider);
    if (account !== undefined) accounts[provider] = account;
  }
  const managed = Object.keys(accounts) as ProviderId[];
  if (values.provider !== undefined) {
    for (const id of values.provider) {
      assertProviderId(id);
      if (!managed.includes(id)) {
        throw new UsageError(
          `Provider ${id} is not managed in stage ${stage.stage} (managed: ${managed.length > 0 ? managed.join(', ') : 'none'})`,
        );
      }
    }
    for (const id of managed) if (!values.provider.includes(id)) delete accounts[id];
  }
  if (managed.length === 0) {
    io.out(
      `No provider of stage ${stage.stage} is managed (providers.<id>.managed): nothing to sync. ` +
        'npx hookguard urls --deployed --changed prints what to paste by hand.',
    );
    return 0;
  }

  const target = await awsTarget(values, stage, io.env);
  const inputs = await readSyncInputs(target, stage.stage);
  const style = styleFor(io);
  const managedProviders = buildManagedProviders({
    accounts,
    modules,
    apiKeys: parseProviderApiKeys(inputs.apiKeysText),
    webhookUrl: (provider) => providerWebhookUrl(inputs.apiUrl, provider),
    http: new FetchHttpClient(),
  });
  const engine = createProviderSync({ providers: managedProviders });
  const heading = values.json ? () => undefined : io.out;
  heading(
    `${values['dry-run'] ? 'Dry run: what would change at' : 'Syncing'} ${engine.providers.length} managed ` +
      `provider${engine.providers.length === 1 ? '' : 's'} of ${deployedStackName(stage.stage)} (${inputs.apiUrl}) with the current credential:`,
  );
  if (inputs.pendingRotation && !values.json) {
    io.err(
      style.yellow(
        'A rotation is incomplete (AWSPENDING is not AWSCURRENT): this syncs the current credential, which the ' +
          "authorizer accepts; the rotation's retry pushes the pending one again (docs/provider-sync.md).",
      ),
    );
  }
  const reports: ProviderSyncReport[] = [];
  const show = (report: ProviderSyncReport) => {
    reports.push(report);
    if (values.json) printJson(io, report);
    else for (const line of formatSyncReport(report, style)) io.out(line);
  };
  if (values['dry-run']) {
    show(await engine.plan(inputs.credential));
    return reports.every((report) => report.ok) ? 0 : 1;
  }
  show(await engine.apply(inputs.credential));
  show(await engine.verify(inputs.credential));
  // Retiring removes the old SNS subscription or Unisender Go URL: only where the new webhook was read back fine.
  const verified = new Set(reports[1]?.results.filter((result) => result.ok).map((result) => result.provider));
  if (verified.size > 0) {
    const retiring = createProviderSync({ providers: managedProviders.filter((entry) => verified.has(entry.provider)) });
    show(await retiring.retire(inputs.credential));
  }
  const failed = new Set(reports.flatMap((report) => report.failed));
  if (!values.json) {
    io.out(
      failed.size === 0
        ? style.green(`Every managed provider carries the current credential of stage ${stage.stage}.`)
        : style.red(`Not synced: ${[...failed].join(', ')}. Fix what the lines above say, then run this again.`),
    );
  }
  return failed.size === 0 ? 0 : 1;
}

const VERBS = { plan: 'would', apply: 'changed', verify: 'read back', retire: 'retired' } as const;

/** One block of lines per step: a line per provider with what changed, what was found, or why it failed. */
export function formatSyncReport(report: ProviderSyncReport, style: Style): string[] {
  const lines: string[] = [`${report.operation}:`];
  const width = Math.max(...report.results.map((result) => result.provider.length), 8);
  for (const result of report.results) {
    const head = `  ${result.provider.padEnd(width)}  `;
    if (!result.ok) {
      lines.push(head + style.red(`FAILED: ${failureText(result)}`));
      continue;
    }
    if (report.operation === 'verify') {
      const count = result.webhooks.filter((webhook) => !webhook.superseded).length;
      const unverifiable = result.unverifiable.length > 0 ? ` (${result.unverifiable.length} accepted on the provider's word: its API does not return the credential)` : '';
      lines.push(head + style.green(`ok: ${count} webhook${count === 1 ? ' points' : 's point'} at Hookguard with the credential${unverifiable}`));
      continue;
    }
    if (result.changes.length === 0) {
      lines.push(head + (report.operation === 'retire' ? 'nothing superseded' : 'up to date'));
      continue;
    }
    for (const [index, change] of result.changes.entries()) {
      const text = `${VERBS[report.operation]} ${change.action} ${change.id}: ${change.summary}`;
      lines.push((index === 0 ? head : ' '.repeat(head.length)) + (report.operation === 'plan' ? style.yellow(text) : text));
    }
  }
  return lines;
}

function failureText(result: ProviderSyncResult): string {
  const reason = result.error ?? result.problems.join('; ');
  return result.retryable ? `${reason} (temporary: retry later)` : reason;
}

/**
 * Reads what `providers sync` needs from the deployed stage: the outputs, the AWSCURRENT credential (and whether an
 * AWSPENDING version is waiting), and the provider-API-keys secret. Values are never printed.
 */
export async function readSyncInputs(target: AwsTarget, stage: string): Promise<SyncInputs> {
  const outputs = await deployedStackOutputs(target, stage);
  if (!outputs[PROVIDER_API_KEYS_OUTPUT] || outputs[PROVIDER_API_KEYS_OUTPUT] === 'none') {
    throw new DeployedStackError(
      `Stack ${deployedStackName(stage)} has no provider-API-keys secret: deploy the stage with its ` +
        'providers.<id>.managed blocks first (npx cdk deploy), then put the API keys in (docs/provider-sync.md)',
    );
  }
  const { ApiUrl, CredentialsSecretArn, [PROVIDER_API_KEYS_OUTPUT]: keysArn } = requireOutputs(outputs, stage, [
    'ApiUrl',
    'CredentialsSecretArn',
    PROVIDER_API_KEYS_OUTPUT,
  ]);
  const client = new SecretsManagerClient(awsClientConfig(target));
  try {
    const read = async (secretId: string, what: string) => {
      try {
        const value = await client.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: 'AWSCURRENT' }));
        return value.SecretString ?? '';
      } catch (error) {
        throw new DeployedStackError(`Could not read the ${what} ${secretId}: ${(error as Error).name}`, { cause: error });
      }
    };
    const [credentialText, apiKeysText, described] = await Promise.all([
      read(CredentialsSecretArn, 'credential secret'),
      read(keysArn, 'provider-API-keys secret'),
      client.send(new DescribeSecretCommand({ SecretId: CredentialsSecretArn })),
    ]);
    const credential = parseBasicCredentialSecret(credentialText);
    if (credential === null) {
      throw new DeployedStackError(`The credential secret of ${deployedStackName(stage)} does not hold {"username","password"}`);
    }
    const stages = Object.values(described.VersionIdsToStages ?? {});
    const pendingRotation = stages.some((labels) => labels.includes('AWSPENDING') && !labels.includes('AWSCURRENT'));
    return { apiUrl: ApiUrl, credential, pendingRotation, apiKeysText };
  } finally {
    client.destroy();
  }
}
