import { basicAuthorizationHeader } from '../../lambda/core/basic-auth';
import type { ProviderId } from '../../lambda/core/provider-ids';
import type { ProviderSettings } from '../../lambda/core/settings';
import { PROVIDERS } from '../../lambda/providers';
import type { ProviderModule, WebhookRequest } from '../../lambda/providers/types';
import { runCli } from '../../src/cli/main';
import { targetOf } from '../../src/cli/send-command';
import { simulatorOf } from '../../src/simulate';
import {
  type CliKit,
  createCliKit,
  KIT_CREDENTIAL,
  type PostedRequest,
  recordingFetch,
  recordingIo,
} from './cli-test-kit';

const MAILGUN_KEY = '0123456789abcdef0123456789abcdef';

function moduleOf(id: ProviderId): ProviderModule {
  const module = PROVIDERS.get(id);
  if (!module) throw new Error(`no module ${id}`);
  return module;
}

/** Verifies a posted request with the provider module's own `verify`, as the runtime would. */
async function verifiesWith(provider: ProviderId, posted: PostedRequest, keys: string[]): Promise<boolean> {
  const module = moduleOf(provider);
  const headers = Object.fromEntries(
    Object.entries(posted.headers).map(([name, value]) => [name.toLowerCase(), value]),
  );
  const request: WebhookRequest = { provider, method: 'POST', headers, body: posted.body, receivedAt: new Date() };
  const settings: ProviderSettings = { auth: 'both', timestampToleranceSeconds: 300, maxBodyBytes: 1_000_000 };
  try {
    await module.verify?.(request, {
      settings,
      signingKeys: keys,
      signedUrls: [],
      now: new Date(),
      certificates: { certificate: async () => '' },
    });
    return true;
  } catch {
    return false;
  }
}

describe('hookguard send', () => {
  let kit: CliKit;

  beforeEach(async () => {
    kit = await createCliKit();
  });

  afterEach(async () => {
    await kit.cleanUp();
  });

  async function send(args: string[], fetcher = recordingFetch()) {
    const io = recordingIo();
    const code = await runCli(['send', ...args, ...kit.commonArgs], io, { fetch: fetcher });
    return { code, io, requests: fetcher.requests };
  }

  it('posts a signed request for a native event name to the local runtime with the local credential', async () => {
    // Act
    const { code, io, requests } = await send(['mailgun', 'delivered']);

    // Assess
    expect(code).toBe(0);
    expect(requests).toHaveLength(1);
    const [posted] = requests as [PostedRequest];
    expect(posted.url).toBe('http://127.0.0.1:4567/webhooks/mailgun');
    expect(posted.headers.authorization).toBe(basicAuthorizationHeader(KIT_CREDENTIAL));
    expect(await verifiesWith('mailgun', posted, [MAILGUN_KEY])).toBe(true);
    expect(JSON.parse(posted.body.toString('utf8'))['event-data'].event).toBe('delivered');
    expect(io.lines).toEqual(['mailgun delivered -> 200 {"received":1,"published":1,"duplicates":0}']);
  });

  it('accepts a normalised type and sends the first event that maps to it', async () => {
    // Act
    const { code, io } = await send(['mailgun', 'bounced']);

    // Assess
    expect(code).toBe(0);
    expect(io.lines).toEqual([expect.stringMatching(/^mailgun permanent_fail -> 200 /)]);
  });

  it('sends one request per simulated event with --all, each a new event', async () => {
    // Act
    const { code, io, requests } = await send(['mailgun', '--all']);

    // Assess
    expect(code).toBe(0);
    const names = simulatorOf('mailgun').events;
    expect(requests).toHaveLength(names.length);
    expect(new Set(requests.map((request) => request.body.toString('utf8'))).size).toBe(names.length);
    expect(io.lines.at(-1)).toBe(`${names.length} requests, ${names.length} accepted, 0 refused`);
  });

  it('signs with --key instead of the secrets file', async () => {
    // Act
    const { requests } = await send(['mailgun', 'opened', '--key', 'another-key']);

    // Assess
    const [posted] = requests as [PostedRequest];
    expect(await verifiesWith('mailgun', posted, ['another-key'])).toBe(true);
    expect(await verifiesWith('mailgun', posted, [MAILGUN_KEY])).toBe(false);
  });

  it('posts to --url with the credentials taken out of it into the Authorization header', async () => {
    // Act
    const { requests } = await send(['postmark', 'Delivery', '--url', 'https://ops:S3cret@hooks.example.com/prod/']);

    // Assess
    const [posted] = requests as [PostedRequest];
    expect(posted.url).toBe('https://hooks.example.com/prod/webhooks/postmark');
    expect(posted.headers.authorization).toBe(basicAuthorizationHeader({ username: 'ops', password: 'S3cret' }));
  });

  it('uses --user and --password over the secrets file', async () => {
    // Act
    const { requests } = await send(['postmark', 'Delivery', '--user', 'u1', '--password', 'p1']);

    // Assess
    expect(requests[0]?.headers.authorization).toBe(basicAuthorizationHeader({ username: 'u1', password: 'p1' }));
  });

  it('sends no credentials to a provider authenticated by signature alone', async () => {
    // Act
    const { requests } = await send(['resend', 'email.delivered', '--key', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw']);

    // Assess
    const [posted] = requests as [PostedRequest];
    expect(posted.headers.authorization).toBeUndefined();
    expect(await verifiesWith('resend', posted, ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'])).toBe(true);
  });

  it('exits 1 when the API refuses a request, printing its answer', async () => {
    // Act
    const { code, io } = await send(['postmark', 'Delivery'], recordingFetch(401));

    // Assess
    expect(code).toBe(1);
    expect(io.lines).toEqual([expect.stringMatching(/^postmark Delivery -> 401 /)]);
  });

  it('says the local runtime may not be running when it cannot be reached', async () => {
    // Prepare
    const unreachable = Object.assign(
      async () => {
        throw new TypeError('fetch failed', { cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }) });
      },
      { requests: [] as PostedRequest[] },
    ) as unknown as ReturnType<typeof recordingFetch>;

    // Act
    const { code, io } = await send(['postmark', 'Delivery'], unreachable);

    // Assess
    expect(code).toBe(1);
    expect(io.errors).toEqual([
      'hookguard send: Cannot reach http://127.0.0.1:4567/webhooks/postmark (ECONNREFUSED): is the local runtime running (npm start)?',
    ]);
  });

  it('warns that a deployed stack refuses simulated Amazon SES messages', async () => {
    // Act
    const { io } = await send(['amazon-ses', 'Delivery', '--url', 'https://hooks.example.com/']);

    // Assess
    expect(io.errors).toEqual([expect.stringMatching(/test-only certificate AWS never serves/)]);
  });

  it.each([
    ['no provider', [], /send needs a provider/],
    ['an unknown provider', ['sendgird', 'bounce'], /Unknown provider "sendgird"/],
    ['neither an event type nor --all', ['mailgun'], /needs an <event-type> or --all/],
    ['both an event type and --all', ['mailgun', 'delivered', '--all'], /either an <event-type> or --all/],
    [
      'an event the provider cannot simulate',
      ['mailgun', 'exploded'],
      /Mailgun has no simulated event "exploded"; use one of: accepted, delivered/,
    ],
    ['--user without --password', ['postmark', 'Delivery', '--user', 'u'], /--user and --password go together/],
    ['an extra argument', ['mailgun', 'delivered', 'extra'], /Unexpected argument "extra"/],
    ['an unknown option', ['mailgun', 'delivered', '--kee', 'k'], /Unknown option '--kee'/],
    [
      'a signed provider without a key',
      ['sendgrid', 'bounce'],
      /No signing key for sendgrid in .*secrets\.json; add one there or pass --key/,
    ],
    [
      'a URL that is not http',
      ['postmark', 'Delivery', '--url', 'ftp://example.com'],
      /--url must be an http\(s\) URL/,
    ],
  ])('refuses %s with one line and exit code 1', async (_name, args, message) => {
    // Act
    const { code, io, requests } = await send(args);

    // Assess
    expect(code).toBe(1);
    expect(io.errors).toEqual([expect.stringMatching(message)]);
    expect(requests).toEqual([]);
  });

  it('says how to create the secrets file when it does not exist', async () => {
    // Prepare
    await kit.cleanUp();
    kit = await createCliKit(null);

    // Act
    const { code, io } = await send(['postmark', 'Delivery']);

    // Assess
    expect(code).toBe(1);
    expect(io.errors).toEqual([
      expect.stringMatching(/secrets\.json does not exist: start the local runtime once \(npm start\)/),
    ]);
  });
});

describe('targetOf', () => {
  it.each([
    [undefined, 'http://127.0.0.1:3000/webhooks/sendgrid', null],
    [
      'https://abc.execute-api.eu-west-1.amazonaws.com/prod/',
      'https://abc.execute-api.eu-west-1.amazonaws.com/prod/webhooks/sendgrid',
      null,
    ],
    [
      'https://abc.execute-api.eu-west-1.amazonaws.com/prod',
      'https://abc.execute-api.eu-west-1.amazonaws.com/prod/webhooks/sendgrid',
      null,
    ],
    ['https://hooks.example.com/webhooks/sendgrid', 'https://hooks.example.com/webhooks/sendgrid', null],
    [
      'https://a%40b:p%3Ass@hooks.example.com',
      'https://hooks.example.com/webhooks/sendgrid',
      { username: 'a@b', password: 'p:ss' },
    ],
  ])('posts for --url %s to %s', (url, expected, credential) => {
    expect(targetOf(url, 'sendgrid', 'http://127.0.0.1:3000')).toEqual({ url: expected, credential, pathToken: null });
  });

  const TOKEN = 'Q7rT2vX9zB4nM6kP1sD8fG3hJ5lW0cY2eA4iU6oR';

  it("posts to the local stage's token path, and keeps a pasted URL's token", () => {
    expect(targetOf(undefined, 'sendgrid', 'http://127.0.0.1:3000', TOKEN)).toEqual({
      url: `http://127.0.0.1:3000/webhooks/${TOKEN}/sendgrid`,
      credential: null,
      pathToken: TOKEN,
    });
    const pasted = `https://u:p@abc.execute-api.eu-west-1.amazonaws.com/prod/webhooks/${TOKEN}/mandrill`;
    expect(targetOf(pasted, 'mandrill', 'http://127.0.0.1:3000', 'ignored-for-a-given-url-xxxxxxxx')).toEqual({
      url: `https://abc.execute-api.eu-west-1.amazonaws.com/prod/webhooks/${TOKEN}/mandrill`,
      credential: { username: 'u', password: 'p' },
      pathToken: TOKEN,
    });
  });
});
