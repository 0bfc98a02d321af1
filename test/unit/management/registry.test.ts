import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isProviderId } from '../../../lambda/core/provider-ids';
import { MANAGEMENT_MODULES } from '../../../lambda/management';

describe('management registry', () => {
  it('registers each module under its own provider id', () => {
    expect(MANAGEMENT_MODULES.size).toBeGreaterThan(0);
    for (const [id, module] of MANAGEMENT_MODULES) {
      expect(isProviderId(id)).toBe(true);
      expect(module.provider).toBe(id);
    }
  });

  it.each([...MANAGEMENT_MODULES.values()].map((module) => [module.provider, module] as const))(
    '%s documents its key scope, options and sources',
    (_id, module) => {
      expect(module.keyScope.length).toBeGreaterThan(20);
      expect(module.sources.length).toBeGreaterThan(0);
      for (const source of module.sources) expect(source).toMatch(/^https:\/\//);
      for (const meaning of Object.values(module.options)) expect(meaning.length).toBeGreaterThan(10);
    },
  );

  it.each([
    ['sendgrid', 'url-userinfo'],
    ['mailgun', 'url-userinfo'],
    ['postmark', 'auth-field'],
    ['mandrill', 'url-userinfo'],
    ['sparkpost', 'auth-field'],
    ['brevo', 'bearer'],
    ['mailjet', 'url-userinfo'],
    ['mailtrap', 'url-userinfo'],
    ['mailersend', 'none'],
    ['resend', 'none'],
    ['unisender-go', 'url-userinfo'],
    ['amazon-ses', 'url-userinfo'],
  ] as const)('registers %s with credential placement %s', (id, placement) => {
    expect(MANAGEMENT_MODULES.get(id)?.placement).toBe(placement);
  });

  it('leaves Postal unregistered: it has no webhook-management API', () => {
    expect(MANAGEMENT_MODULES.has('postal')).toBe(false);
  });
});

describe('docs/provider-management.md', () => {
  const text = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'provider-management.md'), 'utf8');

  it.each([
    'sendgrid',
    'mailgun',
    'postmark',
    'mandrill',
    'sparkpost',
    'brevo',
    'mailjet',
    'mailtrap',
    'mailersend',
    'resend',
    'unisender-go',
    'amazon-ses',
  ] as const)(
    'documents the %s client, its key field and options',
    (id) => {
      const module = MANAGEMENT_MODULES.get(id);
      // Headings and rows use the provider's name: `unisender-go` is "Unisender Go".
      const name = id.replace(/-/g, ' ');
      const section = text.split(/^### /m).find((part) => part.toLowerCase().startsWith(name)) ?? '';
      expect(section).not.toBe('');
      const row = text.split('\n').find((line) => line.toLowerCase().startsWith(`| ${name} |`)) ?? '';
      for (const field of module?.keyFields ?? []) expect(row).toContain(`\`${field}\``);
      for (const option of Object.keys(module?.options ?? {})) expect(row).toContain(`\`${option}\``);
    },
  );
});
