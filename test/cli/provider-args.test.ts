import { PROVIDER_IDS } from '../../lambda/core/provider-ids';
import { PROVIDERS } from '../../lambda/providers';
import type { ProviderModule } from '../../lambda/providers/types';
import { runCli } from '../../src/cli/main';
import { assertSimulationKey, unknownProviderMessage } from '../../src/cli/provider-args';
import { simulatorOf } from '../../src/simulate';
import { type CliKit, createCliKit, recordingFetch, recordingIo } from './cli-test-kit';

function moduleOf(id: 'sendgrid' | 'postal' | 'mailgun'): ProviderModule {
  return PROVIDERS.get(id) as ProviderModule;
}

describe('provider arguments', () => {
  it('lists every valid id and suggests the closest one for a typo', () => {
    expect(unknownProviderMessage('sendgird')).toBe(
      `Unknown provider "sendgird" (did you mean "sendgrid"?); valid providers: ${PROVIDER_IDS.join(', ')}`,
    );
  });

  it('suggests nothing when no id is close', () => {
    expect(unknownProviderMessage('carrier-pigeon')).toBe(
      `Unknown provider "carrier-pigeon"; valid providers: ${PROVIDER_IDS.join(', ')}`,
    );
  });

  it.each(['sendgrid', 'postal'] as const)('refuses the public key of %s as a key to sign with, saying why', (id) => {
    const module = moduleOf(id);
    const pair = simulatorOf(id).generateKeyPair?.();
    expect(pair).toBeDefined();
    expect(() => assertSimulationKey(module, pair?.verificationKey as string)).toThrow(
      new RegExp(`^--key for ${id} must be a private key \\(PEM\\): .* the public key its dashboard shows can only verify`),
    );
    expect(() => assertSimulationKey(module, pair?.simulationKey as string)).not.toThrow();
  });

  it('accepts any shared secret for an HMAC provider', () => {
    expect(() => assertSimulationKey(moduleOf('mailgun'), 'not-a-pem')).not.toThrow();
  });

  describe('through hookguard send', () => {
    let kit: CliKit;

    beforeEach(async () => {
      kit = await createCliKit();
    });

    afterEach(async () => {
      await kit.cleanUp();
    });

    it('answers send --key <SendGrid public key> with one line and sends nothing', async () => {
      // Prepare
      const io = recordingIo();
      const fetch = recordingFetch();
      const publicKey = simulatorOf('sendgrid').generateKeyPair?.().verificationKey as string;

      // Act
      const code = await runCli(['send', 'sendgrid', 'bounce', '--key', publicKey, ...kit.commonArgs], io, { fetch });

      // Assess
      expect(code).toBe(1);
      expect(io.errors).toEqual([expect.stringMatching(/^hookguard send: --key for sendgrid must be a private key/)]);
      expect(io.errors[0]).not.toContain(publicKey);
      expect(fetch.requests).toEqual([]);
    });

    it('lists the valid providers for send sendgird', async () => {
      // Prepare
      const io = recordingIo();

      // Act
      const code = await runCli(['send', 'sendgird', 'bounce', ...kit.commonArgs], io);

      // Assess
      expect(code).toBe(1);
      expect(io.errors).toEqual([expect.stringContaining('did you mean "sendgrid"?); valid providers: amazon-ses,')]);
    });
  });
});
