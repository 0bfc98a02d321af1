/**
 * `hookguard send <provider> <event-type>`: posts a realistic, correctly signed request for one event (or every
 * event the provider can simulate, with `--all`) to the local runtime or a deployed stack, and prints the answers.
 */

import { basicAuthorizationHeader } from '../../lambda/core/basic-auth';
import type { BasicCredentialSecret } from '../../lambda/core/secret-formats';
import { SES_SIMULATOR_PRIVATE_KEY_PEM } from '../../lambda/providers/amazon-ses-simulator';
import {
  COMMON_OPTIONS,
  COMMON_OPTIONS_HELP,
  parseCommandLine,
  resolveCommonOptions,
  UsageError,
} from '../local/options';
import type { LocalSecrets } from '../local/secrets-file';
import { parseCredential } from '../local/secrets-file';
import { type CliDeps, type CliIo, loadStage, localBaseUrl, readLocalSecrets } from './cli-context';
import { assertProviderId, assertSimulationKey } from './provider-args';
import { buildSimulatedRequest, selectSimulatedEvent } from './simulated-requests';

/** `hookguard send --help`. */
export const SEND_USAGE = [
  'Usage: npx hookguard send <provider> <event-type> [options]',
  '       npx hookguard send <provider> --all [options]',
  '',
  'Posts a realistic request for one event, signed as the provider signs it, with the Basic credentials. <event-type>',
  "is the provider's own event name (e.g. sendgrid bounce) or a normalised type (bounced).",
  '',
  'Options:',
  '  --all               send one request for every event the provider can simulate',
  '  --url <url>         a deployed API (its base URL or the full webhook URL) instead of the local runtime',
  '  --key <key>         signing key to use instead of the local secrets file',
  '  --user <name>       Basic user name (with --password) instead of the local secrets file',
  '  --password <pass>   Basic password (with --user)',
  ...COMMON_OPTIONS_HELP,
].join('\n');

const SEND_OPTIONS = {
  ...COMMON_OPTIONS,
  all: { type: 'boolean' },
  url: { type: 'string' },
  key: { type: 'string' },
  user: { type: 'string' },
  password: { type: 'string' },
} as const;

/**
 * Where to post: `--url` as given when it already ends with the provider's path, else that path under it; the
 * local runtime when no URL is given. Credentials in the URL are taken out (fetch refuses them) and returned.
 */
export function targetOf(
  url: string | undefined,
  provider: string,
  localBase: string,
): { readonly url: string; readonly credential: BasicCredentialSecret | null } {
  let parsed: URL;
  try {
    parsed = new URL(url ?? localBase);
  } catch {
    throw new UsageError(`--url must be an http(s) URL, got "${url}"`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new UsageError(`--url must be an http(s) URL, got "${parsed.protocol}"`);
  }
  const credential =
    parsed.username === ''
      ? null
      : { username: decodeURIComponent(parsed.username), password: decodeURIComponent(parsed.password) };
  parsed.username = '';
  parsed.password = '';
  const path = `webhooks/${provider}`;
  if (!parsed.pathname.endsWith(`/${path}`)) {
    parsed.pathname = `${parsed.pathname.endsWith('/') ? parsed.pathname : `${parsed.pathname}/`}${path}`;
  }
  return { url: parsed.toString(), credential };
}

/** Runs `send`; resolves the exit code. */
export async function runSendCommand(argv: readonly string[], io: CliIo, deps: CliDeps): Promise<number> {
  const { values, positionals } = parseCommandLine(argv, SEND_OPTIONS, true);
  if (values.help) {
    io.out(SEND_USAGE);
    return 0;
  }
  const [providerId, eventType, ...extra] = positionals;
  if (providerId === undefined) throw new UsageError('send needs a provider (see npx hookguard send --help)');
  assertProviderId(providerId);
  if (extra.length > 0) throw new UsageError(`Unexpected argument "${extra[0]}"`);
  if (values.all && eventType !== undefined) throw new UsageError('Give either an <event-type> or --all, not both');
  if (!values.all && eventType === undefined) throw new UsageError('send needs an <event-type> or --all');
  if ((values.user === undefined) !== (values.password === undefined)) {
    throw new UsageError('--user and --password go together');
  }

  const options = resolveCommonOptions(values, io.env);
  const { settings, providers, stage } = loadStage(options, deps);
  const module = providers.get(providerId);
  if (module === undefined) throw new UsageError(`Provider "${providerId}" has no registered module`);
  const providerSettings = settings.providers[providerId];
  if (providerSettings === undefined) {
    io.err(`warning: ${providerId} is not enabled in stage ${stage.stage}: the API will answer 404`);
  }
  const now = deps.now ?? (() => new Date());
  const eventNames = values.all
    ? module.simulatedEvents
    : [selectSimulatedEvent(module, eventType as string, providerSettings, now())];

  const target = targetOf(values.url, providerId, localBaseUrl(options.port));
  const auth = providerSettings?.auth ?? 'basic';
  let secrets: LocalSecrets | undefined;
  const localSecrets = async () => {
    secrets ??= await readLocalSecrets(options.secretsPath);
    return secrets;
  };

  let credential: BasicCredentialSecret | null =
    values.user !== undefined && values.password !== undefined
      ? { username: values.user, password: values.password }
      : target.credential;
  // Mandrill signs the URL with the credentials in it, so it needs them even when auth is `signature`.
  if (credential === null && (auth !== 'signature' || providerSettings?.signedUrl !== undefined)) {
    credential = parseCredential((await localSecrets()).basicAuth.current);
  }

  let signingKey: string | undefined = values.key;
  if (signingKey !== undefined) assertSimulationKey(module, signingKey);
  if (signingKey === undefined && module.verify !== undefined) {
    if (providerId === 'amazon-ses') {
      signingKey = SES_SIMULATOR_PRIVATE_KEY_PEM;
      if (values.url !== undefined) {
        io.err(
          'warning: simulated Amazon SES messages name a test-only certificate AWS never serves: a deployed stack refuses them',
        );
      }
    } else if (auth !== 'basic') {
      const entry = (await localSecrets()).providers[providerId];
      signingKey = entry?.simulationKey ?? entry?.signingKeys[0];
      if (signingKey === undefined) {
        throw new UsageError(`No signing key for ${providerId} in ${options.secretsPath}; add one there or pass --key`);
      }
    }
  }

  const post = deps.fetch ?? fetch;
  let failures = 0;
  for (const eventName of eventNames) {
    const request = await buildSimulatedRequest(
      module,
      eventName,
      providerSettings,
      { ...(signingKey === undefined ? {} : { signingKey }), ...(credential ? { credential } : {}) },
      now(),
    );
    const headers: Record<string, string> = { ...request.headers };
    if (credential !== null) headers.authorization = basicAuthorizationHeader(credential);
    let status: number;
    let body: string;
    try {
      const response = await post(target.url, { method: 'POST', headers, body: request.body });
      status = response.status;
      body = await response.text();
    } catch (error) {
      const reason = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
      const hint = values.url === undefined ? ': is the local runtime running (npm start)?' : '';
      throw new Error(`Cannot reach ${target.url} (${reason})${hint}`);
    }
    if (status < 200 || status > 299) failures++;
    io.out(`${providerId} ${eventName} -> ${status} ${body}`);
  }
  if (eventNames.length > 1) {
    io.out(`${eventNames.length} requests, ${eventNames.length - failures} accepted, ${failures} refused`);
  }
  return failures === 0 ? 0 : 1;
}
