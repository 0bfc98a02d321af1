import { PROVIDERS } from '../../lambda/providers';
import type { ProviderModule } from '../../lambda/providers/types';
import { simulatorOf } from '../../src/simulate';
import { buildSimulatedRequest, selectSimulatedEvent, simulatedEventTypes } from '../../src/cli/simulated-requests';

const NOW = new Date('2026-11-22T10:00:00Z');

function moduleOf(id: 'sendgrid' | 'mandrill' | 'postmark'): ProviderModule {
  const module = PROVIDERS.get(id);
  if (!module) throw new Error(`no module ${id}`);
  return module;
}

describe('selectSimulatedEvent', () => {
  it.each([
    ['a native name', 'bounce', 'bounce'],
    ['a native name in another case', 'SpamReport', 'spamreport'],
    ['a normalised type', 'complained', 'spamreport'],
    ['a normalised type several events map to (the first)', 'unsubscribed', 'unsubscribe'],
  ])('finds %s', (_name, eventType, expected) => {
    expect(selectSimulatedEvent(moduleOf('sendgrid'), simulatorOf('sendgrid'), eventType, undefined, NOW)).toBe(expected);
  });

  it('lists the names it knows when nothing matches', () => {
    expect(() => selectSimulatedEvent(moduleOf('sendgrid'), simulatorOf('sendgrid'), 'inbound', undefined, NOW)).toThrow(
      /SendGrid has no simulated event "inbound"; use one of: processed, dropped/,
    );
  });
});

describe('simulatedEventTypes', () => {
  it('is what the module itself normalises the simulated event to', () => {
    expect(simulatedEventTypes(moduleOf('postmark'), simulatorOf('postmark'), 'Bounce', undefined, NOW)).toEqual(['bounced']);
  });
});

describe('buildSimulatedRequest', () => {
  it('makes each request a new event', async () => {
    // Act
    const first = await buildSimulatedRequest(simulatorOf('postmark'), 'Delivery', undefined, {}, NOW);
    const second = await buildSimulatedRequest(simulatorOf('postmark'), 'Delivery', undefined, {}, NOW);

    // Assess
    expect(first.body.equals(second.body)).toBe(false);
  });

  it('signs the Mandrill URL with the credential inserted as the verifier rebuilds it', async () => {
    // Prepare
    const module = moduleOf('mandrill');
    const settings = {
      auth: 'both' as const,
      timestampToleranceSeconds: 0,
      maxBodyBytes: 1_000_000,
      signedUrl: 'https://hooks.example.com/webhooks/mandrill',
    };
    const material = { signingKey: 'mandrill-key', credential: { username: 'hookguard', password: 'Pw1' } };

    // Act
    const request = await buildSimulatedRequest(simulatorOf('mandrill'), 'send', settings, material, NOW);

    // Assess
    const verify = (signedUrls: string[]) =>
      module.verify?.(
        { provider: 'mandrill', method: 'POST', headers: request.headers, body: request.body, receivedAt: NOW },
        {
          settings,
          signingKeys: ['mandrill-key'],
          signedUrls,
          now: NOW,
          certificates: { certificate: async () => '' },
        },
      );
    expect(() => verify(['https://hookguard:Pw1@hooks.example.com/webhooks/mandrill'])).not.toThrow();
    expect(() => verify(['https://hooks.example.com/webhooks/mandrill'])).toThrow();
  });
});
