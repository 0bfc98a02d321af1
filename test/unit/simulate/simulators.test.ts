import { PROVIDERS } from '../../../lambda/providers';
import type { WebhookRequest } from '../../../lambda/providers/types';
import { SIMULATORS } from '../../../src/simulate';
import type { ProviderSimulator, SimulateInput } from '../../../src/simulate/types';

const NOW = new Date('2026-11-20T12:00:00.000Z');

function normalise(simulator: ProviderSimulator, input: SimulateInput) {
  const module = PROVIDERS.get(simulator.id);
  if (module === undefined) throw new Error(`no module ${simulator.id}`);
  const simulated = simulator.simulate(input);
  const request: WebhookRequest = {
    provider: simulator.id,
    method: 'POST',
    headers: simulated.headers,
    body: simulated.body,
    receivedAt: NOW,
  };
  return module.parse(request).events.flatMap((event) => module.normalise(event, request));
}

const simulators = [...SIMULATORS.values()].map((simulator) => [simulator.id, simulator] as const);

describe('simulators', () => {
  it('registers one simulator per provider module, under the same id', () => {
    expect([...SIMULATORS.keys()].sort()).toEqual([...PROVIDERS.keys()].sort());
  });

  it.each(simulators)('%s names its source and offers events', (_id, simulator) => {
    expect(simulator.source).toMatch(/\w{10,}/);
    expect(simulator.events.length).toBeGreaterThan(0);
    expect(new Set(simulator.events).size).toBe(simulator.events.length);
  });

  /** Events about something other than one sent message (relays, lists, contacts, domains) name their own addresses. */
  const NOT_ABOUT_A_MESSAGE = /relay_|whitelist|blacklist|contact\.|domain\.|suppression\.|Domain|SendLimit|spam_block/;

  it.each(simulators)('%s puts --recipient on every message event that names a recipient', (_id, simulator) => {
    for (const eventName of simulator.events.filter((name) => !NOT_ABOUT_A_MESSAGE.test(name))) {
      const drafts = normalise(simulator, { eventName, now: NOW, uniqueId: 'r', recipient: 'someone@example.net' });
      const named = drafts.filter((draft) => draft.recipient !== null && draft.recipient !== undefined);
      expect([eventName, named.map((draft) => draft.recipient)]).toEqual([
        eventName,
        named.map(() => 'someone@example.net'),
      ]);
    }
  });

  it.each(simulators.filter(([, simulator]) => simulator.metadata !== null))(
    '%s carries --metadata where the provider carries sender metadata',
    (_id, simulator) => {
      const eventName = simulator.events[0] as string;
      const [draft] = normalise(simulator, { eventName, now: NOW, uniqueId: 'm', metadata: { tenant: 'acme' } });
      // Mailjet adds the message's CustomID beside its Payload; every other provider carries exactly what was sent.
      expect(draft?.metadata).toMatchObject({ tenant: 'acme' });
      expect(draft?.metadata).not.toHaveProperty('order_id');
    },
  );

  it.each(simulators.filter(([, simulator]) => simulator.maxBatch > 1))(
    '%s builds a batch of distinct events in one request',
    (_id, simulator) => {
      const eventName = simulator.events.find((name) => !/relay|ab_test|success|error|list|spam_block/.test(name));
      const drafts = normalise(simulator, { eventName: eventName as string, now: NOW, uniqueId: 'b', batch: 4 });
      expect(drafts).toHaveLength(4);
      expect(new Set(drafts.map((draft) => draft.eventId)).size).toBe(4);
    },
  );

  it.each(simulators.filter(([, simulator]) => simulator.maxBatch === 1))(
    '%s refuses a batch: it posts one event per request',
    (_id, simulator) => {
      const eventName = simulator.events[0] as string;
      expect(() => simulator.simulate({ eventName, now: NOW, uniqueId: 'x', batch: 2 })).toThrow(/one event per request/);
    },
  );
});
