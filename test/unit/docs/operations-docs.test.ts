import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALARM_IDS, DEFAULT_ALARMS } from '../../../lib/config/alerting';
import { RUNBOOK_ANCHORS } from '../../../lib/constructs/monitoring';

const docs = join(__dirname, '..', '..', '..', 'docs');
const operations = readFileSync(join(docs, 'operations.md'), 'utf8');
const scaling = readFileSync(join(docs, 'scaling.md'), 'utf8');

describe('docs/operations.md and docs/scaling.md', () => {
  it('has one runbook section per alarm, naming its id', () => {
    for (const id of ALARM_IDS) {
      const anchor = RUNBOOK_ANCHORS[id];
      const at = operations.indexOf(`<a id="${anchor}"></a>`);
      expect([id, at]).toEqual([id, expect.any(Number)]);
      expect(at).toBeGreaterThan(-1);
      // The section heading right after the anchor names the alarm's name in the stack.
      const heading = operations.slice(at).split('\n')[1] ?? '';
      expect(heading).toContain(anchor.replace(/^alarm-/, ''));
    }
  });

  it('states each default threshold the way the configuration defines it', () => {
    expect(operations).toContain(`${DEFAULT_ALARMS.forgery.threshold} or more requests to one provider`);
    expect(operations).toContain(`${DEFAULT_ALARMS.bruteForce.threshold} or more requests in 5 minutes refused`);
    expect(operations).toContain(`WAF blocked ${DEFAULT_ALARMS.wafBlocks.threshold} or more requests`);
    expect(operations).toContain(`within ${DEFAULT_ALARMS.previousCredential.threshold} hours (N`);
  });

  it('links only to runbook sections that exist', () => {
    const links = [...`${operations}\n${scaling}`.matchAll(/operations\.md#(alarm-[a-z-]+)|\]\(#(alarm-[a-z-]+)\)/g)].map(
      (match) => match[1] ?? match[2],
    );
    expect(links.length).toBeGreaterThan(10);
    for (const anchor of links) expect(operations).toContain(`<a id="${anchor}"></a>`);
  });
});
