/**
 * The behaviour every management client of an in-place provider (`lambda/management/in-place.ts`) must show,
 * run against that provider's fake: read, dry-run plan, apply (idempotent, resuming after a partial failure),
 * retire (nothing to do), 429 and 5xx handling, and error messages free of keys and credentials. Each provider's
 * test file adds the checks of its own request shapes.
 */
import { urlWithCredential } from '../../lambda/management/shared';
import {
  type CredentialPlacement,
  type DesiredWebhook,
  type ManagedAccount,
  type ManagedWebhookClient,
  ManagementError,
  type WebhookCredential,
} from '../../lambda/management/types';
import type { FakeApiServer } from './fake-api-server';

/** A running provider fake, as the contract sees it. */
export interface ContractFake {
  readonly server: FakeApiServer;
  /** The stored URL of a webhook by id. */
  urlOf(id: string): string | undefined;
  close(): Promise<void>;
}

/** What one provider's contract run needs. */
export interface InPlaceContract {
  readonly provider: string;
  readonly placement: CredentialPlacement;
  /** Hookguard's URL for the provider. */
  readonly hookguardUrl: string;
  readonly oldCredential: WebhookCredential;
  readonly newCredential: WebhookCredential;
  /** Starts a fake holding two managed webhooks (`managedIds`, pointing at `initialUrl`) and one foreign webhook. */
  start(initialUrl: string): Promise<ContractFake>;
  readonly managedIds: readonly [string, string];
  readonly foreignId: string;
  readonly keys: Readonly<Record<string, string>>;
  readonly wrongKeys: Readonly<Record<string, string>>;
  client(fake: ContractFake, keys: Readonly<Record<string, string>>, extra?: Partial<ManagedAccount>): ManagedWebhookClient;
  readonly update: { readonly method: 'PUT' | 'PATCH'; path(id: string): string };
  /** The message of a rejected list call with wrong keys. */
  readonly unauthorizedMessage: string;
}

/** Defines the shared tests inside the caller's `describe`. */
export function inPlaceContract(contract: InPlaceContract): void {
  const withCredentials = contract.placement === 'url-userinfo';
  const desired: DesiredWebhook = { url: contract.hookguardUrl, credential: contract.newCredential };
  const expectedUrl = withCredentials ? urlWithCredential(contract.hookguardUrl, contract.newCredential) : contract.hookguardUrl;
  // With credentials the managed webhooks start on the old credential; without, on an old path of Hookguard.
  const oldPathUrl = contract.hookguardUrl.replace('/webhooks/', '/webhooks/old-token/');
  const initialUrl = withCredentials ? urlWithCredential(contract.hookguardUrl, contract.oldCredential) : oldPathUrl;
  const account: Partial<ManagedAccount> = withCredentials ? {} : { matchUrl: oldPathUrl };
  const [first, second] = contract.managedIds;
  let fake: ContractFake;
  const client = (keys = contract.keys, extra: Partial<ManagedAccount> = {}) =>
    contract.client(fake, keys, { ...account, ...extra });
  const updates = () => fake.server.requests.filter((request) => request.method === contract.update.method);

  beforeEach(async () => {
    fake = await contract.start(initialUrl);
  });
  afterEach(async () => {
    await fake.close();
  });

  it('reads the managed webhooks, leaving the foreign one out', async () => {
    const snapshots = await client().read(desired);
    expect(snapshots.map((snapshot) => snapshot.id)).toEqual([first, second]);
    for (const snapshot of snapshots) {
      expect(snapshot.superseded).toBe(false);
      expect(snapshot.urlMatches).toBe(withCredentials);
      expect(snapshot.credential).toBe(withCredentials ? 'other' : 'none');
      expect(snapshot.displayUrl).not.toContain(contract.oldCredential.password);
    }
  });

  it('plans without changing anything', async () => {
    const changes = await client().plan(desired);
    expect(changes.map((change) => [change.action, change.id])).toEqual([
      ['update', first],
      ['update', second],
    ]);
    expect(updates()).toHaveLength(0);
    expect(fake.urlOf(first)).toBe(initialUrl);
  });

  it('applies once, then has nothing left to change (idempotent)', async () => {
    expect(await client().apply(desired)).toHaveLength(2);
    expect(updates().map((request) => request.path)).toEqual([contract.update.path(first), contract.update.path(second)]);
    expect(fake.urlOf(first)).toBe(expectedUrl);
    expect(fake.urlOf(second)).toBe(expectedUrl);
    expect(fake.urlOf(contract.foreignId)).not.toBe(expectedUrl);
    const after = await client().read(desired);
    expect(after.every((snapshot) => snapshot.urlMatches)).toBe(true);
    if (withCredentials) expect(after.every((snapshot) => snapshot.credential === 'desired')).toBe(true);
    expect(await client().apply(desired)).toEqual([]);
    expect(await client().plan(desired)).toEqual([]);
    expect(updates()).toHaveLength(2);
    expect(await client().retire(desired)).toEqual([]);
  });

  it('fails on a persistent 5xx and, retried, changes only what is still different', async () => {
    fake.server.failNext({
      method: contract.update.method,
      pathPrefix: contract.update.path(second),
      status: 502,
      headers: { 'retry-after': '0' },
      times: 3,
    });
    const error = await client().apply(desired).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ManagementError);
    expect((error as ManagementError).status).toBe(502);
    expect(fake.urlOf(first)).toBe(expectedUrl);
    expect(fake.urlOf(second)).toBe(initialUrl);
    expect((await client().apply(desired)).map((change) => change.id)).toEqual([second]);
  });

  it('waits out a 429 with Retry-After and carries on', async () => {
    fake.server.failNext({ status: 429, headers: { 'retry-after': '0' } });
    await expect(client().read(desired)).resolves.toHaveLength(2);
  });

  it('gives up on a 429 asking for longer than a rotation step can wait', async () => {
    fake.server.failNext({ status: 429, headers: { 'retry-after': '3600' } });
    await expect(client().read(desired)).rejects.toMatchObject({ status: 429 });
  });

  it('manages configured ids only, and names a missing id', async () => {
    expect((await client(contract.keys, { webhookIds: [second] }).read(desired)).map((snapshot) => snapshot.id)).toEqual([second]);
    await expect(client(contract.keys, { webhookIds: ['no-such-id'] }).read(desired)).rejects.toThrow(
      `${contract.provider}: no webhook with id no-such-id`,
    );
  });

  it('fails clearly when nothing points at Hookguard', async () => {
    await expect(
      client(contract.keys, { matchUrl: undefined }).read({ ...desired, url: 'https://hooks.example.com/webhooks/nothing-here' }),
    ).rejects.toThrow(`${contract.provider}: no webhook points at https://hooks.example.com/webhooks/nothing-here`);
  });

  it('keeps API keys and credentials out of every error message', async () => {
    const unauthorized = (await client(contract.wrongKeys).read(desired).catch((caught: unknown) => caught)) as Error;
    expect(unauthorized).toBeInstanceOf(ManagementError);
    expect(unauthorized.message).toBe(contract.unauthorizedMessage);
    // Providers echo request fields in error answers; the message must not pass them on.
    fake.server.failNext({ method: contract.update.method, status: 422, body: { message: `bad url ${expectedUrl}` } });
    const rejected = (await client().apply(desired).catch((caught: unknown) => caught)) as Error;
    expect(rejected).toBeInstanceOf(ManagementError);
    const secrets = [
      ...Object.values(contract.keys),
      ...Object.values(contract.wrongKeys),
      contract.newCredential.password,
      contract.oldCredential.password,
    ];
    for (const secret of secrets) {
      expect(unauthorized.message).not.toContain(secret);
      expect(rejected.message).not.toContain(secret);
    }
  });
}
