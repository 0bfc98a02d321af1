import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { CONFIG_SCHEMA_FILE, configJsonSchemaText } from '../../../lib/config/schema';

const ROOT = join(__dirname, '..', '..', '..');
const checkedIn = readFileSync(join(ROOT, CONFIG_SCHEMA_FILE), 'utf8');

describe(CONFIG_SCHEMA_FILE, () => {
  it('is current: generated from the schema the loader validates with (run `npm run config:schema` if not)', () => {
    expect(checkedIn).toBe(configJsonSchemaText());
  });

  it('is named by the shipped hookguard.config.json in $schema', () => {
    const config = JSON.parse(readFileSync(join(ROOT, 'hookguard.config.json'), 'utf8')) as { $schema?: string };
    expect(config.$schema).toBe(`./${CONFIG_SCHEMA_FILE}`);
  });

  describe('as an editor uses it', () => {
    // An independent reading of the JSON Schema text (not the zod schema it came from).
    const validator = z.fromJSONSchema(JSON.parse(checkedIn));
    const accepts = (document: unknown) => validator.safeParse(document).success;

    it('accepts the shipped configuration', () => {
      expect(accepts(JSON.parse(readFileSync(join(ROOT, 'hookguard.config.json'), 'utf8')))).toBe(true);
    });

    it.each([
      ['a misspelt section', { stages: { dev: { throttle: {} } } }],
      ['a misspelt setting', { shared: { waf: { ratelimit: 10 } }, stages: { dev: {} } }],
      ['an unknown provider', { stages: { dev: { providers: { sendgird: {} } } } }],
      ['a number out of range', { stages: { dev: { providers: { sendgrid: { rateLimit: 5 } } } } }],
      ['a setting of another provider', { stages: { dev: { providers: { sendgrid: { signedUrl: 'https://x.example' } } } } }],
      ['basic auth for a provider that needs its signature', { stages: { dev: { providers: { 'amazon-ses': { auth: 'basic' } } } } }],
      ['a bad stage name', { stages: { 'my stage': {} } }],
      ['no stages', { stages: {} }],
      ['a route target without its ARN', {
        stages: { dev: { events: { routes: [{ name: 'a', eventPattern: { x: [1] }, target: { type: 'lambda' } }] } } },
      }],
    ])('refuses %s', (_what, document) => {
      expect(accepts(document)).toBe(false);
    });
  });
});
