/**
 * A tiny structured logger: one JSON object per line on stdout (CloudWatch Logs parses it), with level, message,
 * timestamp, request id and fields. It writes what it is given: callers must never hand it bodies, signatures,
 * credentials or keys.
 */
import type { Logger } from '../ports';

/** Log levels, least severe first. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
/** One of {@link LOG_LEVELS}. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Narrows a string (e.g. `LOG_LEVEL`) to a {@link LogLevel}. */
export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === 'string' && (LOG_LEVELS as readonly string[]).includes(value);
}

/** Options of {@link JsonLogger}. */
export interface JsonLoggerOptions {
  /**
   * Entries below this level are dropped.
   * @default 'info'
   */
  readonly level?: LogLevel;
  /** Correlates the entries of one request (the Lambda's `awsRequestId`). */
  readonly requestId?: string;
  /** Fields added to every entry (e.g. `service`). */
  readonly fields?: Readonly<Record<string, unknown>>;
  /**
   * Where each line goes.
   * @default writes the line and a newline to stdout
   */
  readonly write?: (line: string) => void;
  readonly now?: () => Date;
}

/** A {@link Logger} that can derive one carrying more context. */
export interface ContextLogger extends Logger {
  /** A logger with the same settings whose entries also carry `fields` (e.g. a request id). */
  child(fields: Readonly<Record<string, unknown>>): ContextLogger;
}

/**
 * Structured JSON-lines logger implementing {@link Logger}. Errors in fields are written as name and message
 * (stack frames only when the level is debug); values that cannot be serialised are replaced, never thrown.
 *
 * @example
 * const logger = new JsonLogger({ level: 'info', fields: { service: 'verifier' } });
 * logger.child({ requestId: context.awsRequestId }).info('Webhook request handled', { provider: 'sendgrid' });
 */
export class JsonLogger implements ContextLogger {
  private readonly level: LogLevel;
  private readonly fields: Readonly<Record<string, unknown>>;
  private readonly writeLine: (line: string) => void;
  private readonly now: () => Date;

  constructor(options: JsonLoggerOptions = {}) {
    this.level = options.level ?? 'info';
    this.fields = { ...options.fields, ...(options.requestId ? { requestId: options.requestId } : {}) };
    this.writeLine = options.write ?? ((line) => process.stdout.write(`${line}\n`));
    this.now = options.now ?? (() => new Date());
  }

  child(fields: Readonly<Record<string, unknown>>): JsonLogger {
    return new JsonLogger({
      level: this.level,
      fields: { ...this.fields, ...fields },
      write: this.writeLine,
      now: this.now,
    });
  }

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

  private log(level: LogLevel, message: string, fields: Record<string, unknown> = {}): void {
    if (LOG_LEVELS.indexOf(level) < LOG_LEVELS.indexOf(this.level)) return;
    const entry: Record<string, unknown> = { timestamp: this.now().toISOString(), level, message };
    // Context and fields never overwrite the three keys every entry is searched by.
    for (const [key, value] of Object.entries({ ...this.fields, ...fields })) {
      if (!(key in entry)) entry[key] = value;
    }
    this.writeLine(this.serialise(entry));
  }

  private serialise(entry: Record<string, unknown>): string {
    const seen = new WeakSet<object>();
    const withStack = this.level === 'debug';
    try {
      return JSON.stringify(entry, (_key, value: unknown) => {
        if (typeof value === 'bigint') return value.toString();
        if (value instanceof Error) {
          return { name: value.name, message: value.message, ...(withStack ? { stack: value.stack } : {}) };
        }
        if (typeof value === 'object' && value !== null) {
          if (seen.has(value)) return '[Circular]';
          seen.add(value);
        }
        return value;
      });
    } catch {
      return JSON.stringify({
        timestamp: entry.timestamp,
        level: entry.level,
        message: entry.message,
        unserialisable: true,
      });
    }
  }
}
