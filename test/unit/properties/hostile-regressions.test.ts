/**
 * One regression test per class of issue 11 section 1, on every provider: the class applied deterministically to a
 * valid, correctly signed simulated payload, through the whole pipeline with in-memory ports.
 */
import { MAX_JSON_DEPTH } from '../../../lambda/core/json';
import type { ProviderId } from '../../../lambda/core/provider-ids';
import { PROVIDERS } from '../../../lambda/providers';
import { NOW } from '../../fixtures/verifier/fakes';
import { applyMutations, PROTOTYPE_NAMES } from '../../support/hostile/mutations';
import { allPayloads } from '../../support/hostile/provider-payloads';
import { hostileWorld, runHostile } from '../../support/hostile/world';

const BASES = allPayloads(NOW);
const PROVIDER_IDS = [...PROVIDERS.keys()];

/** A deep copy of `value` with every leaf passed through `leaf` (iterative, for payloads of any shape). */
function mapLeaves(value: unknown, leaf: (value: unknown) => unknown): unknown {
  const copy: unknown = structuredClone(value);
  const stack: unknown[] = [copy];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node !== 'object' || node === null) continue;
    const record = node as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      const child = record[key];
      if (typeof child === 'object' && child !== null) stack.push(child);
      else record[key] = leaf(child);
    }
  }
  return copy;
}

function basesOf(provider: ProviderId) {
  return BASES.filter((base) => base.provider === provider);
}

describe.each(PROVIDER_IDS)('%s', (provider) => {
  it('maps Object.prototype names used as event names to contract-valid events (unknown names never break it)', async () => {
    const world = hostileWorld();
    let run = 0;
    for (const base of basesOf(provider)) {
      for (const name of PROTOTYPE_NAMES) {
        run += 1;
        const payload = mapLeaves(world.signedPayload(provider, base.payload), (leaf) =>
          leaf === base.eventName ? name : leaf,
        );
        const result = await runHostile(world, world.request(provider, applyMutations(payload, []), `proto-${run}`));
        expect(result.problems).toEqual([]);
        expect(result.status).toBe(200);
      }
    }
  });

  it.each([
    ['9007199254740991', 9007199254740991],
    ['a 14-digit number', 99999999999999],
    ['1e21', 1e21],
  ])('answers timestamps of %s without a 5xx', async (_label, huge) => {
    const world = hostileWorld();
    let run = 0;
    for (const base of basesOf(provider)) {
      run += 1;
      // Every number and every date-like string becomes unrepresentable as a JavaScript Date.
      const payload = mapLeaves(world.signedPayload(provider, base.payload), (leaf) => {
        if (typeof leaf === 'number') return huge;
        if (typeof leaf === 'string' && !Number.isNaN(Date.parse(leaf))) return String(huge);
        if (typeof leaf === 'string' && /^\d{9,}(\.\d+)?$/.test(leaf)) return String(huge);
        return leaf;
      });
      const result = await runHostile(world, world.request(provider, applyMutations(payload, []), `ts-${run}`));
      expect(result.problems).toEqual([]);
      expect([200, 400, 401]).toContain(result.status);
    }
  });

  it(`refuses JSON nested deeper than ${MAX_JSON_DEPTH} levels with a 400 that names the limit`, async () => {
    const world = hostileWorld();
    const [base] = basesOf(provider);
    for (const [index, at] of [0, 3, 7, 1000].entries()) {
      const bytes = applyMutations(world.signedPayload(provider, base?.payload), [{ kind: 'deep', at, levels: 5000 }]);
      const { response } = await world.process(world.request(provider, bytes, `deep-${index}`));
      expect(response.statusCode).toBe(400);
      expect(JSON.parse(response.body)).toEqual({
        error: { code: 'invalid_payload', message: expect.stringContaining(`deeper than ${MAX_JSON_DEPTH} levels`) },
      });
      expect(world.bus.accepted).toEqual([]);
    }
  });

  it('refuses a body that is not valid UTF-8 with 400 invalid_payload', async () => {
    const world = hostileWorld();
    const [base] = basesOf(provider);
    for (const [index, bytes] of [[0xff], [0xc3], [0xed, 0xa0, 0x80]].entries()) {
      const payload = applyMutations(world.signedPayload(provider, base?.payload), [
        { kind: 'invalid-utf8', at: 40 + index, bytes },
      ]);
      const { response } = await world.process(world.request(provider, payload, `utf8-${index}`));
      expect(response.statusCode).toBe(400);
      expect(JSON.parse(response.body).error.code).toBe('invalid_payload');
      expect(world.bus.accepted).toEqual([]);
    }
  });
});
