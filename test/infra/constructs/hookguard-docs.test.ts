import { readFileSync } from 'node:fs';
import { parseConfig } from '../../../lib/config';
import { stageSchema } from '../../../lib/config/schema';
import { DOC_FILE, propRows, renderedDoc } from '../../../scripts/construct-docs';

/** A stage that exercises every nested settings object once, everything else left to its default. */
const PROBE = {
  providers: { postal: { throttling: {} } },
  monitoring: { canary: {} },
  events: { routes: [{ name: 'probe', eventPattern: { 'detail-type': ['email.sent'] }, target: { type: 'sqs' } }] },
};

/** Where a prop lands in the resolved `StageConfig`: the alerting keys of `monitoring` are gathered in `alerting`. */
function resolvedPath(path: string): string {
  return path.replace(/^monitoring\.(alarmEmails|alarmTopicArn|runbookUrl|alarms|lambdaConcurrencyLimit|canary)\b/, 'alerting.$1');
}

function valueAt(root: unknown, path: string): unknown {
  return resolvedPath(path)
    .replace('<provider>', 'postal')
    .replace('<alarm>', 'apiErrors')
    .replace('[]', '.0')
    .split('.')
    .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], root);
}

describe('docs/construct.md', () => {
  it('has the prop table the types generate (npx tsx scripts/construct-docs.ts)', () => {
    expect(readFileSync(DOC_FILE, 'utf8')).toBe(renderedDoc());
  });

  it('documents every prop, each optional one with a default', () => {
    const rows = propRows();
    expect(rows.map((row) => row.path)).toEqual(
      expect.arrayContaining(['stage', 'providers', 'providers.<provider>.allowedCidrs', 'waf.rateLimit', 'events.routes[].target']),
    );
    for (const row of rows) {
      expect(row.description).not.toBe('');
      if (!row.required) expect(row.defaultValue).toMatch(/\S/);
    }
  });

  it('types every key a stage of hookguard.config.json accepts (but env, which is the stack\'s) as a construct prop', () => {
    // A new stage key needs its typed, documented prop in lib/constructs/hookguard-settings.ts (then run
    // npx tsx scripts/construct-docs.ts), or construct users cannot set it.
    const topLevel = propRows()
      .map((row) => row.path)
      .filter((path) => !path.includes('.') && !path.includes('['));
    const stageKeys = Object.keys(stageSchema.shape).filter((key) => key !== 'env');
    expect(topLevel.filter((key) => key !== 'stage').sort()).toEqual(stageKeys.sort());
  });

  it('states each literal default as the configuration code fills it in', () => {
    const bare = parseConfig({ stages: { bare: { providers: { postal: {} } } } }).stages.bare;
    const probe = parseConfig({ stages: { probe: PROBE } }).stages.probe;
    // Keys inside a list item or an optional nested object only have defaults once that item or object exists.
    const resolvedFor = (path: string) => (/\[\]\.|<provider>\.throttling\.|canary\./.test(path) ? probe : bare);
    const literal = propRows().flatMap((row) => {
      if (row.required || row.defaultValue === undefined || row.defaultValue.startsWith('- ')) return [];
      // `true` for `enabled`: the provider is there. Object literals in TS syntax are checked key by key below.
      if (row.path.endsWith('.enabled')) return [];
      try {
        return [{ path: row.path, documented: JSON.parse(row.defaultValue) as unknown }];
      } catch {
        return [];
      }
    });
    expect(literal.length).toBeGreaterThan(20);
    for (const { path, documented } of literal) {
      expect({ path, value: valueAt(resolvedFor(path), path) }).toEqual({ path, value: documented });
    }
    expect(bare?.providers.postal).toBeDefined();
  });
});
