import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { CANARY_HEADER, CANARY_SOURCE, canaryTag, isCanaryRequest } from '../../../lambda/core/canary';
import { EVENT_SOURCE } from '../../../lambda/core/event';
import { createWebhookProcessor } from '../../../lambda/core/pipeline';
import { fakeWorld, manyEvents, signedRequest } from '../../fixtures/verifier/fakes';

describe('canary mark', () => {
  const body = Buffer.from('{"type":"email.delivered"}');

  it('accepts the tag of this body under an accepted password, and nothing else', () => {
    const tag = canaryTag('Secret123', body);
    expect(isCanaryRequest({ [CANARY_HEADER]: tag }, body, ['Other', 'Secret123'])).toBe(true);
    expect(isCanaryRequest({ [CANARY_HEADER]: tag }, body, ['Other'])).toBe(false);
    expect(isCanaryRequest({ [CANARY_HEADER]: tag }, Buffer.from('{"type":"email.bounced"}'), ['Secret123'])).toBe(
      false,
    );
    expect(isCanaryRequest({}, body, ['Secret123'])).toBe(false);
    expect(isCanaryRequest({ [CANARY_HEADER]: 'yes' }, body, ['Secret123'])).toBe(false);
    expect(isCanaryRequest({ [CANARY_HEADER]: tag }, body, [])).toBe(false);
  });

  it('is never set by a header value that was not made with the password (seeded property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), fc.uint8Array({ maxLength: 64 }), (value, bytes) => {
        expect(isCanaryRequest({ [CANARY_HEADER]: value }, Buffer.from(bytes), ['Secret123'])).toBe(
          value === canaryTag('Secret123', bytes),
        );
      }),
      { seed: 13, numRuns: 200 },
    );
  });

  it('never uses the password itself as the key', () => {
    expect(canaryTag('Secret123', body)).not.toBe(createHmac('sha256', 'Secret123').update(body).digest('base64url'));
  });
});

describe('the verifier with a canary request', () => {
  it('publishes a marked request with Source hookguard.canary, once; a re-post is a duplicate', async () => {
    const world = fakeWorld();
    const process = createWebhookProcessor(world.deps);
    const request = signedRequest(manyEvents(2));
    const marked = { ...request, headers: { ...request.headers, [CANARY_HEADER]: canaryTag('Secret123', request.body) } };

    const first = await process(marked);
    const again = await process(marked);

    expect(first.response.statusCode).toBe(200);
    expect(JSON.parse(again.response.body)).toEqual({ received: 2, published: 0, duplicates: 2 });
    expect(world.bus.accepted.map((entry) => entry.source)).toEqual([CANARY_SOURCE, CANARY_SOURCE]);
  });

  it('publishes an unmarked or wrongly marked request as an ordinary event, without reading credentials twice', async () => {
    const world = fakeWorld();
    const process = createWebhookProcessor(world.deps);
    const plain = signedRequest(manyEvents(1));
    await process(plain);
    const callsAfterPlain = world.credentials.calls;
    const forged = signedRequest(manyEvents(2));
    await process({ ...forged, headers: { ...forged.headers, [CANARY_HEADER]: canaryTag('guess', forged.body) } });

    expect(callsAfterPlain).toBe(0);
    expect(world.bus.accepted.map((entry) => entry.source)).toEqual([EVENT_SOURCE, EVENT_SOURCE]);
  });

  it('answers 503 (retried) when the credentials cannot be read to check a mark', async () => {
    const world = fakeWorld();
    world.credentials.failure = new Error('Secrets Manager down');
    const request = signedRequest(manyEvents(1));
    const { response } = await createWebhookProcessor(world.deps)({
      ...request,
      headers: { ...request.headers, [CANARY_HEADER]: canaryTag('Secret123', request.body) },
    });
    expect(response.statusCode).toBe(503);
    expect(world.bus.accepted).toHaveLength(0);
  });
});
