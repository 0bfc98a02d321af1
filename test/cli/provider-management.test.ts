import type { ProviderId } from '../../lambda/core/provider-ids';
import type { ManagedAccount, ManagementModule } from '../../lambda/management/types';
import { parseConfig, stageOf } from '../../lib/config';
import type { StageConfig } from '../../lib/config/types';
import { manualReasonText, providerManagement } from '../../src/cli/provider-management';
import { FakeManagedAccount } from './fake-management';

function stage(providers: Record<string, Record<string, unknown>>): StageConfig {
  const managed = new Map<string, ManagedAccount>();
  const plain: Record<string, Record<string, unknown>> = {};
  for (const [id, settings] of Object.entries(providers)) {
    const { managed: account, ...rest } = settings;
    if (account !== undefined) managed.set(id, account as ManagedAccount);
    plain[id] = rest;
  }
  const loaded = stageOf(parseConfig({ stages: { test: { providers: plain } } }), 'test');
  // The managed blocks are added after validation, so these tests do not depend on which modules are registered.
  return {
    ...loaded,
    providers: Object.fromEntries(
      Object.entries(loaded.providers).map(([id, settings]) => [id, { ...settings, ...(managed.has(id) ? { managed: managed.get(id) } : {}) }]),
    ),
  };
}

const modules = new Map<ProviderId, ManagementModule>([
  ['sendgrid', new FakeManagedAccount('sendgrid').module()],
  ['postmark', new FakeManagedAccount('postmark').module('auth-field')],
  ['resend', new FakeManagedAccount('resend').module('none')],
  ['mailersend', new FakeManagedAccount('mailersend').module('none')],
]);

describe('providerManagement', () => {
  it('calls a provider managed only with a managed block and a module whose API carries the credential', () => {
    const result = providerManagement(
      stage({
        sendgrid: { managed: {} },
        postmark: { managed: { options: { messageStream: 'outbound' } } },
        postal: {},
        mailersend: {},
        resend: { auth: 'signature' },
        mailgun: {},
      }),
      modules,
    );
    const seen = Object.fromEntries(
      result.map((entry) => [entry.provider, `${entry.mode} ${entry.mode === 'manual' ? entry.reason : entry.placement}`]),
    );
    expect(seen).toEqual({
      sendgrid: 'managed url-userinfo',
      postmark: 'managed auth-field',
      postal: 'manual no-api',
      mailersend: 'manual no-credential-field',
      resend: 'manual no-credential-field',
      mailgun: 'manual no-api',
    });
  });

  it('says whether a manual provider URL carries the credential (signature-only ones do not change on rotation)', () => {
    const result = providerManagement(stage({ resend: { auth: 'signature' }, mailersend: { auth: 'both' } }), modules);
    const carries = Object.fromEntries(result.map((entry) => [entry.provider, entry.mode === 'manual' && entry.carriesCredential]));
    expect(carries).toEqual({ resend: false, mailersend: true });
  });

  it('treats a managed block for a provider without a usable module as manual (tell the operator to act)', () => {
    const result = providerManagement(stage({ postal: { managed: {} }, resend: { managed: {} } }), modules);
    expect(result.map((entry) => entry.mode)).toEqual(['manual', 'manual']);
  });

  it('explains each reason with what would change it', () => {
    expect(manualReasonText('postal', 'no-api')).toBe('Hookguard has no management client for its API');
    expect(manualReasonText('resend', 'no-credential-field')).toContain('providers.resend.auth "signature"');
    expect(manualReasonText('mailgun', 'not-configured')).toContain('providers.mailgun.managed');
  });
});
