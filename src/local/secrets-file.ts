/**
 * The local secrets file (`.hookguard/secrets.json` by default): the local runtime's stand-in for the two secrets
 * of a deployed stack (the Basic credential with its versions, and the providers' signing keys).
 *
 * ```json
 * {
 *   "basicAuth": { "current": "user:pass", "previous": ["user:oldpass"] },
 *   "providers": { "sendgrid": { "signingKeys": ["MFkw..."], "simulationKey": "-----BEGIN PRIVATE KEY-----..." } },
 *   "pathToken": "Q7rT2vX9zB4nM6kP1sD8fG3hJ5lW0cY2eA4iU6oR"
 * }
 * ```
 *
 * Parsing never echoes a value: error messages name the field and what is wrong with it.
 */
import { randomInt } from 'node:crypto';
import { chmod, mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseBasicCredentialSecret } from '../../lambda/core/basic-auth';
import { isProviderId, type ProviderId } from '../../lambda/core/provider-ids';
import type { BasicCredentialSecret } from '../../lambda/core/secret-formats';
import { isPathToken } from '../../lambda/core/webhook-path';

/** One provider's keys in the secrets file. */
export interface LocalProviderSecrets {
  /** Every accepted key, as the provider's dashboard shows it (several during a key rotation). */
  readonly signingKeys: readonly string[];
  /** The private key `hookguard send` signs with, for asymmetric schemes (SendGrid, Postal). Never used to verify. */
  readonly simulationKey?: string;
}

/** The whole secrets file. */
export interface LocalSecrets {
  readonly basicAuth: {
    /** `user:password` of the current credential (AWSCURRENT). */
    readonly current: string;
    /** Earlier credentials still accepted (AWSPREVIOUS), newest first. */
    readonly previous: readonly string[];
  };
  readonly providers: Readonly<Partial<Record<ProviderId, LocalProviderSecrets>>>;
  /**
   * The stage's path token (`webhook-path.ts`), generated on the first start of a stage with `pathToken` on; used only
   * while the stage has it on. Webhooks are then at `/webhooks/<pathToken>/<provider>`.
   */
  readonly pathToken?: string;
}

/** The secrets file is missing, unreadable or malformed; the message names the file and every problem. */
export class SecretsFileError extends Error {
  constructor(
    readonly path: string,
    readonly problems: readonly string[],
  ) {
    super(`Secrets file ${path} ${problems.length === 1 ? problems[0] : `is malformed: ${problems.join('; ')}`}`);
    this.name = 'SecretsFileError';
  }
}

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Length of generated passwords: 40 alphanumerics, about 238 bits, like the deployed stack's. */
export const GENERATED_PASSWORD_LENGTH = 40;

/** A uniformly random alphanumeric string (URL-safe, so it can sit in a webhook URL's userinfo). */
export function randomAlphanumeric(length: number): string {
  let text = '';
  for (let index = 0; index < length; index++) text += ALPHANUMERIC[randomInt(ALPHANUMERIC.length)];
  return text;
}

/**
 * Splits `user:password` at the first colon (a password may contain colons, a user name may not).
 * Null when it is not a usable credential.
 */
export function parseCredential(text: string): BasicCredentialSecret | null {
  const colon = text.indexOf(':');
  if (colon < 0) return null;
  // The deployed secret's rules (no empty parts, no control characters), so a local credential is valid in AWS too.
  return parseBasicCredentialSecret(
    JSON.stringify({ username: text.slice(0, colon), password: text.slice(colon + 1) }),
  );
}

/** `user:password` for a credential. */
export function formatCredential(credential: BasicCredentialSecret): string {
  return `${credential.username}:${credential.password}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Validates a parsed secrets document.
 *
 * @throws {SecretsFileError} listing every problem (paths only, never values).
 */
export function parseLocalSecrets(value: unknown, path: string): LocalSecrets {
  const problems: string[] = [];
  if (!isRecord(value)) throw new SecretsFileError(path, ['must hold a JSON object']);
  for (const key of Object.keys(value)) {
    if (key !== 'basicAuth' && key !== 'providers' && key !== 'pathToken')
      problems.push(`${key}: unknown field (expected basicAuth, providers, pathToken)`);
  }

  const basicAuth = value.basicAuth;
  let current = '';
  const previous: string[] = [];
  if (!isRecord(basicAuth)) {
    problems.push('basicAuth: must be an object with "current" and optional "previous"');
  } else {
    for (const key of Object.keys(basicAuth)) {
      if (key !== 'current' && key !== 'previous') problems.push(`basicAuth.${key}: unknown field`);
    }
    if (typeof basicAuth.current !== 'string' || parseCredential(basicAuth.current) === null) {
      problems.push('basicAuth.current: must be "user:password" with a non-empty user (no colon) and password');
    } else {
      current = basicAuth.current;
    }
    if (basicAuth.previous !== undefined) {
      if (!Array.isArray(basicAuth.previous)) {
        problems.push('basicAuth.previous: must be a list of "user:password" strings');
      } else {
        basicAuth.previous.forEach((item, index) => {
          if (typeof item !== 'string' || parseCredential(item) === null) {
            problems.push(`basicAuth.previous[${index}]: must be "user:password"`);
          } else previous.push(item);
        });
      }
    }
  }

  const providers: Partial<Record<ProviderId, LocalProviderSecrets>> = {};
  if (value.providers !== undefined && !isRecord(value.providers)) {
    problems.push('providers: must be an object keyed by provider id');
  } else if (isRecord(value.providers)) {
    for (const [id, entry] of Object.entries(value.providers)) {
      const entryPath = `providers.${id}`;
      if (!isProviderId(id)) {
        problems.push(`${entryPath}: unknown provider`);
        continue;
      }
      if (!isRecord(entry)) {
        problems.push(`${entryPath}: must be an object with "signingKeys"`);
        continue;
      }
      for (const key of Object.keys(entry)) {
        if (key !== 'signingKeys' && key !== 'simulationKey') problems.push(`${entryPath}.${key}: unknown field`);
      }
      const keys = entry.signingKeys;
      if (!Array.isArray(keys) || !keys.every((key) => typeof key === 'string' && key.trim() !== '')) {
        problems.push(`${entryPath}.signingKeys: must be a list of non-empty strings`);
        continue;
      }
      if (
        entry.simulationKey !== undefined &&
        (typeof entry.simulationKey !== 'string' || entry.simulationKey === '')
      ) {
        problems.push(`${entryPath}.simulationKey: must be a non-empty string`);
        continue;
      }
      providers[id] = {
        signingKeys: keys as string[],
        ...(entry.simulationKey === undefined ? {} : { simulationKey: entry.simulationKey as string }),
      };
    }
  }
  if (value.pathToken !== undefined && !isPathToken(value.pathToken)) {
    problems.push('pathToken: must be 24 to 128 letters, digits, - or _ (remove it to have a new one generated)');
  }
  if (problems.length > 0) throw new SecretsFileError(path, problems);
  return {
    basicAuth: { current, previous },
    providers,
    ...(value.pathToken === undefined ? {} : { pathToken: value.pathToken as string }),
  };
}

/** Reads and validates the secrets file. */
export async function readSecretsFile(path: string): Promise<LocalSecrets> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new SecretsFileError(path, [code === 'ENOENT' ? 'does not exist' : `is not readable (${code ?? 'error'})`]);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // JSON.parse's message can quote the file's content: say only where it is broken.
    throw new SecretsFileError(path, ['is not valid JSON']);
  }
  return parseLocalSecrets(value, path);
}

function serialise(secrets: LocalSecrets): string {
  return `${JSON.stringify(secrets, null, 2)}\n`;
}

/**
 * Writes a new secrets file, refusing to overwrite one that exists (two runtimes starting at once must not replace
 * each other's credentials). Mode 0600, directory 0700.
 *
 * @returns false when the file already existed (nothing written).
 */
export async function createSecretsFile(path: string, secrets: LocalSecrets): Promise<boolean> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    await handle.writeFile(serialise(secrets), 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  return true;
}

/**
 * Replaces the secrets file atomically (a temporary file in the same directory, then a rename), so that a running
 * runtime never reads half a file. Mode 0600.
 */
export async function writeSecretsFile(path: string, secrets: LocalSecrets): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.${randomAlphanumeric(8)}.tmp`;
  try {
    const handle = await open(temporary, 'wx', 0o600);
    try {
      await handle.writeFile(serialise(secrets), 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await chmod(temporary, 0o600);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
