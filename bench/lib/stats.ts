/**
 * Pure statistics helpers of the benchmark harness (no clocks, no I/O), so they can be unit-tested.
 */

/** The median of `values` (the mean of the two middle values for an even count). Throws on an empty list. */
export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/**
 * The `p`-th percentile (0-100) of `values` by linear interpolation between closest ranks (the method of
 * numpy's default and most spreadsheets). Throws on an empty list or a `p` outside 0-100.
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new RangeError('percentile of an empty list');
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be within 0-100, got ${p}`);
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const lower = Math.floor(rank);
  const upper = Math.ceil(rank);
  const low = sorted[lower] as number;
  const high = sorted[upper] as number;
  return low + (high - low) * (rank - lower);
}

/** Smallest and largest value, as a pair. Throws on an empty list. */
export function range(values: readonly number[]): { readonly min: number; readonly max: number } {
  if (values.length === 0) throw new RangeError('range of an empty list');
  return { min: Math.min(...values), max: Math.max(...values) };
}

/**
 * Relative spread of repeated runs: (max - min) / median. A quick way to say how noisy a figure was; 0 when every
 * run gave the same value.
 */
export function relativeSpread(values: readonly number[]): number {
  const mid = median(values);
  if (mid === 0) return 0;
  const { min, max } = range(values);
  return (max - min) / mid;
}

/** Rounds to `digits` significant digits (for readable tables; the JSON keeps full values). */
export function roundSignificant(value: number, digits = 3): number {
  if (value === 0 || !Number.isFinite(value)) return value;
  const magnitude = Math.floor(Math.log10(Math.abs(value)));
  const factor = 10 ** (digits - 1 - magnitude);
  return Math.round(value * factor) / factor;
}

/** A number formatted for a table: thousands separators, `digits` significant digits. */
export function formatNumber(value: number, digits = 3): string {
  if (!Number.isFinite(value)) return String(value);
  const rounded = roundSignificant(value, digits);
  const decimals = Math.max(0, digits - 1 - Math.floor(Math.log10(Math.abs(rounded) || 1)));
  return rounded.toLocaleString('en-US', { maximumFractionDigits: decimals, minimumFractionDigits: 0 });
}
