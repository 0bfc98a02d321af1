/**
 * First start: creates the local secrets file with a random Basic credential, a signing key for every enabled
 * provider that signs and, when the stage has `pathToken` on, a path token; later starts add a key for a newly
 * enabled provider that has none and a path token when it was turned on (never touching keys or a token that exist).
 */
import { stat } from 'node:fs/promises';
import type { ProviderId } from '../../lambda/core/provider-ids';
import { PATH_TOKEN_LENGTH } from '../../lambda/core/webhook-path';
import type { ProviderModule } from '../../lambda/providers/types';
import {
  createSecretsFile,
  formatCredential,
  GENERATED_PASSWORD_LENGTH,
  type LocalProviderSecrets,
  type LocalSecrets,
  randomAlphanumeric,
  readSecretsFile,
  writeSecretsFile,
} from './secrets-file';
import { generateProviderSecrets } from './signing-keys';

/** What {@link ensureSecretsFile} did. */
export interface SecretsBootstrapResult {
  readonly secrets: LocalSecrets;
  /** The file did not exist and was created. */
  readonly created: boolean;
  /** Providers that got a freshly generated signing key. */
  readonly generatedKeysFor: readonly ProviderId[];
  /** A path token was generated (every webhook URL changed). */
  readonly generatedPathToken: boolean;
}

/** Options of {@link ensureSecretsFile}. */
export interface SecretsBootstrapOptions {
  /** User name of the generated credential (the stage's `auth.username`). */
  readonly username: string;
  /** The enabled providers' modules. */
  readonly providers: readonly ProviderModule[];
  /**
   * The stage has a path token: generate one when the file has none (an existing one is kept).
   * @default false
   */
  readonly pathToken?: boolean;
}

function generateKeys(
  modules: readonly ProviderModule[],
  existing: LocalSecrets['providers'],
): { keys: Partial<Record<ProviderId, LocalProviderSecrets>>; generated: ProviderId[] } {
  const keys: Partial<Record<ProviderId, LocalProviderSecrets>> = { ...existing };
  const generated: ProviderId[] = [];
  for (const module of modules) {
    if (existing[module.id] !== undefined) continue;
    const entry = generateProviderSecrets(module);
    if (entry === undefined) continue;
    keys[module.id] = entry;
    generated.push(module.id);
  }
  return { keys, generated };
}

/**
 * Makes sure the secrets file exists and holds a key for every enabled provider that signs.
 *
 * @throws {SecretsFileError} when an existing file is unreadable or malformed (it is never overwritten).
 */
export async function ensureSecretsFile(
  path: string,
  options: SecretsBootstrapOptions,
): Promise<SecretsBootstrapResult> {
  const fresh = (): LocalSecrets => {
    const { keys } = generateKeys(options.providers, {});
    return {
      basicAuth: {
        current: formatCredential({
          username: options.username,
          password: randomAlphanumeric(GENERATED_PASSWORD_LENGTH),
        }),
        previous: [],
      },
      providers: keys,
      ...(options.pathToken ? { pathToken: randomAlphanumeric(PATH_TOKEN_LENGTH) } : {}),
    };
  };
  const exists = await stat(path).then(
    () => true,
    () => false,
  );
  if (!exists) {
    const initial = fresh();
    // Exclusive create: if another process created it meanwhile, that file wins and is read below.
    if (await createSecretsFile(path, initial)) {
      return {
        secrets: initial,
        created: true,
        generatedKeysFor: Object.keys(initial.providers) as ProviderId[],
        generatedPathToken: initial.pathToken !== undefined,
      };
    }
  }
  const existing = await readSecretsFile(path);
  const { keys, generated } = generateKeys(options.providers, existing.providers);
  const newToken = options.pathToken === true && existing.pathToken === undefined;
  if (generated.length === 0 && !newToken) {
    return { secrets: existing, created: false, generatedKeysFor: [], generatedPathToken: false };
  }
  const updated: LocalSecrets = {
    ...existing,
    providers: keys,
    ...(newToken ? { pathToken: randomAlphanumeric(PATH_TOKEN_LENGTH) } : {}),
  };
  await writeSecretsFile(path, updated);
  return { secrets: updated, created: false, generatedKeysFor: generated, generatedPathToken: newToken };
}
