import { join } from 'node:path';
import { PROVIDER_IDS } from '../../../lambda/core/provider-ids';
import { ConfigError, loadConfig, parseConfig } from '../../../lib/config';
import {
  PROVIDER_TLS,
  providersWithoutTls13,
  securityPolicyFor,
  TLS12_PFS_POLICY,
  TLS13_ONLY_POLICY,
} from '../../../lib/constructs/tls-policy';
import { placeholderFindings } from '../../../lib/ops/placeholders';

const stage = (raw: Record<string, unknown>) => {
  const config = parseConfig({ stages: { dev: { providers: { sendgrid: {} }, ...raw } } }, 'test.json');
  const resolved = config.stages.dev;
  if (resolved === undefined) throw new Error('no stage dev');
  return resolved;
};

describe('tlsPolicy', () => {
  it('defaults to provider-compatible and accepts tls13-only', () => {
    expect(stage({}).tlsPolicy).toBe('provider-compatible');
    expect(stage({ tlsPolicy: 'tls13-only' }).tlsPolicy).toBe('tls13-only');
  });

  it('refuses anything else, naming the choices', () => {
    expect(() => stage({ tlsPolicy: 'TLS_1_0' })).toThrow(ConfigError);
    expect(() => stage({ tlsPolicy: 'TLS_1_0' })).toThrow(/tlsPolicy: must be one of "provider-compatible", "tls13-only"/);
  });

  it('picks TLS 1.3 + TLS 1.2 with forward secrecy while any enabled provider does not document TLS 1.3', () => {
    expect(securityPolicyFor(['sendgrid', 'amazon-ses'], 'provider-compatible')).toBe(TLS12_PFS_POLICY);
    expect(securityPolicyFor(['sendgrid'], 'tls13-only')).toBe(TLS13_ONLY_POLICY);
    expect(providersWithoutTls13(['sendgrid']).map((entry) => entry.provider)).toEqual(['sendgrid']);
  });

  it('has a documented source for every provider', () => {
    expect(Object.keys(PROVIDER_TLS).sort()).toEqual([...PROVIDER_IDS].sort());
    for (const entry of Object.values(PROVIDER_TLS)) expect(entry.source.length).toBeGreaterThan(10);
  });
});

describe('placeholderFindings', () => {
  it('names the shipped configuration’s placeholders: the loopback Mandrill URL and the example SNS topic', () => {
    const config = loadConfig(join(__dirname, '..', '..', '..', 'hookguard.config.json'));
    const dev = placeholderFindings(config.stages.dev as NonNullable<typeof config.stages.dev>);
    expect(dev.map((finding) => finding.path)).toEqual([
      'providers.mandrill.signedUrl',
      'providers.amazon-ses.snsTopicArns[0]',
    ]);
    expect(dev[0]?.problem).toMatch(/fails its signature check/);
    const prod = placeholderFindings(config.stages.prod as NonNullable<typeof config.stages.prod>);
    expect(prod.map((finding) => `${finding.path}=${finding.value}`)).toEqual([
      'providers.mandrill.signedUrl=https://hooks.example.com/webhooks/mandrill',
      'providers.amazon-ses.snsTopicArns[0]=arn:aws:sns:us-east-1:123456789012:hookguard-ses-events',
    ]);
  });

  it('finds nothing in a real configuration', () => {
    const real = stage({
      providers: {
        mandrill: { signedUrl: 'https://hooks.acme.io/webhooks/mandrill' },
        'amazon-ses': { snsTopicArns: ['arn:aws:sns:eu-west-1:210987654321:ses'] },
      },
    });
    expect(placeholderFindings(real)).toEqual([]);
  });
});
