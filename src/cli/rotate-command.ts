/**
 * `hookguard rotate`: a new Basic credential. Locally: the secrets file gets a new current credential and keeps the
 * old one as previous (the one AWSPREVIOUS a deployed secret has) unless `--revoke-previous`; a running local
 * runtime picks it up at once. With `--deployed`: the stack's rotation (`lib/ops/rotate-credentials.ts`).
 */

import type { ProviderId } from '../../lambda/core/provider-ids';
import { formatProviderUrls, webhookUrl } from '../local/console-output';
import { COMMON_OPTIONS, COMMON_OPTIONS_HELP, parseCommandLine, resolveCommonOptions } from '../local/options';
import {
  formatCredential,
  GENERATED_PASSWORD_LENGTH,
  parseCredential,
  randomAlphanumeric,
  writeSecretsFile,
} from '../local/secrets-file';
import { type CliDeps, type CliIo, defaultDeployedAws, loadStage, localBaseUrl, localPathToken, readLocalSecrets } from './cli-context';
import { awsTarget, DEPLOYED_OPTIONS, DEPLOYED_OPTIONS_HELP } from './command-kit';
import { describeDeployedStack } from './deployed-stack';

/** `hookguard rotate --help`. */
export const ROTATE_USAGE = [
  'Usage: npx hookguard rotate [--revoke-previous] [--deployed [--resume]] [options]',
  '',
  'Replaces the Basic credential. The previous credential keeps working (locally until the next rotation, deployed',
  'for auth.gracePeriodHours) unless --revoke-previous, which stops it at once: every provider then fails until it',
  'has the new URL. Mandrill signs its URL including the credentials, so update it there too.',
  '',
  'Options:',
  '  --revoke-previous   stop accepting the previous credential now',
  '  --deployed          rotate the deployed stack Hookguard-<stage> (RotateSecret, then an authorizer cache flush)',
  '  --resume            with --deployed: finish a failed rotation (same pending credential, steps run again)',
  ...DEPLOYED_OPTIONS_HELP.slice(1),
  ...COMMON_OPTIONS_HELP,
].join('\n');

/** Runs `rotate`; resolves the exit code. */
export async function runRotateCommand(argv: readonly string[], io: CliIo, deps: CliDeps): Promise<number> {
  const { values } = parseCommandLine(
    argv,
    { ...COMMON_OPTIONS, ...DEPLOYED_OPTIONS, 'revoke-previous': { type: 'boolean' }, resume: { type: 'boolean' } },
    false,
  );
  if (values.help) {
    io.out(ROTATE_USAGE);
    return 0;
  }
  const options = resolveCommonOptions(values, io.env);
  const { stage, settings } = loadStage(options, deps);
  const revoke = values['revoke-previous'] ?? false;

  if (values.deployed) {
    const aws = (deps.aws ?? defaultDeployedAws)(await awsTarget(values, stage, io.env));
    const stack = await describeDeployedStack(aws.stackOutputs, stage.stage);
    const report = await aws.rotate({
      secretId: stack.credentialsSecretArn,
      restApiId: stack.restApiId,
      stageName: stack.stageName,
      revokePrevious: revoke,
      ...(values.resume ? { resumePending: true } : {}),
      // A warm authorizer may hold the old values for the secret cache TTL: flush again after it when revoking.
      settleSeconds: revoke ? stage.auth.secretCacheTtlSeconds : 0,
      onProgress: (message) => io.out(message),
    });
    io.out(
      `Rotated ${stack.stackName}: version ${report.versionId} is current` +
        (report.revokedVersionId ? `; version ${report.revokedVersionId} revoked` : '') +
        '. New webhook URLs: npx hookguard urls --deployed',
    );
    return 0;
  }

  const secrets = await readLocalSecrets(options.secretsPath);
  const current = parseCredential(secrets.basicAuth.current);
  const username = current?.username ?? stage.auth.username;
  const credential = { username, password: randomAlphanumeric(GENERATED_PASSWORD_LENGTH) };
  await writeSecretsFile(options.secretsPath, {
    ...secrets,
    basicAuth: { current: formatCredential(credential), previous: revoke ? [] : [secrets.basicAuth.current] },
  });
  io.out(
    revoke
      ? `Rotated the local Basic credential in ${options.secretsPath}; previous credentials revoked.`
      : `Rotated the local Basic credential in ${options.secretsPath}; the previous one keeps working until the next rotation.`,
  );
  io.out('New webhook URLs:');
  const base = localBaseUrl(options.port);
  const pathToken = localPathToken(stage, secrets, options.secretsPath);
  const urls = (Object.keys(settings.providers) as ProviderId[]).map((provider) => {
    const auth = settings.providers[provider]?.auth ?? 'basic';
    return { provider, auth, url: webhookUrl(base, provider, auth, credential, pathToken) };
  });
  for (const line of formatProviderUrls(urls)) io.out(line);
  return 0;
}
