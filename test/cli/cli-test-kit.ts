/**
 * Shared set-up of the CLI tests: a temporary directory with the test configuration and a local secrets file, a
 * recording io, and a fake fetch that records what `send` posts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CliIo } from '../../src/cli/cli-context';
import { type LocalSecrets, writeSecretsFile } from '../../src/local/secrets-file';
import { TEST_STAGE, writeTestConfig } from '../local/test-config';

/** The local credential of the kit's secrets file. */
export const KIT_CREDENTIAL = { username: 'hookguard', password: 'CurrentPassword123' } as const;

/** A workspace: config, secrets file, and the common options pointing at them. */
export interface CliKit {
  readonly dir: string;
  readonly configPath: string;
  readonly secretsPath: string;
  /** `--config ... --stage test --secrets ... --port 4567`. */
  readonly commonArgs: string[];
  cleanUp(): Promise<void>;
}

/** Creates a workspace; `secrets: null` leaves the secrets file out. */
export async function createCliKit(secrets: LocalSecrets | null = defaultSecrets()): Promise<CliKit> {
  const dir = await mkdtemp(join(tmpdir(), 'hookguard-cli-'));
  const configPath = await writeTestConfig(dir);
  const secretsPath = join(dir, 'data', 'secrets.json');
  if (secrets !== null) await writeSecretsFile(secretsPath, secrets);
  return {
    dir,
    configPath,
    secretsPath,
    commonArgs: ['--config', configPath, '--stage', TEST_STAGE, '--secrets', secretsPath, '--port', '4567'],
    cleanUp: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Secrets with the kit credential, one previous credential and a Mailgun key. */
export function defaultSecrets(): LocalSecrets {
  return {
    basicAuth: {
      current: `${KIT_CREDENTIAL.username}:${KIT_CREDENTIAL.password}`,
      previous: ['hookguard:OldPassword1'],
    },
    providers: { mailgun: { signingKeys: ['0123456789abcdef0123456789abcdef'] } },
  };
}

/** An io that records every line. */
export function recordingIo(env: Record<string, string> = {}): CliIo & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, out: (line) => lines.push(line), err: (line) => errors.push(line), env };
}

/** One request `send` made. */
export interface PostedRequest {
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

/** A fetch that records requests and answers with `status` and a JSON body. */
export function recordingFetch(status = 200): typeof fetch & { requests: PostedRequest[] } {
  const requests: PostedRequest[] = [];
  const fake = async (input: string | URL | Request, init?: RequestInit) => {
    requests.push({
      url: String(input),
      headers: { ...(init?.headers as Record<string, string>) },
      body: Buffer.from(init?.body as Uint8Array),
    });
    return new Response(JSON.stringify({ received: 1, published: status === 200 ? 1 : 0, duplicates: 0 }), {
      status,
      headers: { 'content-type': 'application/json' },
    });
  };
  return Object.assign(fake as typeof fetch, { requests });
}
