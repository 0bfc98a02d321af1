import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROVIDERS } from '../../../lambda/providers';
import { renderEventsDoc } from '../../../src/docs/events-doc';
import {
  GENERATED_END,
  GENERATED_START,
  renderProviderMapping,
  renderProvidersDoc,
} from '../../../src/docs/providers-doc';

const ROOT = join(__dirname, '../../..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

describe('generated docs are current (regenerate with npm run docs)', () => {
  it('docs/events.md', () => {
    expect(read('docs/events.md')).toBe(renderEventsDoc());
  });

  it('docs/providers.md holds the current generated mapping', () => {
    const page = read('docs/providers.md');
    const start = page.indexOf(GENERATED_START);
    const end = page.indexOf(GENERATED_END);
    expect(start).toBeGreaterThanOrEqual(0);
    expect(page.slice(start, end + GENERATED_END.length)).toBe(renderProviderMapping());
  });
});

describe('docs/providers.md generation', () => {
  it('has a section for every registered provider', () => {
    const mapping = renderProviderMapping();
    for (const module of PROVIDERS.values()) expect(mapping).toContain(`(\`${module.id}\`)`);
  });

  it('states the soft-bounce rule with the mapping that follows it', () => {
    const mapping = renderProviderMapping();
    expect(mapping).toContain('| `soft_bounce` | `deferred` | `bounced` |');
    expect(mapping).toContain('| `SoftBounce` | `deferred` | `bounced` |');
  });

  it('replaces only the generated section of an existing page', () => {
    const page = `# Providers\n\nSetup steps.\n\n${GENERATED_START}\nold\n${GENERATED_END}\n\nMore.\n`;
    const rendered = renderProvidersDoc(page);
    expect(rendered.startsWith('# Providers\n\nSetup steps.\n\n')).toBe(true);
    expect(rendered.endsWith('\n\nMore.\n')).toBe(true);
    expect(rendered).toContain(renderProviderMapping());
    expect(rendered).not.toContain('\nold\n');
  });
});
