/**
 * Issue 11 section 1 and 2, as properties over every provider: valid simulated payloads, mutated with adversarial
 * JSON and signed with the right key (so the cases reach parsing, normalising and publishing), through the whole
 * pipeline with in-memory ports. Seeded and small: the suite must stay a few minutes on 2 cores.
 */
import fc from 'fast-check';
import { completeEvent } from '../../../lambda/core/event';
import { contractViolations } from '../../../lambda/core/contract';
import { PayloadError } from '../../../lambda/errors';
import { PROVIDERS } from '../../../lambda/providers';
import { NOW } from '../../fixtures/verifier/fakes';
import { applyMutations, HOSTILE_MARKER, mutation } from '../../support/hostile/mutations';
import { allPayloads } from '../../support/hostile/provider-payloads';
import { hostileSettings, hostileWorld, runHostile } from '../../support/hostile/world';

const BASES = allPayloads(NOW);
const SEED = 20261120;

describe('hostile payloads through the whole pipeline (fast-check)', () => {
  it('never answers 5xx, never publishes on a non-200, publishes only contract-valid details, never quotes the request', async () => {
    const world = hostileWorld();
    const statuses = new Map<number, number>();
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...BASES), fc.array(mutation, { minLength: 1, maxLength: 3 }), async (base, mutations) => {
        run += 1;
        const bytes = applyMutations(world.signedPayload(base.provider, base.payload), mutations);
        const result = await runHostile(world, world.request(base.provider, bytes, `run-${run}`));
        statuses.set(result.status, (statuses.get(result.status) ?? 0) + 1);
        expect(result.problems).toEqual([]);
      }),
      { seed: SEED, numRuns: 700 },
    );
    // The cases must get past the signature check: most are answered by parsing or publishing, not by a 401.
    expect((statuses.get(401) ?? 0) / 700).toBeLessThan(0.2);
    expect(statuses.get(200) ?? 0).toBeGreaterThan(100);
  });

  it('answers 503 (and publishes nothing) only when a port fails', async () => {
    const world = hostileWorld();
    world.bus.outage = true;
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...BASES), fc.array(mutation, { maxLength: 2 }), async (base, mutations) => {
        run += 1;
        const bytes = applyMutations(world.signedPayload(base.provider, base.payload), mutations);
        const { response } = await world.process(world.request(base.provider, bytes, `outage-${run}`));
        expect([200, 400, 401, 503]).toContain(response.statusCode);
        expect(world.bus.accepted).toEqual([]);
      }),
      { seed: SEED + 1, numRuns: 150 },
    );
  });
});

describe("every provider's parse + normalise on hostile payloads (fast-check)", () => {
  const settings = hostileSettings();
  it.each([...PROVIDERS.keys()])('%s: a PayloadError or drafts that complete to contract-valid details', (provider) => {
    const world = hostileWorld();
    const module = PROVIDERS.get(provider);
    const bases = BASES.filter((base) => base.provider === provider);
    if (!module || bases.length === 0) throw new Error(`no simulated payloads for ${provider}`);
    let run = 0;
    fc.assert(
      fc.property(fc.constantFrom(...bases), fc.array(mutation, { minLength: 1, maxLength: 3 }), (base, mutations) => {
        run += 1;
        const request = world.request(provider, applyMutations(world.signedPayload(provider, base.payload), mutations), `pn-${run}`);
        let events: readonly unknown[];
        try {
          events = module.parse(request).events;
        } catch (error) {
          expect(error).toBeInstanceOf(PayloadError);
          expect((error as Error).message).not.toContain(HOSTILE_MARKER);
          return;
        }
        for (const event of events) {
          let drafts;
          try {
            drafts = module.normalise(event, request, settings.providers[provider]);
          } catch (error) {
            expect(error).toBeInstanceOf(PayloadError);
            expect((error as Error).message).not.toContain(HOSTILE_MARKER);
            continue;
          }
          for (const draft of drafts) {
            const detail = completeEvent(provider, draft, NOW);
            expect(contractViolations(detail)).toEqual([]);
            expect(contractViolations(JSON.parse(JSON.stringify(detail)))).toEqual([]);
          }
        }
      }),
      { seed: SEED + 2, numRuns: 60 },
    );
  });
});
