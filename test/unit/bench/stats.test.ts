import { formatNumber, median, percentile, relativeSpread, roundSignificant } from '../../../bench/lib/stats';

describe('benchmark statistics', () => {
  describe('median', () => {
    it.each([
      [[5], 5],
      [[3, 1, 2], 2],
      [[4, 1, 3, 2], 2.5],
      [[10, 10, 10, 1000], 10],
    ])('of %j is %d', (values, expected) => {
      expect(median(values)).toBe(expected);
    });

    it('does not reorder the caller array', () => {
      const values = [3, 1, 2];
      median(values);
      expect(values).toEqual([3, 1, 2]);
    });

    it('refuses an empty list', () => {
      expect(() => median([])).toThrow(RangeError);
    });
  });

  describe('percentile', () => {
    it.each([
      [0, 1],
      [50, 50.5],
      [99, 99.01],
      [100, 100],
    ])('p%d of 1..100 interpolates between closest ranks to %d', (p, expected) => {
      const values = Array.from({ length: 100 }, (_, i) => i + 1);
      expect(percentile(values, p)).toBeCloseTo(expected, 6);
    });

    it.each([-1, 101, Number.NaN])('refuses p = %d', (p) => {
      expect(() => percentile([1, 2], p)).toThrow(RangeError);
    });
  });

  it('measures the spread of repeated runs relative to their median', () => {
    expect(relativeSpread([90, 100, 110])).toBeCloseTo(0.2, 10);
    expect(relativeSpread([7, 7, 7])).toBe(0);
  });

  it.each([
    [123456, 3, 123000],
    [0.0012345, 2, 0.0012],
    [-987.6, 2, -990],
    [0, 3, 0],
  ])('rounds %d to %d significant digits', (value, digits, expected) => {
    expect(roundSignificant(value, digits)).toBeCloseTo(expected, 10);
  });

  it.each([
    [1234567, '1,230,000'],
    [56.789, '56.8'],
    [0.123456, '0.123'],
  ])('formats %d for a table as %s', (value, expected) => {
    expect(formatNumber(value)).toBe(expected);
  });
});
