/**
 * `hookguard keys`: the providers' signing keys. `set` checks each key's form for the provider and replaces only
 * that provider's keys (in the local secrets file, or merged into the deployed signing keys secret without touching
 * the other providers' entries); `list` shows fingerprints, never keys; `rotate-help` prints a provider's steps.
 */
import { createPublicKey, randomUUID } from 'node:crypto';
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { PROVIDER_IDS, type ProviderId } from '../../lambda/core/provider-ids';
import { PROVIDERS } from '../../lambda/providers';
import type { ProviderModule } from '../../lambda/providers/types';
import { COMMON_OPTIONS, COMMON_OPTIONS_HELP, parseCommandLine, resolveCommonOptions, UsageError } from '../local/options';
import { type LocalProviderSecrets, writeSecretsFile } from '../local/secrets-file';
import { needsSigningKey } from '../local/signing-keys';
import { type CliDeps, type CliIo, loadStage, readLocalSecrets } from './cli-context';
import {
  type AwsTarget,
  awsClientConfig,
  awsTarget,
  DEPLOYED_OPTIONS,
  DEPLOYED_OPTIONS_HELP,
  JSON_OPTION,
  JSON_OPTION_HELP,
  printJson,
} from './command-kit';
import { deployedStackOutput } from './deployed-resources';
import { keyFingerprint, keyFormatProblem } from './key-formats';
import { assertProviderId } from './provider-args';

/** `hookguard keys --help`. */
export const KEYS_USAGE = [
  'Usage: npx hookguard keys set <provider> <key>... [--deployed] [options]',
  '       npx hookguard keys list [--json] [--deployed] [options]',
  '       npx hookguard keys rotate-help <provider>',
  '',
  "set          checks each key's form for the provider, then replaces that provider's keys (every key given is",
  '             accepted, so give old and new together during a rotation). Other providers are never touched.',
  '             Locally: the secrets file (a running runtime uses it at once). Deployed: the SigningKeysSecretArn',
  '             secret, read-modify-write, refused if someone else changed it meanwhile (secretsmanager:',
  '             GetSecretValue, DescribeSecret, PutSecretValue); verifiers pick it up within their key cache TTL.',
  'list         every provider that signs, with its keys as fingerprints (sha256:<12 hex>), never the keys.',
  "rotate-help  the provider's key-rotation steps.",
  '',
  'Options:',
  JSON_OPTION_HELP,
  ...DEPLOYED_OPTIONS_HELP,
  ...COMMON_OPTIONS_HELP,
].join('\n');

const KEYS_OPTIONS = { ...COMMON_OPTIONS, ...DEPLOYED_OPTIONS, ...JSON_OPTION } as const;

/** Runs `keys`; resolves the exit code. */
export async function runKeysCommand(argv: readonly string[], io: CliIo, deps: CliDeps): Promise<number> {
  // A PEM key starts with dashes: keep it away from the option parser (which would also quote it in its error).
  const pems: string[] = [];
  const tokens = argv.map((token) => (token.startsWith('-----') ? `\u0000pem${pems.push(token) - 1}` : token));
  const parsed = parseCommandLine(tokens, KEYS_OPTIONS, true);
  const values = parsed.values;
  const positionals = parsed.positionals.map((token) =>
    token.startsWith('\u0000pem') ? (pems[Number(token.slice(4))] as string) : token,
  );
  if (values.help) {
    io.out(KEYS_USAGE);
    return 0;
  }
  const [action, ...rest] = positionals;
  switch (action) {
    case 'set':
      return setKeys(rest, values, io, deps);
    case 'list':
      if (rest.length > 0) throw new UsageError(`keys list takes no arguments, got "${rest[0]}"`);
      return listKeys(values, io, deps);
    case 'rotate-help':
      return rotateHelp(rest, io, deps);
    case undefined:
      throw new UsageError('keys needs an action: set, list or rotate-help (see npx hookguard keys --help)');
    default:
      throw new UsageError(`Unknown keys action "${action}" (expected set, list, rotate-help)`);
  }
}

type KeysValues = ReturnType<typeof parseCommandLine<typeof KEYS_OPTIONS>>['values'];

function moduleFor(providers: ReadonlyMap<ProviderId, ProviderModule>, id: ProviderId): ProviderModule {
  const module = providers.get(id);
  if (module === undefined) throw new UsageError(`Provider "${id}" has no registered module`);
  return module;
}

async function setKeys(args: readonly string[], values: KeysValues, io: CliIo, deps: CliDeps): Promise<number> {
  const [providerId, ...keys] = args;
  if (providerId === undefined) throw new UsageError('keys set needs a provider and at least one key');
  assertProviderId(providerId);
  const options = resolveCommonOptions(values, io.env);
  const { stage, providers } = loadStage(options, deps);
  const module = moduleFor(providers, providerId);
  if (!needsSigningKey(module)) throw new UsageError(`Nothing written: ${keyFormatProblem(module, '')}`);
  if (keys.length === 0) throw new UsageError(`keys set ${providerId} needs at least one key`);
  const problems = keys
    .map((key, index) => ({ index, problem: keyFormatProblem(module, key) }))
    .filter((entry) => entry.problem !== null);
  if (problems.length > 0) {
    const which = problems.map(({ index, problem }) => `key ${index + 1} ${problem}`).join('; ');
    throw new UsageError(`Nothing written: ${providerId} ${which}`);
  }
  const unique = [...new Set(keys.map((key) => key.trim()))];
  const fingerprints = unique.map(keyFingerprint).join(', ');

  if (values.deployed) {
    const target = await awsTarget(values, stage, io.env);
    const secretId = await deployedStackOutput(target, stage.stage, 'SigningKeysSecretArn');
    const version = await mergeDeployedKeys(target, secretId, providerId, unique);
    io.out(
      `Set ${unique.length} ${providerId} key${unique.length === 1 ? '' : 's'} (${fingerprints}) in ${secretId}, version ${version}; ` +
        'other providers unchanged. Verifiers use them within their signing key cache TTL.',
    );
    return 0;
  }

  const secrets = await readLocalSecrets(options.secretsPath);
  const previous = secrets.providers[providerId];
  const entry: LocalProviderSecrets = {
    signingKeys: unique,
    // The generated private key stays only while its public half is still accepted (send signs with it).
    ...(previous?.simulationKey !== undefined && pairsWithOneOf(previous.simulationKey, unique)
      ? { simulationKey: previous.simulationKey }
      : {}),
  };
  await writeSecretsFile(options.secretsPath, { ...secrets, providers: { ...secrets.providers, [providerId]: entry } });
  io.out(
    `Set ${unique.length} ${providerId} key${unique.length === 1 ? '' : 's'} (${fingerprints}) in ${options.secretsPath}; ` +
      'other providers unchanged. A running local runtime uses them at once.',
  );
  if (previous?.simulationKey !== undefined && entry.simulationKey === undefined) {
    io.err(
      `note: the generated ${providerId} key pair is no longer accepted, so hookguard send ${providerId} needs --key <private key>`,
    );
  }
  return 0;
}

/** Whether a private key's public half is one of the keys (compared as SPKI DER, whatever form each is in). */
function pairsWithOneOf(privateKey: string, keys: readonly string[]): boolean {
  try {
    const own = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
    return keys.some((key) => {
      try {
        const text = key.trim();
        const parsed = text.startsWith('-----BEGIN')
          ? createPublicKey(text)
          : createPublicKey({ key: Buffer.from(text.replace(/\s+/g, ''), 'base64'), format: 'der', type: 'spki' });
        return parsed.export({ type: 'spki', format: 'der' }).equals(own);
      } catch {
        return false;
      }
    });
  } catch {
    return false;
  }
}

/** The deployed secret was changed by someone else between our read and our write. */
export class ConcurrentChangeError extends Error {
  constructor(secretId: string) {
    super(
      `The signing keys secret ${secretId} changed while keys set was running (someone else wrote it); nothing ` +
        'written: run the command again',
    );
    this.name = 'ConcurrentChangeError';
  }
}

/**
 * Read-modify-write of the deployed signing keys secret: replaces one provider's list and keeps every other entry
 * exactly as stored (even ones this version of Hookguard does not know). Secrets Manager has no conditional put, so
 * the AWSCURRENT version is read, checked again just before the put, and the put is checked afterwards to have
 * replaced exactly the version that was read.
 *
 * @returns the new version id.
 * @throws {ConcurrentChangeError} when another writer's version landed in between.
 */
export async function mergeDeployedKeys(
  target: AwsTarget,
  secretId: string,
  provider: ProviderId,
  keys: readonly string[],
): Promise<string> {
  const client = new SecretsManagerClient(awsClientConfig(target));
  try {
    const read = await client.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: 'AWSCURRENT' }));
    let document: Record<string, unknown> = {};
    if (read.SecretString !== undefined && read.SecretString.trim() !== '') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(read.SecretString);
      } catch {
        parsed = undefined;
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        throw new Error(
          `The signing keys secret ${secretId} does not hold a JSON object; nothing written (fix it by hand first)`,
        );
      }
      document = parsed as Record<string, unknown>;
    }
    const next = { ...document, [provider]: keys };

    const described = await client.send(new DescribeSecretCommand({ SecretId: secretId }));
    if (currentVersionOf(described.VersionIdsToStages) !== read.VersionId) throw new ConcurrentChangeError(secretId);
    const token = randomUUID();
    const put = await client.send(
      new PutSecretValueCommand({ SecretId: secretId, SecretString: JSON.stringify(next), ClientRequestToken: token }),
    );
    const after = await client.send(new DescribeSecretCommand({ SecretId: secretId }));
    const stages = after.VersionIdsToStages ?? {};
    const ours = put.VersionId ?? token;
    if (read.VersionId !== undefined && !(stages[read.VersionId] ?? []).includes('AWSPREVIOUS')) {
      throw new Error(
        `Another write to ${secretId} landed at the same moment as version ${ours}; check every provider with ` +
          'npx hookguard keys list --deployed and set again what is missing',
      );
    }
    return ours;
  } finally {
    client.destroy();
  }
}

function currentVersionOf(stages: Record<string, string[]> | undefined): string | undefined {
  return Object.entries(stages ?? {}).find(([, labels]) => labels.includes('AWSCURRENT'))?.[0];
}

/** One provider's line in `keys list`. */
interface KeyListing {
  readonly provider: ProviderId;
  readonly enabled: boolean;
  readonly fingerprints: readonly string[];
  /** Local only: a generated private key lets `send` sign as the provider. */
  readonly simulationKey?: boolean;
}

async function listKeys(values: KeysValues, io: CliIo, deps: CliDeps): Promise<number> {
  const options = resolveCommonOptions(values, io.env);
  const { stage, settings, providers } = loadStage(options, deps);
  const signing = PROVIDER_IDS.filter((id) => {
    const module = providers.get(id);
    return module !== undefined && needsSigningKey(module);
  });
  let keysOf: (id: ProviderId) => readonly string[];
  let simulation: ((id: ProviderId) => boolean) | undefined;
  let where: string;
  if (values.deployed) {
    const target = await awsTarget(values, stage, io.env);
    const secretId = await deployedStackOutput(target, stage.stage, 'SigningKeysSecretArn');
    const client = new SecretsManagerClient(awsClientConfig(target));
    let text: string | undefined;
    try {
      text = (await client.send(new GetSecretValueCommand({ SecretId: secretId }))).SecretString;
    } finally {
      client.destroy();
    }
    let document: Record<string, unknown> = {};
    try {
      const parsed: unknown = JSON.parse(text ?? '{}');
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) document = parsed as typeof document;
    } catch {
      throw new Error(`The signing keys secret ${secretId} is not valid JSON`);
    }
    keysOf = (id) => {
      const list = Object.hasOwn(document, id) ? document[id] : undefined;
      return Array.isArray(list) ? list.filter((key): key is string => typeof key === 'string') : [];
    };
    where = secretId;
  } else {
    const secrets = await readLocalSecrets(options.secretsPath);
    keysOf = (id) => secrets.providers[id]?.signingKeys ?? [];
    simulation = (id) => secrets.providers[id]?.simulationKey !== undefined;
    where = options.secretsPath;
  }
  const listing: KeyListing[] = signing.map((provider) => ({
    provider,
    enabled: settings.providers[provider] !== undefined,
    fingerprints: keysOf(provider).map(keyFingerprint),
    ...(simulation ? { simulationKey: simulation(provider) } : {}),
  }));
  if (values.json) {
    for (const entry of listing) printJson(io, entry);
    return 0;
  }
  io.out(`Signing keys in ${where} (fingerprints, not keys):`);
  for (const entry of listing) {
    const keys = entry.fingerprints.length === 0 ? 'no key' : entry.fingerprints.join(', ');
    const notes = [
      ...(entry.enabled ? [] : ['not enabled in this stage']),
      ...(entry.enabled && entry.fingerprints.length === 0 ? ['every signed request is refused until a key is set'] : []),
      ...(entry.simulationKey ? ['send signs with the generated pair'] : []),
    ];
    io.out(`  ${entry.provider.padEnd(18)} ${keys}${notes.length > 0 ? `  (${notes.join('; ')})` : ''}`);
  }
  return 0;
}

/**
 * Each signing provider's rotation: where the new key comes from, and whether old and new sign side by side.
 * Sources: docs/providers.md and the provider documentation cited there.
 */
const ROTATION_STEPS: ReadonlyMap<ProviderId, readonly string[]> = new Map<ProviderId, readonly string[]>([
  ['sendgrid', [
    'Settings > Mail Settings > Event Webhook > Signature Verification: turning it off and on again makes SendGrid',
    'generate a new key pair and sign with the new key at once; copy the new verification key.',
  ]],
  ['mailgun', [
    'Sending > Webhooks > HTTP webhook signing key > Rotate (or POST /v5/accounts/http_signing_key). The key is',
    'account-wide: every domain signs with the new key at once.',
  ]],
  ['mailtrap', ["Sending Domains > Webhooks: regenerate the webhook's signing secret; the new one signs at once."]],
  ['mailersend', ["Domains > Webhooks > the webhook: regenerate its signing secret; the new one signs at once."]],
  ['mandrill', [
    "Settings > Webhooks: reset the webhook's key; the new one signs at once. Mandrill also signs the URL with the",
    'Basic credentials in it, so a credential rotation (hookguard rotate) needs the URL updated there as well.',
  ]],
  ['postal', [
    "Postal signs with the server's key pair (its public half is published in the server's DNS record); a new pair",
    'is made by the Postal administrator. Copy the new public key.',
  ]],
  ['resend', [
    "Webhooks > the endpoint > Rotate signing secret (or the rotate API): old and new secrets both sign for 24 hours,",
    'so set both, then drop the old one after the overlap.',
  ]],
  ['standard-webhooks', [
    "The sender's webhook settings: rotate the signing secret (Svix-based senders keep the old one valid for a while",
    'and send a signature for each).',
  ]],
  ['unisender-go', ['The API key is the signing key: create a new API key, then switch the webhook to it (webhook/set).']],
]);

function rotateHelp(args: readonly string[], io: CliIo, deps: CliDeps): number {
  const [providerId, ...extra] = args;
  if (providerId === undefined) throw new UsageError('keys rotate-help needs a provider');
  if (extra.length > 0) throw new UsageError(`Unexpected argument "${extra[0]}"`);
  assertProviderId(providerId);
  const providers = deps.providers ?? PROVIDERS;
  const module = providers.get(providerId);
  const steps = ROTATION_STEPS.get(providerId);
  if (steps === undefined || (module !== undefined && !needsSigningKey(module))) {
    io.out(
      `${providerId} has no signing key to rotate: it is authenticated by the Basic credentials` +
        (providerId === 'amazon-ses' ? ' and SNS message signatures (AWS rotates its certificates)' : '') +
        '. Rotate those with npx hookguard rotate.',
    );
    return 0;
  }
  const lines = [
    `Rotating the ${providerId} signing key (Hookguard accepts every key in the list, so there is no gap):`,
    '',
    '1. Get the new key at the provider:',
    ...steps.map((line) => `   ${line}`),
    '2. Accept old and new together (the old key is in your secrets; keys list shows its fingerprint):',
    `   npx hookguard keys set ${providerId} <old key> <new key> [--deployed --stage <stage>]`,
    '   Requests signed with the new key before this step are refused (401 invalid_signature) and left to the',
    "   provider's retries; set the new key as soon as you have it.",
    '3. Once the provider signs only with the new key, drop the old one:',
    `   npx hookguard keys set ${providerId} <new key> [--deployed --stage <stage>]`,
    '4. Check: npx hookguard keys list [--deployed], and npx hookguard send ' + `${providerId} --all locally.`,
  ];
  for (const line of lines) io.out(line);
  return 0;
}
