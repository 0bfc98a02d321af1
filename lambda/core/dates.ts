/**
 * The one guarded date conversion. Every time Hookguard reads from a request (event timestamps, signed timestamps,
 * API Gateway's request time) becomes a `Date` or an ISO string here, and only here.
 *
 * A JavaScript `Date` holds at most ±8.64e15 ms around 1970; beyond that `new Date(n)` is an Invalid Date whose
 * `toISOString()` throws a RangeError. A payload can carry any number (`9007199254740991`, a 14-digit epoch), so
 * every conversion is checked before it is made. Accepted times are further limited to the years 0000-9999, so an
 * ISO string is always the plain `YYYY-MM-DDTHH:mm:ss.sssZ` form consumers expect (never `+275760-...`).
 */

/** Earliest accepted time: 0000-01-01T00:00:00.000Z. */
export const MIN_TIME_MS = -62_167_219_200_000;
/** Latest accepted time: 9999-12-31T23:59:59.999Z. */
export const MAX_TIME_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** The `YYYY-MM-DDTHH:mm:ss.sssZ` form every ISO time Hookguard writes has. */
export const ISO_UTC_FORMAT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * A `Date` for epoch milliseconds, or null when the value is not a finite number inside the accepted range.
 *
 * @example
 * dateFromMillis(9007199254740991); // null (a RangeError for `new Date(...).toISOString()`)
 */
export function dateFromMillis(millis: number | null | undefined): Date | null {
  if (typeof millis !== 'number' || !Number.isFinite(millis)) return null;
  if (millis < MIN_TIME_MS || millis > MAX_TIME_MS) return null;
  return new Date(millis);
}

/** A `Date` for epoch seconds (possibly fractional, rounded to the millisecond), or null as {@link dateFromMillis}. */
export function dateFromSeconds(seconds: number | null | undefined): Date | null {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds)) return null;
  return dateFromMillis(Math.round(seconds * 1000));
}

/** A `Date` for a date-time text `Date.parse` understands, or null when unparseable or out of range. */
export function dateFromText(text: string | null | undefined): Date | null {
  if (typeof text !== 'string') return null;
  return dateFromMillis(Date.parse(text));
}

/** ISO 8601 UTC of a `Date`, or null when it is invalid or out of range (never throws). */
export function isoOf(date: Date | null | undefined): string | null {
  if (!(date instanceof Date)) return null;
  const checked = dateFromMillis(date.getTime());
  return checked === null ? null : checked.toISOString();
}
