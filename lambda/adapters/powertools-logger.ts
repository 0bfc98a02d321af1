/**
 * The {@link Logger} port on Powertools for AWS Lambda's Logger: one JSON object per line on stdout, with level,
 * message, timestamp, service, the X-Ray trace id and the fields it is given.
 *
 * Guarantees kept from the hand-written logger it replaced:
 * - callers never hand it bodies, signatures, credentials or keys (the port's contract); as a second line of
 *   defence, values under a key that names a secret (`authorization`, `password`, `signature`, `token`, ...) are
 *   written as `[REDACTED]`;
 * - every line written while handling a request carries its `requestId` ({@link PowertoolsLogger.child});
 * - errors are written as name and message, with stack frames only at debug level;
 * - a field that cannot be serialised never throws.
 */
import { Logger as PowertoolsBaseLogger } from '@aws-lambda-powertools/logger';
import type { ContextLogger, Logger } from '../ports';

/** Log levels, least severe first. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
/** One of {@link LOG_LEVELS}. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Narrows a string (e.g. `LOG_LEVEL`) to a {@link LogLevel}. */
export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === 'string' && (LOG_LEVELS as readonly string[]).includes(value);
}

/** Keys whose values are never written, whatever a caller passes: credentials, signatures, keys, tokens. */
const SECRET_KEY = /^(authorization|proxy-authorization|password|passwd|secret|client_?secret|signature|signatures|token|access_?token|api_?key|signing_?keys?|private_?key|body|raw_?body)$/i;

/** Options of {@link PowertoolsLogger}. */
export interface PowertoolsLoggerOptions {
  /** The `service` key of every line (e.g. `hookguard-verifier`). */
  readonly serviceName: string;
  /**
   * Entries below this level are dropped. Lambda's advanced logging controls (`AWS_LAMBDA_LOG_LEVEL`) win over it.
   * @default 'info'
   */
  readonly level?: LogLevel;
  /** Fields added to every line. */
  readonly fields?: Readonly<Record<string, string | number | boolean>>;
}

type Fields = Record<string, unknown>;

function redact(key: string, value: unknown): unknown {
  return key !== '' && SECRET_KEY.test(key) && value !== null && value !== undefined ? '[REDACTED]' : value;
}

/**
 * {@link ContextLogger} over a Powertools `Logger`.
 *
 * @example
 * const logger = new PowertoolsLogger({ serviceName: 'hookguard-verifier' });
 * logger.child({ requestId: context.awsRequestId }).warn('Request rejected', { provider: 'sendgrid', status: 401 });
 */
export class PowertoolsLogger implements ContextLogger {
  /** The Powertools instance (for its middy middleware or its own API). */
  readonly powertools: PowertoolsBaseLogger;
  private readonly withStack: boolean;

  constructor(options: PowertoolsLoggerOptions) {
    const level = options.level ?? 'info';
    this.withStack = level === 'debug';
    this.powertools = new PowertoolsBaseLogger({
      serviceName: options.serviceName,
      logLevel: level.toUpperCase() as 'DEBUG' | 'INFO' | 'WARN' | 'ERROR',
      jsonReplacerFn: redact,
      ...(options.fields ? { persistentKeys: { ...options.fields } } : {}),
    });
  }

  child(fields: Readonly<Fields>): ContextLogger {
    return new FieldsLogger(this, { ...fields });
  }

  debug(message: string, fields?: Fields): void {
    this.powertools.debug(message, this.prepare(fields));
  }

  info(message: string, fields?: Fields): void {
    this.powertools.info(message, this.prepare(fields));
  }

  warn(message: string, fields?: Fields): void {
    this.powertools.warn(message, this.prepare(fields));
  }

  error(message: string, fields?: Fields): void {
    this.powertools.error(message, this.prepare(fields));
  }

  /** Errors as name and message (stack at debug only); keys Powertools reserves are prefixed, never dropped. */
  private prepare(fields: Fields | undefined): Fields {
    const prepared: Fields = {};
    if (fields === undefined) return prepared;
    for (const [key, value] of Object.entries(fields)) {
      const safeKey = RESERVED_KEYS.has(key) ? `field_${key}` : key;
      prepared[safeKey] =
        value instanceof Error
          ? { name: value.name, message: value.message, ...(this.withStack ? { stack: value.stack } : {}) }
          : value;
    }
    return prepared;
  }
}

/**
 * Keys the Powertools formatter owns (`ReservedKeys` in its constants, plus the context keys it fills): a field
 * with one of these names would be dropped with a warning, so it is prefixed instead.
 */
const RESERVED_KEYS = new Set([
  'level',
  'message',
  'sampling_rate',
  'service',
  'timestamp',
  'xray_trace_id',
  'cold_start',
  'function_arn',
  'function_memory_size',
  'function_name',
  'function_request_id',
]);

/** A logger that adds fixed fields (the request id) to every entry of another. */
class FieldsLogger implements ContextLogger {
  constructor(
    private readonly base: Logger,
    private readonly fields: Readonly<Fields>,
  ) {}

  child(fields: Readonly<Fields>): ContextLogger {
    return new FieldsLogger(this.base, { ...this.fields, ...fields });
  }

  debug(message: string, fields?: Fields): void {
    this.base.debug(message, { ...this.fields, ...fields });
  }

  info(message: string, fields?: Fields): void {
    this.base.info(message, { ...this.fields, ...fields });
  }

  warn(message: string, fields?: Fields): void {
    this.base.warn(message, { ...this.fields, ...fields });
  }

  error(message: string, fields?: Fields): void {
    this.base.error(message, { ...this.fields, ...fields });
  }
}
