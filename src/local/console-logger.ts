/**
 * A readable one-line-per-entry logger for the terminal running `npm start` (the Lambdas log JSON instead). Callers
 * never hand it bodies, signatures or secrets: the pipeline's log fields are safe by contract.
 */
import type { Logger } from '../../lambda/ports';

/** Log levels, least severe first. */
export type ConsoleLogLevel = 'debug' | 'info' | 'warn' | 'error';

const RANK: Record<ConsoleLogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** `HH:MM:SS` in local time, the prefix of every console line. */
export function clockTime(date: Date): string {
  return date.toTimeString().slice(0, 8);
}

function formatValue(value: unknown): string {
  if (typeof value === 'string') return /^[\w.@:/*#-]+$/.test(value) ? value : JSON.stringify(value);
  if (value instanceof Error) return JSON.stringify(`${value.name}: ${value.message}`);
  return JSON.stringify(value) ?? String(value);
}

/** `message key=value key="value with spaces"`. */
export function formatLogLine(level: ConsoleLogLevel, message: string, fields: Record<string, unknown> = {}): string {
  const pairs = Object.entries(fields)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}=${formatValue(value)}`);
  return [level.toUpperCase(), message, ...pairs].join(' ');
}

/** Writes entries at or above `level` as readable lines. */
export class ConsoleLogger implements Logger {
  constructor(
    private readonly write: (line: string) => void,
    private readonly level: ConsoleLogLevel = 'warn',
    private readonly now: () => Date = () => new Date(),
  ) {}

  debug(message: string, fields?: Record<string, unknown>): void {
    this.log('debug', message, fields);
  }

  info(message: string, fields?: Record<string, unknown>): void {
    this.log('info', message, fields);
  }

  warn(message: string, fields?: Record<string, unknown>): void {
    this.log('warn', message, fields);
  }

  error(message: string, fields?: Record<string, unknown>): void {
    this.log('error', message, fields);
  }

  private log(level: ConsoleLogLevel, message: string, fields?: Record<string, unknown>): void {
    if (RANK[level] < RANK[this.level]) return;
    this.write(`${clockTime(this.now())} ${formatLogLine(level, message, fields)}`);
  }
}
