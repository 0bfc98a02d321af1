import { basicAuthorizationHeader, createBasicAuthenticator } from '../../../lambda/core/basic-auth';
import { CachedCredentialSource, type ExpiringCredential } from '../../../lambda/core/credential-cache';
import { DependencyError } from '../../../lambda/errors';
import type { AcceptedCredential, CredentialSource } from '../../../lambda/ports';

const T0 = Date.parse('2026-11-01T12:00:00Z');

/** A clock the test moves by hand. */
function fakeClock() {
  let now = T0;
  return {
    now: () => new Date(now),
    advanceSeconds(seconds: number) {
      now += seconds * 1000;
    },
  };
}

/** A source the test controls: current values, outage switch, and a gate holding loads until released. */
class ScriptedSource implements CredentialSource {
  loads = 0;
  failing = false;
  private gate: Promise<void> | null = null;
  private openGate: () => void = () => {};
  constructor(public credentials: readonly AcceptedCredential[]) {}
  async acceptedCredentials(): Promise<readonly AcceptedCredential[]> {
    this.loads += 1;
    if (this.gate) await this.gate;
    if (this.failing) throw new Error('Secrets Manager unreachable');
    return this.credentials;
  }
  /** Holds every load from now on until {@link release}. */
  hold(): void {
    this.gate = new Promise<void>((resolve) => {
      this.openGate = resolve;
    });
  }
  /** Lets held loads (and later ones) finish. */
  release(): void {
    this.openGate();
    this.gate = null;
  }
}

const v1: AcceptedCredential = { version: 'v1', stage: 'AWSCURRENT', username: 'hookguard', password: 'One1' };
const v2: AcceptedCredential = { version: 'v2', stage: 'AWSCURRENT', username: 'hookguard', password: 'Two2' };

function setup(options: { ttlSeconds?: number; refreshMinIntervalSeconds?: number } = {}) {
  const clock = fakeClock();
  const source = new ScriptedSource([v1]);
  const cache = new CachedCredentialSource({
    source,
    ttlSeconds: options.ttlSeconds ?? 60,
    refreshMinIntervalSeconds: options.refreshMinIntervalSeconds ?? 10,
    now: clock.now,
  });
  return { clock, source, cache };
}

describe('CachedCredentialSource', () => {
  describe('Method: acceptedCredentials', () => {
    it('serves cached values for the TTL, then reloads', async () => {
      // Prepare
      const { clock, source, cache } = setup({ ttlSeconds: 60 });

      // Act / Assess
      await expect(cache.acceptedCredentials()).resolves.toEqual([v1]);
      source.credentials = [v2];
      clock.advanceSeconds(59);
      await expect(cache.acceptedCredentials()).resolves.toEqual([v1]);
      expect(source.loads).toBe(1);
      clock.advanceSeconds(1);
      await expect(cache.acceptedCredentials()).resolves.toEqual([v2]);
      expect(source.loads).toBe(2);
    });

    it('makes one load for concurrent callers on a cold cache', async () => {
      const { source, cache } = setup();
      source.hold();

      const calls = Array.from({ length: 20 }, () => cache.acceptedCredentials());
      source.release();
      const results = await Promise.all(calls);

      expect(source.loads).toBe(1);
      for (const result of results) expect(result).toEqual([v1]);
    });

    it('keeps serving cached values through an outage, even past the TTL', async () => {
      // Prepare
      const { clock, source, cache } = setup({ ttlSeconds: 60, refreshMinIntervalSeconds: 10 });
      await cache.acceptedCredentials();
      source.failing = true;

      // Act: the TTL has passed and Secrets Manager is down.
      clock.advanceSeconds(120);
      const during = await cache.acceptedCredentials();

      // Assess
      expect(during).toEqual([v1]);
      expect(source.loads).toBe(2);
    });

    it('waits the refresh interval before retrying a failed load', async () => {
      const { clock, source, cache } = setup({ ttlSeconds: 60, refreshMinIntervalSeconds: 10 });
      await cache.acceptedCredentials();
      source.failing = true;
      clock.advanceSeconds(60);
      await cache.acceptedCredentials();
      expect(source.loads).toBe(2);

      clock.advanceSeconds(9);
      await expect(cache.acceptedCredentials()).resolves.toEqual([v1]);
      expect(source.loads).toBe(2);

      source.failing = false;
      source.credentials = [v2];
      clock.advanceSeconds(1);
      await expect(cache.acceptedCredentials()).resolves.toEqual([v2]);
      expect(source.loads).toBe(3);
    });

    it('fails closed with a DependencyError when nothing is cached, and recovers later', async () => {
      // Prepare
      const { clock, source, cache } = setup({ refreshMinIntervalSeconds: 10 });
      source.failing = true;

      // Act / Assess: the first call tries and fails; the next one inside the interval does not hit the source.
      await expect(cache.acceptedCredentials()).rejects.toBeInstanceOf(DependencyError);
      await expect(cache.acceptedCredentials()).rejects.toBeInstanceOf(DependencyError);
      expect(source.loads).toBe(1);

      source.failing = false;
      clock.advanceSeconds(10);
      await expect(cache.acceptedCredentials()).resolves.toEqual([v1]);
      expect(source.loads).toBe(2);
    });

    it('keeps the cause of a failed first load for the logs', async () => {
      const { source, cache } = setup();
      source.failing = true;

      const error = await cache.acceptedCredentials().catch((caught: unknown) => caught);

      expect(error).toBeInstanceOf(DependencyError);
      expect((error as DependencyError).cause).toEqual(new Error('Secrets Manager unreachable'));
    });

    it('treats a source that throws synchronously like any failed load', async () => {
      const source: CredentialSource = {
        acceptedCredentials: () => {
          throw new Error('boom');
        },
      };
      const cache = new CachedCredentialSource({ source, ttlSeconds: 60, refreshMinIntervalSeconds: 0 });

      await expect(cache.acceptedCredentials()).rejects.toBeInstanceOf(DependencyError);
      await expect(cache.acceptedCredentials()).rejects.toBeInstanceOf(DependencyError);
    });

    it('drops a credential at its expiry even while the cached copy is fresh', async () => {
      // Prepare: the previous credential's grace period ends 30 s after the load.
      const clock = fakeClock();
      const previous: ExpiringCredential = {
        version: 'v0',
        stage: 'AWSPREVIOUS',
        username: 'hookguard',
        password: 'Zero0',
        expiresAt: new Date(T0 + 30_000),
      };
      const source = new ScriptedSource([v1, previous]);
      const cache = new CachedCredentialSource({
        source,
        ttlSeconds: 300,
        refreshMinIntervalSeconds: 10,
        now: clock.now,
      });

      // Act / Assess
      await expect(cache.acceptedCredentials()).resolves.toEqual([v1, previous]);
      clock.advanceSeconds(29);
      await expect(cache.acceptedCredentials()).resolves.toEqual([v1, previous]);
      clock.advanceSeconds(1);
      await expect(cache.acceptedCredentials()).resolves.toEqual([v1]);
      expect(source.loads).toBe(1);
    });
  });

  describe('Method: refreshForUnknown', () => {
    it('reloads at most once per refresh interval', async () => {
      // Prepare
      const { clock, source, cache } = setup({ ttlSeconds: 300, refreshMinIntervalSeconds: 10 });
      await cache.acceptedCredentials();

      // Act / Assess
      await expect(cache.refreshForUnknown()).resolves.toBe(true);
      expect(source.loads).toBe(2);
      for (let attempt = 0; attempt < 50; attempt++) {
        await expect(cache.refreshForUnknown()).resolves.toBe(false);
      }
      clock.advanceSeconds(9);
      await expect(cache.refreshForUnknown()).resolves.toBe(false);
      expect(source.loads).toBe(2);
      clock.advanceSeconds(1);
      await expect(cache.refreshForUnknown()).resolves.toBe(true);
      expect(source.loads).toBe(3);
    });

    it('lets concurrent unknown credentials share one load', async () => {
      const { source, cache } = setup();
      await cache.acceptedCredentials();
      source.hold();
      source.credentials = [v2];

      const refreshes = Array.from({ length: 25 }, () => cache.refreshForUnknown());
      source.release();

      await expect(Promise.all(refreshes)).resolves.toEqual(Array(25).fill(true));
      expect(source.loads).toBe(2);
      await expect(cache.acceptedCredentials()).resolves.toEqual([v2]);
    });

    it('puts freshly loaded values in the cache for the next TTL', async () => {
      const { clock, source, cache } = setup({ ttlSeconds: 60 });
      await cache.acceptedCredentials();
      clock.advanceSeconds(50);
      source.credentials = [v2];

      await cache.refreshForUnknown();
      clock.advanceSeconds(50);

      await expect(cache.acceptedCredentials()).resolves.toEqual([v2]);
      expect(source.loads).toBe(2);
    });

    it('reports a failed reload and keeps the cached values', async () => {
      const { source, cache } = setup();
      await cache.acceptedCredentials();
      source.failing = true;

      await expect(cache.refreshForUnknown()).resolves.toBe(false);
      await expect(cache.acceptedCredentials()).resolves.toEqual([v1]);
    });
  });

  it('lets a credential rotated a moment ago work at once, while wrong guesses cost one load per interval', async () => {
    // Prepare: a warm cache holding only the old credential.
    const { source, cache } = setup({ ttlSeconds: 300, refreshMinIntervalSeconds: 10 });
    const authenticator = createBasicAuthenticator({ credentials: cache });
    await expect(authenticator.authenticate(basicAuthorizationHeader(v1), 'postmark')).resolves.toMatchObject({
      ok: true,
    });
    source.credentials = [v2, { ...v1, stage: 'AWSPREVIOUS' }];

    // Act: the rotated credential arrives, then a burst of wrong guesses.
    const rotated = await authenticator.authenticate(basicAuthorizationHeader(v2), 'postmark');
    const guesses = await Promise.all(
      Array.from({ length: 30 }, (_, index) =>
        authenticator.authenticate(
          basicAuthorizationHeader({ username: 'hookguard', password: `guess${index}` }),
          'postmark',
        ),
      ),
    );

    // Assess
    expect(rotated).toMatchObject({ ok: true, credentialVersion: 'v2' });
    expect(guesses.every((result) => !result.ok)).toBe(true);
    expect(source.loads).toBe(2);
  });

  it.each([
    ['a negative TTL', { ttlSeconds: -1, refreshMinIntervalSeconds: 10 }, /ttlSeconds \[-1\]/],
    ['a NaN interval', { ttlSeconds: 60, refreshMinIntervalSeconds: Number.NaN }, /refreshMinIntervalSeconds \[NaN\]/],
  ])('refuses %s', (_name, options, message) => {
    expect(() => new CachedCredentialSource({ source: new ScriptedSource([v1]), ...options })).toThrow(message);
  });
});
