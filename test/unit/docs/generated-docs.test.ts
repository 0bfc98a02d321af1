import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderEventsDoc } from '../../../src/docs/events-doc';

const ROOT = join(__dirname, '../../..');

describe('generated docs are current (regenerate with npm run docs)', () => {
  it('docs/events.md', () => {
    expect(readFileSync(join(ROOT, 'docs/events.md'), 'utf8')).toBe(renderEventsDoc());
  });
});
