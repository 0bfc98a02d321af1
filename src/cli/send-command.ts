/**
 * `hookguard send <provider> <event-type>`: posts a realistic, correctly signed request for one event (or every
 * event the provider can simulate, with `--all`) to the local runtime or a deployed stack, and prints the answers.
 * `--recipient`, `--metadata`, `--count` and `--batch` shape what is sent; the provider's simulator builds it.
 */

import { basicAuthorizationHeader } from '../../lambda/core/basic-auth';
import type { ProviderId } from '../../lambda/core/provider-ids';
import type { BasicCredentialSecret } from '../../lambda/core/secret-formats';
import { matchWebhookPath, pathTokenGeneration, webhookPath } from '../../lambda/core/webhook-path';
import {
  COMMON_OPTIONS,
  COMMON_OPTIONS_HELP,
  parseCommandLine,
  resolveCommonOptions,
  UsageError,
} from '../local/options';
import type { LocalSecrets } from '../local/secrets-file';
import { parseCredential } from '../local/secrets-file';
import { simulatorOf } from '../simulate';
import { SES_SIMULATOR_PRIVATE_KEY_PEM } from '../simulate/amazon-ses-test-keys';
import { type CliDeps, type CliIo, loadStage, localBaseUrl, localPathToken, readLocalSecrets } from './cli-context';
import { assertProviderId, assertSimulationKey } from './provider-args';
import { buildSimulatedRequest, type PayloadOptions, selectSimulatedEvent } from './simulated-requests';

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
  '  --recipient <addr>  the recipient address the events name (default: the provider example\'s)',
  '  --metadata <k=v>    sender metadata the events carry, where the provider carries it (repeatable)',
  '  --count <n>         send n requests per event, each a new event (default 1, at most 1000)',
  '  --batch <n>         events per request, for providers that post batches (SendGrid, Mandrill, SparkPost, Brevo,',
  '                      Mailjet, Mailtrap, Unisender Go; default: the provider\'s single-event shape)',
  '  --url <url>         a deployed API (its base URL or the full webhook URL) instead of the local runtime',
  '  --key <key>         signing key to use instead of the local secrets file',
  '  --user <name>       Basic user name (with --password) instead of the local secrets file',
  '  --password <pass>   Basic password (with --user)',
  ...COMMON_OPTIONS_HELP,
].join('\n');

const SEND_OPTIONS = {
  ...COMMON_OPTIONS,
  all: { type: 'boolean' },
  recipient: { type: 'string' },
  metadata: { type: 'string', multiple: true },
  count: { type: 'string' },
  batch: { type: 'string' },
  url: { type: 'string' },
  key: { type: 'string' },
  user: { type: 'string' },
  password: { type: 'string' },
} as const;

/**
 * Where to post: `--url` as given when it already ends with the provider's webhook path (`/webhooks/<provider>` or
 * `/webhooks/<token>/<provider>`: paste the URL `urls --deployed` prints for a stage with a path token), else
 * `/webhooks/<provider>` under it; the local runtime's URL for the provider when no URL is given (`localPathToken`:
 * the local stage's token). Credentials in the URL are taken out (fetch refuses them) and returned, with the path
 * token the URL carries (Mandrill signs the URL, token included).
 */
export function targetOf(
  url: string | undefined,
  provider: ProviderId,
  localBase: string,
  localPathToken: string | null = null,
): {
  readonly url: string;
  readonly credential: BasicCredentialSecret | null;
  readonly pathToken: string | null;
} {
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
  const given = matchWebhookPath(parsed.pathname);
  if (given?.provider !== provider) {
    const path = webhookPath(provider, url === undefined ? localPathToken : null).slice(1);
    parsed.pathname = `${parsed.pathname.endsWith('/') ? parsed.pathname : `${parsed.pathname}/`}${path}`;
  }
  return { url: parsed.toString(), credential, pathToken: matchWebhookPath(parsed.pathname)?.pathToken ?? null };
}

/** The most requests `--count` sends per event: enough for load checks, small enough to stop a typo flooding a stage. */
const MAX_COUNT = 1000;

/** A positive integer option, or the default when absent. */
function positiveInteger(name: string, value: string | undefined, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[0-9]{1,7}$/.test(value) || Number(value) < 1 || Number(value) > max) {
    throw new UsageError(`--${name} must be an integer from 1 to ${max}, got "${value}"`);
  }
  return Number(value);
}

/** `--metadata key=value` pairs as an object (own properties only, so `__proto__` is an ordinary key). */
export function parseMetadata(pairs: readonly string[] | undefined): Record<string, string> | undefined {
  if (pairs === undefined || pairs.length === 0) return undefined;
  const entries: [string, string][] = [];
  for (const pair of pairs) {
    const equals = pair.indexOf('=');
    if (equals <= 0) throw new UsageError(`--metadata must be key=value, got "${pair}"`);
    entries.push([pair.slice(0, equals), pair.slice(equals + 1)]);
  }
  return Object.fromEntries(entries);
}

/** A plausible email address for `--recipient`: one `@`, no spaces or angle brackets. */
function checkRecipient(value: string | undefined): string | undefined {
  if (value !== undefined && !/^[^\s@<>",]+@[^\s@<>",]+$/.test(value)) {
    throw new UsageError(`--recipient must be an email address, got "${value}"`);
  }
  return value;
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

  const recipient = checkRecipient(values.recipient);
  const metadata = parseMetadata(values.metadata);
  const count = positiveInteger('count', values.count, MAX_COUNT) ?? 1;
  const simulator = simulatorOf(providerId);
  if (values.batch !== undefined && simulator.maxBatch === 1) {
    throw new UsageError(`${providerId} posts one event per request: --batch is for providers that batch`);
  }
  const batch = positiveInteger('batch', values.batch, simulator.maxBatch);
  if (metadata !== undefined && simulator.metadata === null) {
    throw new UsageError(`${providerId} events carry no sender metadata: --metadata has nowhere to go`);
  }
  const payload: PayloadOptions = {
    ...(recipient === undefined ? {} : { recipient }),
    ...(metadata === undefined ? {} : { metadata }),
    ...(batch === undefined ? {} : { batch }),
  };

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
    ? simulator.events
    : [selectSimulatedEvent(module, simulator, eventType as string, providerSettings, now())];

  const auth = providerSettings?.auth ?? 'basic';
  let secrets: LocalSecrets | undefined;
  const localSecrets = async () => {
    secrets ??= await readLocalSecrets(options.secretsPath);
    return secrets;
  };
  // Locally the stage's path token comes from the secrets file; a --url carries its own.
  const target = targetOf(
    values.url,
    providerId,
    localBaseUrl(options.port),
    values.url === undefined && pathTokenGeneration(stage.pathToken) !== null
      ? localPathToken(stage, await localSecrets(), options.secretsPath)
      : null,
  );

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
  // Each of the `count` requests per event gets its own unique id: a new event, not a retry.
  const plan = eventNames.flatMap((eventName) => Array.from({ length: count }, () => eventName));
  let failures = 0;
  for (const eventName of plan) {
    const request = await buildSimulatedRequest(
      simulator,
      eventName,
      providerSettings,
      {
        ...(signingKey === undefined ? {} : { signingKey }),
        ...(credential ? { credential } : {}),
        pathToken: target.pathToken,
      },
      now(),
      undefined,
      payload,
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
    io.out(`${providerId} ${eventName}${batch === undefined ? '' : ` x${batch}`} -> ${status} ${body}`);
  }
  if (plan.length > 1) io.out(`${plan.length} requests, ${plan.length - failures} accepted, ${failures} refused`);
  return failures === 0 ? 0 : 1;
}
