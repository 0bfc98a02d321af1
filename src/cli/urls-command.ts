/**
 * `hookguard urls`: the webhook URL of every enabled provider, with what to set at the provider: from the local
 * secrets file, or with `--deployed` from the deployed stack (its outputs and its current credential).
 */
import type { ProviderId } from '../../lambda/core/provider-ids';
import { formatProviderUrls, type ProviderUrl, webhookUrl } from '../local/console-output';
import { COMMON_OPTIONS, COMMON_OPTIONS_HELP, parseCommandLine, resolveCommonOptions } from '../local/options';
import { parseCredential } from '../local/secrets-file';
import { needsSigningKey } from '../local/signing-keys';
import { type CliDeps, type CliIo, defaultDeployedAws, loadStage, localBaseUrl, readLocalSecrets } from './cli-context';
import { currentDeployedCredential, describeDeployedStack } from './deployed-stack';

/** `hookguard urls --help`. */
export const URLS_USAGE = [
  'Usage: npx hookguard urls [--deployed] [options]',
  '',
  'Prints the webhook URL of every enabled provider (credentials included: treat them as secrets) and what to set',
  'at the provider. Locally from the secrets file; with --deployed from stack Hookguard-<stage> with your AWS',
  'credentials (cloudformation:DescribeStacks, secretsmanager:GetSecretValue on the credential secret).',
  '',
  'Options:',
  '  --deployed          read the deployed stack instead of the local secrets file',
  ...COMMON_OPTIONS_HELP,
].join('\n');

/** Runs `urls`; resolves the exit code. */
export async function runUrlsCommand(argv: readonly string[], io: CliIo, deps: CliDeps): Promise<number> {
  const { values } = parseCommandLine(argv, { ...COMMON_OPTIONS, deployed: { type: 'boolean' } }, false);
  if (values.help) {
    io.out(URLS_USAGE);
    return 0;
  }
  const options = resolveCommonOptions(values, io.env);
  const { stage, settings, providers } = loadStage(options, deps);
  const enabled = Object.keys(settings.providers) as ProviderId[];
  let urls: ProviderUrl[];
  if (values.deployed) {
    const aws = (deps.aws ?? defaultDeployedAws)(stage.env?.region);
    const stack = await describeDeployedStack(aws.stackOutputs, stage.stage);
    const credential = await currentDeployedCredential(aws.secretValues, stack);
    io.out(`Stack ${stack.stackName} (${stack.apiUrl}):`);
    urls = enabled.map((provider) => {
      const auth = settings.providers[provider]?.auth ?? 'basic';
      return { provider, auth, url: webhookUrl(stack.apiUrl, provider, auth, credential) };
    });
  } else {
    const secrets = await readLocalSecrets(options.secretsPath);
    const credential = parseCredential(secrets.basicAuth.current);
    const base = localBaseUrl(options.port);
    io.out(`Local runtime (stage ${stage.stage}, ${base}):`);
    urls = enabled.map((provider) => {
      const auth = settings.providers[provider]?.auth ?? 'basic';
      const module = providers.get(provider);
      const keyed = module !== undefined && needsSigningKey(module);
      return {
        provider,
        auth,
        url: webhookUrl(base, provider, auth, credential),
        ...(keyed ? { hasSigningKey: (secrets.providers[provider]?.signingKeys.length ?? 0) > 0 } : {}),
      };
    });
  }
  for (const line of formatProviderUrls(urls)) io.out(line);
  return 0;
}
