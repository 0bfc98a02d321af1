/**
 * The behaviour every in-place management client shares, as one jest suite run per provider against that provider's
 * fake API: read/plan/apply/retire, idempotency (apply twice = one change), a 429 retried, persistent 5xx failing with
 * the status (and a later retry completing), a wrong API key, no secret in any error or summary, and selection by URL,
 * by `managed.matchUrl` and by `managed.webhookIds`. Provider-specific behaviour is tested beside it, in the provider's
 * own test file. Clients whose provider cannot carry the credential (placement `none`) run
 * {@link describeUrlOnlyContract} instead.
 */
import { FetchHttpClient } from '../../lambda/management/http-client';
import { sameTarget } from '../../lambda/management/shared';
import {
  type DesiredWebhook,
  type ManagedAccount,
  type ManagedWebhookClient,
  type ManagementModule,
  ManagementError,
  type ProviderApiKey,
  type WebhookCredential,
} from '../../lambda/management/types';
import type { FakeApiServer } from './fake-api-server';
import type { CarriedWebhook, SeedWebhook } from './fakes/shared';

/** What the contract needs of a provider's fake. */
export interface ContractFake {
  readonly api: FakeApiServer;
  /** Every webhook (or per-event URL) the fake account holds now, with the credential it carries. */
  carried(): CarriedWebhook[];
  close(): Promise<void>;
}

/** One provider's entry into the contract suite. */
export interface ManagementContract<F extends ContractFake> {
  readonly module: ManagementModule;
  /** The key the fake accepts. */
  readonly apiKey: ProviderApiKey;
  /** `ManagedAccount.options` the module needs (e.g. Mailgun `domain`). */
  readonly options?: Readonly<Record<string, string>>;
  /** Starts the fake: the documentation's example webhooks plus `seed`. */
  start(apiKey: ProviderApiKey, seed: readonly SeedWebhook[]): Promise<F>;
  /** The method and path prefix of the update call, for failure injection and counting. */
  readonly update: { readonly method: string; readonly pathPrefix: string };
  /**
   * The HTTP status the provider answers a wrong API key with.
   * @default 401
   */
  readonly unauthorizedStatus?: number;
}

/** Random-looking alphanumeric passwords, as rotation generates (lambda/core/rotation.ts). */
export const OLD_CREDENTIAL: WebhookCredential = { username: 'hookguard', password: 'Old0ldPassw0rdXq7Lr2Vb9Nc4Mz8Kd1Fh6Tj3' };
export const NEW_CREDENTIAL: WebhookCredential = { username: 'hookguard', password: 'NewPassw0rdYw5Gs8Pa1Ue4Io7Hb2Nm6Qc9Rt0' };

/** Hookguard's URL for `provider` and an older one an operator pasted before Hookguard managed the webhook. */
export function contractUrls(provider: string): { readonly hookguard: string; readonly old: string } {
  return {
    hookguard: `https://hooks.example.com/webhooks/${provider}`,
    old: `https://legacy.example.org/hooks/${provider}`,
  };
}

/** A wrong API key fails with the provider's unauthorized status, in an error that does not quote the key. */
async function expectWrongKeyRefused(
  contract: { readonly apiKey: ProviderApiKey; readonly unauthorizedStatus?: number },
  clientWith: (apiKey: ProviderApiKey) => ManagedWebhookClient,
  desired: DesiredWebhook,
): Promise<void> {
  const wrongKey = Object.fromEntries(Object.keys(contract.apiKey).map((field) => [field, `wrong-${field}-Zx81`]));
  const error = await clientWith(wrongKey)
    .read(desired)
    .then(
      () => null,
      (caught: unknown) => caught,
    );
  expect(error).toBeInstanceOf(ManagementError);
  expect((error as ManagementError).status).toBe(contract.unauthorizedStatus ?? 401);
  for (const value of Object.values(wrongKey)) expect((error as ManagementError).message).not.toContain(value);
}

/** Registers the contract suite for one provider. */
export function describeManagementContract<F extends ContractFake>(contract: ManagementContract<F>): void {
  const { module } = contract;
  const urls = contractUrls(module.provider);
  const desired: DesiredWebhook = { url: urls.hookguard, credential: NEW_CREDENTIAL };
  const secrets = [OLD_CREDENTIAL.password, NEW_CREDENTIAL.password, ...Object.values(contract.apiKey)];
  const http = new FetchHttpClient({ timeoutMs: 5000 });

  describe(`${module.provider} management client (contract)`, () => {
    let fake: F | undefined;
    afterEach(async () => {
      await fake?.close();
      fake = undefined;
    });

    const start = async (seed: readonly SeedWebhook[], apiKey: ProviderApiKey = contract.apiKey) => {
      fake = await contract.start(apiKey, seed);
      return fake;
    };
    const clientFor = (running: F, account: Partial<ManagedAccount> = {}, apiKey = contract.apiKey) =>
      module.create({
        account: { apiBaseUrl: running.api.baseUrl, options: contract.options, ...account },
        apiKey,
        http,
      });
    const atUrl = (running: F, url: string) => running.carried().filter((webhook) => sameTarget(webhook.url, url));
    const elsewhere = (running: F) =>
      running
        .carried()
        .filter((webhook) => !sameTarget(webhook.url, urls.hookguard) && !sameTarget(webhook.url, urls.old));
    const updates = (running: F) =>
      running.api.requests.filter(
        (request) => request.method === contract.update.method && request.path.startsWith(contract.update.pathPrefix),
      ).length;
    const expectNoSecret = (text: string) => {
      for (const secret of secrets) expect(text).not.toContain(secret);
    };

    it('reads the managed webhooks: Hookguard URL, another credential, nothing secret in the snapshot', async () => {
      const running = await start([{ url: urls.hookguard, credential: OLD_CREDENTIAL }]);
      const snapshots = await clientFor(running).read(desired);
      expect(snapshots.length).toBeGreaterThan(0);
      for (const snapshot of snapshots) {
        expect(snapshot).toMatchObject({ urlMatches: true, credential: 'other', active: true, superseded: false });
        expect(sameTarget(snapshot.displayUrl, urls.hookguard)).toBe(true);
      }
      expectNoSecret(JSON.stringify(snapshots));
    });

    it('plans one update per managed webhook and changes nothing', async () => {
      const running = await start([{ url: urls.hookguard, credential: OLD_CREDENTIAL }]);
      const before = JSON.stringify(running.carried());
      const client = clientFor(running);
      const changes = await client.plan(desired);
      const snapshots = await client.read(desired);
      expect(changes).toHaveLength(snapshots.length);
      for (const change of changes) expect(change.action).toBe('update');
      expect(changes.map((change) => change.id).sort()).toEqual(snapshots.map((snapshot) => snapshot.id).sort());
      expectNoSecret(JSON.stringify(changes));
      expect(updates(running)).toBe(0);
      expect(JSON.stringify(running.carried())).toBe(before);
    });

    it('applies the desired credential to every managed webhook and leaves the others as they were', async () => {
      const running = await start([{ url: urls.hookguard, credential: OLD_CREDENTIAL }]);
      const others = JSON.stringify(elsewhere(running));
      const client = clientFor(running);
      const changes = await client.apply(desired);
      expect(changes.length).toBeGreaterThan(0);
      const managed = atUrl(running, urls.hookguard);
      expect(managed.length).toBeGreaterThan(0);
      for (const webhook of managed) expect(webhook.credential).toEqual(NEW_CREDENTIAL);
      expect(JSON.stringify(elsewhere(running))).toBe(others);
      for (const snapshot of await client.read(desired)) expect(snapshot.credential).toBe('desired');
    });

    it('is idempotent: a second apply changes nothing and sends no update', async () => {
      const running = await start([{ url: urls.hookguard, credential: OLD_CREDENTIAL }]);
      const client = clientFor(running);
      const first = await client.apply(desired);
      const sent = updates(running);
      expect(sent).toBe(first.length);
      expect(await client.apply(desired)).toEqual([]);
      expect(await client.plan(desired)).toEqual([]);
      expect(updates(running)).toBe(sent);
    });

    it('has nothing to retire: webhooks change in place', async () => {
      const running = await start([{ url: urls.hookguard, credential: OLD_CREDENTIAL }]);
      const client = clientFor(running);
      await client.apply(desired);
      expect(await client.retire(desired)).toEqual([]);
      expect(atUrl(running, urls.hookguard).length).toBeGreaterThan(0);
    });

    it('retries an update answered 429 and completes', async () => {
      const running = await start([{ url: urls.hookguard, credential: OLD_CREDENTIAL }]);
      running.api.failNext({ method: contract.update.method, pathPrefix: contract.update.pathPrefix, status: 429 });
      await clientFor(running).apply(desired);
      for (const webhook of atUrl(running, urls.hookguard)) expect(webhook.credential).toEqual(NEW_CREDENTIAL);
    });

    it('fails with the status while the provider answers 5xx, naming no secret; a later retry completes', async () => {
      const running = await start([{ url: urls.hookguard, credential: OLD_CREDENTIAL }]);
      running.api.failNext({
        method: contract.update.method,
        pathPrefix: contract.update.pathPrefix,
        status: 503,
        times: 3,
        body: { message: `echoing ${NEW_CREDENTIAL.password}` },
      });
      const client = clientFor(running);
      const error = await client.apply(desired).then(
        () => null,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(ManagementError);
      expect((error as ManagementError).status).toBe(503);
      expect((error as ManagementError).message).toContain(module.provider);
      expectNoSecret((error as ManagementError).message);
      await client.apply(desired);
      for (const webhook of atUrl(running, urls.hookguard)) expect(webhook.credential).toEqual(NEW_CREDENTIAL);
    });

    it('retries a list answered 502 and reads', async () => {
      const running = await start([{ url: urls.hookguard, credential: OLD_CREDENTIAL }]);
      running.api.failNext({ status: 502 });
      expect((await clientFor(running).read(desired)).length).toBeGreaterThan(0);
      expect(running.api.requests.length).toBeGreaterThanOrEqual(2);
    });

    it('fails with a ManagementError, naming no secret, when the API cannot be reached', async () => {
      const running = await start([{ url: urls.hookguard, credential: OLD_CREDENTIAL }]);
      const client = clientFor(running);
      await running.close();
      fake = undefined;
      const error = await client.apply(desired).then(
        () => null,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(ManagementError);
      expect((error as ManagementError).status).toBeUndefined();
      expectNoSecret((error as ManagementError).message);
    });

    it('refuses a wrong API key with an error that does not quote it', async () => {
      const running = await start([{ url: urls.hookguard, credential: OLD_CREDENTIAL }]);
      await expectWrongKeyRefused(contract, (wrongKey) => clientFor(running, {}, wrongKey), desired);
    });

    it('says so when no webhook points at Hookguard', async () => {
      const running = await start([]);
      await expect(clientFor(running).read(desired)).rejects.toThrow(/no webhook points at/);
      await expect(clientFor(running).apply(desired)).rejects.toThrow(ManagementError);
    });

    it('moves the webhooks found by managed.matchUrl to Hookguard’s URL, and finds them again afterwards', async () => {
      const running = await start([{ url: urls.old, credential: OLD_CREDENTIAL }]);
      const others = JSON.stringify(elsewhere(running));
      const client = clientFor(running, { matchUrl: urls.old });
      const changes = await client.apply(desired);
      expect(changes.length).toBeGreaterThan(0);
      expect(changes[0]?.summary).toContain('URL');
      expect(atUrl(running, urls.old)).toEqual([]);
      for (const webhook of atUrl(running, urls.hookguard)) expect(webhook.credential).toEqual(NEW_CREDENTIAL);
      expect(JSON.stringify(elsewhere(running))).toBe(others);
      expect(await client.apply(desired)).toEqual([]);
    });

    it('manages only the webhooks named in managed.webhookIds, and names an unknown id', async () => {
      const running = await start([{ url: urls.old, credential: null }]);
      const chosen = atUrl(running, urls.old)[0]?.id as string;
      const untouched = JSON.stringify(running.carried().filter((webhook) => webhook.id !== chosen));
      await clientFor(running, { webhookIds: [chosen] }).apply(desired);
      const moved = atUrl(running, urls.hookguard);
      expect(moved.map((webhook) => webhook.id)).toContain(chosen);
      for (const webhook of moved) {
        expect(webhook.id).toBe(chosen);
        expect(webhook.credential).toEqual(NEW_CREDENTIAL);
      }
      expect(atUrl(running, urls.old).map((webhook) => webhook.id)).not.toContain(chosen);
      expect(JSON.stringify(running.carried().filter((webhook) => webhook.id !== chosen))).toBe(untouched);
      await expect(clientFor(running, { webhookIds: ['no-such-webhook-404'] }).read(desired)).rejects.toThrow(
        /no webhook with id no-such-webhook-404/,
      );
    });
  });
}

/**
 * Registers the contract suite of a client whose provider cannot carry the credential (placement `none`: MailerSend,
 * Resend): it keeps webhooks on Hookguard's URL and never writes, adds or removes user info; everything else as in
 * {@link describeManagementContract} (idempotency, 429, 5xx, wrong key, selection).
 */
export function describeUrlOnlyContract<F extends ContractFake>(contract: ManagementContract<F>): void {
  const { module } = contract;
  const urls = contractUrls(module.provider);
  const desired: DesiredWebhook = { url: urls.hookguard, credential: NEW_CREDENTIAL };
  const secrets = [OLD_CREDENTIAL.password, NEW_CREDENTIAL.password, ...Object.values(contract.apiKey)];
  const http = new FetchHttpClient({ timeoutMs: 5000 });

  describe(`${module.provider} management client (URL-only contract)`, () => {
    let fake: F | undefined;
    afterEach(async () => {
      await fake?.close();
      fake = undefined;
    });
    const start = async (seed: readonly SeedWebhook[]) => {
      fake = await contract.start(contract.apiKey, seed);
      return fake;
    };
    const clientFor = (running: F, account: Partial<ManagedAccount> = {}, apiKey = contract.apiKey) =>
      module.create({ account: { apiBaseUrl: running.api.baseUrl, options: contract.options, ...account }, apiKey, http });
    const atUrl = (running: F, url: string) => running.carried().filter((webhook) => sameTarget(webhook.url, url));
    const updates = (running: F) =>
      running.api.requests.filter(
        (request) => request.method === contract.update.method && request.path.startsWith(contract.update.pathPrefix),
      ).length;
    const expectNoSecret = (text: string) => {
      for (const secret of secrets) expect(text).not.toContain(secret);
    };

    it('declares placement none', () => {
      expect(module.placement).toBe('none');
    });

    it('leaves a webhook on Hookguard URL alone, whatever user info it shows', async () => {
      const running = await start([
        { url: urls.hookguard, credential: null },
        { url: urls.hookguard, credential: OLD_CREDENTIAL },
      ]);
      const client = clientFor(running);
      const snapshots = await client.read(desired);
      expect(snapshots.map((snapshot) => [snapshot.urlMatches, snapshot.credential, snapshot.superseded])).toEqual([
        [true, 'none', false],
        [true, 'other', false],
      ]);
      expectNoSecret(JSON.stringify(snapshots));
      expect(await client.plan(desired)).toEqual([]);
      expect(await client.apply(desired)).toEqual([]);
      expect(await client.retire(desired)).toEqual([]);
      expect(updates(running)).toBe(0);
    });

    it('plans, then moves webhooks found by managed.matchUrl to the bare Hookguard URL, once', async () => {
      const running = await start([{ url: urls.old, credential: null }]);
      const others = JSON.stringify(running.carried().filter((webhook) => !sameTarget(webhook.url, urls.old)));
      const client = clientFor(running, { matchUrl: urls.old });
      const planned = await client.plan(desired);
      expect(planned.map((change) => change.action)).toEqual(['update']);
      expect(planned[0]?.summary).toBe(`URL ${urls.old} -> ${urls.hookguard}`);
      expect(updates(running)).toBe(0);
      expect(await client.apply(desired)).toEqual(planned);
      expect(atUrl(running, urls.old)).toEqual([]);
      for (const webhook of atUrl(running, urls.hookguard)) {
        expect(webhook.url).toBe(urls.hookguard);
        expect(webhook.credential).toBeNull();
      }
      expect(JSON.stringify(running.carried().filter((webhook) => !sameTarget(webhook.url, urls.hookguard)))).toBe(others);
      expect(await client.apply(desired)).toEqual([]);
      expect(updates(running)).toBe(1);
    });

    it('retries a 429, fails with the status on a persistent 5xx naming no secret, and a later retry completes', async () => {
      const running = await start([{ url: urls.old, credential: null }]);
      const client = clientFor(running, { matchUrl: urls.old });
      running.api.failNext({ method: contract.update.method, pathPrefix: contract.update.pathPrefix, status: 429 });
      running.api.failNext({
        method: contract.update.method,
        pathPrefix: contract.update.pathPrefix,
        status: 502,
        times: 3,
        body: { message: `echoing ${NEW_CREDENTIAL.password}` },
      });
      const error = await client.apply(desired).then(
        () => null,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(ManagementError);
      expect((error as ManagementError).status).toBe(502);
      expectNoSecret((error as ManagementError).message);
      expect(await client.apply(desired)).toHaveLength(1);
      expect(atUrl(running, urls.hookguard)).toHaveLength(1);
    });

    it('refuses a wrong API key with an error that does not quote it', async () => {
      const running = await start([{ url: urls.hookguard, credential: null }]);
      await expectWrongKeyRefused(contract, (wrongKey) => clientFor(running, {}, wrongKey), desired);
    });

    it('says so when no webhook points at Hookguard, and manages only managed.webhookIds', async () => {
      const running = await start([
        { url: urls.old, credential: null },
        { url: urls.old, credential: null },
      ]);
      await expect(clientFor(running).read(desired)).rejects.toThrow(/no webhook points at/);
      const [chosen, other] = atUrl(running, urls.old).map((webhook) => webhook.id);
      await clientFor(running, { webhookIds: [chosen as string] }).apply(desired);
      expect(atUrl(running, urls.hookguard).map((webhook) => webhook.id)).toEqual([chosen]);
      expect(atUrl(running, urls.old).map((webhook) => webhook.id)).toEqual([other]);
      await expect(clientFor(running, { webhookIds: ['no-such-webhook-404'] }).read(desired)).rejects.toThrow(
        /no webhook with id no-such-webhook-404/,
      );
    });
  });
}
