/**
 * Proof (issue 12 §1): during a rotation's overlap, Mandrill requests signed over the OLD webhook URL and over the
 * NEW one both verify, on the deployed request path (authorizer credential source over Secrets Manager, real
 * Mandrill module, dedupe ledger on dynalite).
 *
 * Why it matters: Mandrill signs the webhook URL exactly as configured, credentials included, followed by the POST
 * fields ("How to Authenticate Webhook Requests", MD3 in provider-apis.md). When `setSecret` changes the URL's user
 * info, batches Mandrill queued or retries from before the change may still be signed over the old URL (whether
 * they are is not documented), while new ones are signed over the new URL. The verifier rebuilds the signed URL from
 * every credential the authorizer accepts (`signedUrlsFor` in lambda/core/pipeline.ts), so both must pass for as
 * long as the old credential is accepted, and only that long.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { mandrillSimulator } from '../../../src/simulate/mandrill';
import { startTestDynamoDb, type TestDynamoDb } from '../../fixtures/verifier/dynalite';
import {
  type Credential,
  GRACE_HOURS,
  NEW_CREDENTIAL,
  OLD_CREDENTIAL,
  type OverlapWorld,
  overlapWorld,
  urlWithCredential,
} from './overlap-world';

const secretsManager = mockClient(SecretsManagerClient);
const START = new Date('2026-12-01T10:00:00.000Z');
/** The webhook URL as configured at Mandrill, without credentials (`providers.mandrill.signedUrl`). */
const SIGNED_URL = 'https://hooks.example.com/webhooks/mandrill';
/** The webhook's signing key, as Mandrill shows it (unchanged by a URL update). */
const WEBHOOK_KEY = 'mandrill-webhook-key-0001';

describe('Mandrill during a credential rotation', () => {
  let db: TestDynamoDb;

  beforeAll(async () => {
    db = await startTestDynamoDb();
  });

  afterAll(async () => {
    await db.close();
  });

  afterEach(() => {
    secretsManager.reset();
  });

  const setup = () =>
    overlapWorld({
      secretsManager,
      db,
      start: START,
      providers: {
        mandrill: { auth: 'both', timestampToleranceSeconds: 0, maxBodyBytes: 1_000_000, signedUrl: SIGNED_URL },
      },
      signingKeys: { mandrill: [WEBHOOK_KEY] },
    });

  /**
   * A batch as Mandrill posts it to the webhook configured with `credential` in its URL: signed over that URL, and
   * with the URL's user info as the Basic Authorization header.
   */
  function batch(world: OverlapWorld, uniqueId: string, credential: Credential) {
    const request = mandrillSimulator.simulate({
      eventName: 'hard_bounce',
      signingKey: WEBHOOK_KEY,
      signedUrl: urlWithCredential(SIGNED_URL, credential),
      now: world.clock.now(),
      uniqueId,
      batch: 2,
    });
    return { provider: 'mandrill' as const, method: 'POST', headers: request.headers, body: request.body };
  }

  it('verifies batches signed over the old URL and over the new URL while the new credential is pending', async () => {
    const world = await setup();
    await world.startRotation();

    // A batch queued before setSecret changed the URL (old URL, old credential), and one sent after it.
    const old = await world.deliver(batch(world, 'queued-before-update', OLD_CREDENTIAL), OLD_CREDENTIAL);
    const fresh = await world.deliver(batch(world, 'sent-after-update', NEW_CREDENTIAL), NEW_CREDENTIAL);

    expect(old.status).toBe(200);
    expect(fresh.status).toBe(200);
    expect(old.result?.outcome).toMatchObject({ received: 2, published: 2, duplicates: 0 });
    expect(fresh.result?.outcome).toMatchObject({ received: 2, published: 2, duplicates: 0 });
    expect(world.bus.accepted).toHaveLength(4);
  });

  it('keeps verifying both after finishSecret, for the grace period, and publishes a batch retried across the change once', async () => {
    const world = await setup();
    await world.startRotation();
    // Mandrill's first attempt of a batch, over the old URL, is accepted while the rotation runs...
    const queued = batch(world, 'retried-batch', OLD_CREDENTIAL);
    const first = await world.deliver(queued, OLD_CREDENTIAL);
    await world.finishRotation();
    world.clock.advance((GRACE_HOURS - 1) * 3600);

    // ...its retry (the answer was lost) still carries the old signature; new batches carry the new one.
    const retry = await world.deliver(queued, OLD_CREDENTIAL);
    const fresh = await world.deliver(batch(world, 'after-finish', NEW_CREDENTIAL), NEW_CREDENTIAL);

    expect([first.status, retry.status, fresh.status]).toEqual([200, 200, 200]);
    expect(retry.result?.outcome).toMatchObject({ received: 2, published: 0, duplicates: 2 });
    expect(fresh.result?.outcome).toMatchObject({ published: 2 });
    expect([...world.bus.deliveries().values()].every((count) => count === 1)).toBe(true);
    expect(world.bus.accepted).toHaveLength(4);
  });

  it('refuses the old URL once the grace period is over: the old credential at the authorizer, the old signature at the verifier', async () => {
    const world = await setup();
    await world.startRotation();
    await world.finishRotation();
    world.clock.advance(GRACE_HOURS * 3600 + 1);

    const oldAuth = await world.deliver(batch(world, 'late-old', OLD_CREDENTIAL), OLD_CREDENTIAL);
    // The current credential in the header does not make a signature over the old URL acceptable.
    const oldSignature = await world.deliver(batch(world, 'late-mixed', OLD_CREDENTIAL), NEW_CREDENTIAL);
    const fresh = await world.deliver(batch(world, 'late-new', NEW_CREDENTIAL), NEW_CREDENTIAL);

    expect(oldAuth.status).toBe(401);
    expect(oldAuth.result).toBeUndefined();
    expect(oldSignature.status).toBe(401);
    expect(oldSignature.result?.outcome.errorCode).toBe('invalid_signature');
    expect(fresh.status).toBe(200);
    expect(world.bus.accepted).toHaveLength(2);
  });

  it('never accepts a signature over a URL carrying a credential the stage does not accept', async () => {
    const world = await setup();
    await world.startRotation();
    const stranger = { username: 'hookguard', password: 'Never-Issued-0000' };

    const forged = await world.deliver(batch(world, 'forged', stranger), NEW_CREDENTIAL);

    expect(forged.status).toBe(401);
    expect(forged.result?.outcome.errorCode).toBe('invalid_signature');
    expect(world.bus.accepted).toHaveLength(0);
  });
});
