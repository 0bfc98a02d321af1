import { describeMachine } from '../../../bench/lib/machine';
import { type FigureResult, makeRow, mergeReport, renderMarkdown, type Target } from '../../../bench/lib/report';

const atLeast30x: Target = { comparison: '>=', threshold: 30, on: 'ratio', text: '>= 30x peer' };
const atMost10ms: Target = { comparison: '<=', threshold: 10, on: 'value', text: '<= 10 ms' };

function figure(id: string, rows: FigureResult['rows'], date = '2026-11-22T10:00:00.000Z'): FigureResult {
  const machine = { ...describeMachine(new Date(date)) };
  return {
    id,
    title: `Figure ${id}`,
    rows,
    notes: [`how ${id} was measured`],
    machine,
    measuredAt: date,
    durationSeconds: 1,
  };
}

describe('benchmark report', () => {
  describe('makeRow', () => {
    it('computes the ratio in the good direction and judges a ratio target', () => {
      const row = makeRow({
        figure: 'verify',
        value: 3100,
        unit: 'ops/s',
        peer: { name: 'lib', value: 100 },
        target: atLeast30x,
      });
      expect(row.ratio).toBe(31);
      expect(row.met).toBe(true);
    });

    it('misses a ratio target just below it', () => {
      const row = makeRow({
        figure: 'verify',
        value: 2900,
        unit: 'ops/s',
        peer: { name: 'lib', value: 100 },
        target: atLeast30x,
      });
      expect(row.met).toBe(false);
    });

    it('inverts the ratio for lower-is-better figures', () => {
      const row = makeRow({
        figure: 'size',
        value: 10,
        unit: 'KB',
        peer: { name: 'naive', value: 400 },
        target: atMost10ms,
      });
      expect(row.ratio).toBe(40);
    });

    it.each([
      [9.99, true],
      [10, true],
      [10.01, false],
    ])('judges a value target: %d ms against <= 10 ms is met = %s', (value, met) => {
      expect(makeRow({ figure: 'batch', value, unit: 'ms', target: atMost10ms }).met).toBe(met);
    });

    it('leaves informational rows unjudged', () => {
      expect(makeRow({ figure: 'info', value: 1, unit: 'ms' }).met).toBeNull();
    });

    it('counts a row whose code failed as missed, whatever its value, and says why', () => {
      const row = makeRow({ figure: 'memory', value: 1, unit: 'MB', target: atMost10ms, failure: 'answered 500' });
      expect(row.met).toBe(false);
      expect(row.note).toContain('FAILED: answered 500');
    });

    it('judges a ratio target without a peer as missed rather than met', () => {
      expect(makeRow({ figure: 'verify', value: 1, unit: 'ops/s', target: atLeast30x }).met).toBe(false);
    });
  });

  describe('mergeReport', () => {
    it('replaces re-measured figures, keeps the others, and orders them as the runner lists them', () => {
      const first = mergeReport(null, describeMachine(), [figure('a', []), figure('b', [])], ['a', 'b']);
      const updated = figure('a', [makeRow({ figure: 'x', value: 2, unit: 'ms' })], '2026-11-23T10:00:00.000Z');
      const merged = mergeReport(first, describeMachine(), [updated], ['b', 'a']);
      expect(Object.keys(merged.figures)).toEqual(['b', 'a']);
      expect(merged.figures.a?.rows).toHaveLength(1);
      expect(merged.figures.b).toBe(first.figures.b);
    });
  });

  describe('renderMarkdown', () => {
    it('lists every row in the summary table and every missed target under its own heading', () => {
      const rows = [
        makeRow({ figure: 'fast enough', value: 5, unit: 'ms', target: atMost10ms }),
        makeRow({ figure: 'too slow', value: 50, unit: 'ms', target: atMost10ms }),
      ];
      const report = mergeReport(
        null,
        describeMachine(new Date('2026-11-22T10:00:00.000Z')),
        [figure('a', rows)],
        ['a'],
      );
      const markdown = renderMarkdown(report);
      expect(markdown).toContain('| fast enough | 5 ms | <= 10 ms | - | - | yes |');
      expect(markdown).toContain('| too slow | 50 ms | <= 10 ms | - | - | **NO (missed)** |');
      expect(markdown).toMatch(/## Missed targets\n\n- \*\*too slow\*\*: 50 ms against <= 10 ms\. See "Figure a"/);
      expect(markdown).toContain('- how a was measured');
    });

    it('names the failure of a row whose code failed among the missed targets', () => {
      const rows = [makeRow({ figure: 'memory', value: 1, unit: 'MB', target: atMost10ms, failure: 'answered 500' })];
      const markdown = renderMarkdown(mergeReport(null, describeMachine(), [figure('a', rows)], ['a']));
      expect(markdown).toContain('- **memory**: 1 MB against <= 10 ms. FAILED: answered 500. See "Figure a".');
    });

    it('says when a figure comes from an earlier run than the header machine line', () => {
      const old = figure('a', [], '2026-11-01T10:00:00.000Z');
      const report = mergeReport(null, describeMachine(new Date('2026-11-22T10:00:00.000Z')), [old], ['a']);
      expect(renderMarkdown(report)).toContain('Measured in an earlier run');
    });
  });
});
