/**
 * The local targets of routes (`events.routes[].local` in the config): a JSON-lines file, the console, or an HTTP
 * endpoint. In AWS the same routes deliver to SQS, Lambda, another bus or CloudWatch Logs.
 */
import { join, resolve } from 'node:path';
import { EVENT_SOURCE } from '../../lambda/core/event';
import type { Logger } from '../../lambda/ports';
import { silentLogger } from '../../lambda/ports';
import type { RouteConfig } from '../../lib/config/types';
import { compileEventPattern } from './event-pattern';
import { JsonLinesFile } from './json-lines-file';
import type { EventEnvelope, LocalRoute, RouteDestination } from './local-event-bus';

/** Appends matching events to a JSON-lines file (durably, before the put is acknowledged). */
export class FileRouteDestination implements RouteDestination {
  readonly description: string;

  constructor(private readonly file: JsonLinesFile) {
    this.description = `file ${file.path}`;
  }

  deliver(envelope: EventEnvelope): Promise<void> {
    return this.file.append([envelope]);
  }

  close(): Promise<void> {
    return this.file.close();
  }
}

/** Prints matching events, one JSON line each, prefixed with the route name. */
export class ConsoleRouteDestination implements RouteDestination {
  readonly description = 'console';

  constructor(
    private readonly routeName: string,
    private readonly write: (line: string) => void,
  ) {}

  async deliver(envelope: EventEnvelope): Promise<void> {
    this.write(`[route ${this.routeName}] ${JSON.stringify(envelope)}`);
  }

  async close(): Promise<void> {}
}

/** Options of {@link HttpRouteDestination}. */
export interface HttpRouteDestinationOptions {
  readonly routeName: string;
  readonly url: string;
  /** Retries after the first attempt, as the route's `retryAttempts`. */
  readonly retryAttempts: number;
  /** Events that could not be delivered go here, like the route's dead-letter queue in AWS. */
  readonly deadLetterFile: JsonLinesFile;
  readonly logger?: Logger;
  /**
   * Delay before retry `n` (1-based), milliseconds.
   * @default 250 ms doubling up to 10 s
   */
  readonly backoffMs?: (retry: number) => number;
  /**
   * Time allowed for one attempt, milliseconds.
   * @default 10_000
   */
  readonly timeoutMs?: number;
  /**
   * On close, how long pending deliveries may still retry before the rest is dead-lettered, milliseconds.
   * @default 5_000
   */
  readonly closeGraceMs?: number;
}

/**
 * POSTs each matching event (the envelope as JSON) to a URL, in the background as EventBridge does: a 2xx answer
 * is a delivery; anything else is retried with backoff up to `retryAttempts` times, then the event goes to the
 * dead-letter file. Closing gives pending deliveries a short grace period, then stops the waiting between retries
 * and dead-letters whatever is still undelivered, so a shutdown never hangs on an unreachable endpoint and never
 * drops an event silently.
 */
export class HttpRouteDestination implements RouteDestination {
  readonly description: string;
  private readonly pending = new Set<Promise<void>>();
  private readonly stopping = new AbortController();
  private readonly logger: Logger;
  private readonly backoffMs: (retry: number) => number;
  private readonly timeoutMs: number;

  constructor(private readonly options: HttpRouteDestinationOptions) {
    this.description = `http ${redactUrl(options.url)}`;
    this.logger = options.logger ?? silentLogger;
    this.backoffMs = options.backoffMs ?? ((retry) => Math.min(10_000, 250 * 2 ** (retry - 1)));
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** Queues the delivery and resolves at once; the delivery itself runs in the background. */
  async deliver(envelope: EventEnvelope): Promise<void> {
    const delivery = this.deliverWithRetries(envelope).finally(() => {
      this.pending.delete(delivery);
    });
    this.pending.add(delivery);
  }

  /** Lets pending deliveries finish within the grace period, then stops retrying and dead-letters what is left. */
  async close(): Promise<void> {
    const grace = new AbortController();
    await Promise.race([
      Promise.allSettled([...this.pending]),
      sleep(this.options.closeGraceMs ?? 5_000, grace.signal),
    ]);
    grace.abort();
    this.stopping.abort();
    await Promise.allSettled([...this.pending]);
    await this.options.deadLetterFile.close();
  }

  private async deliverWithRetries(envelope: EventEnvelope): Promise<void> {
    let lastProblem = 'not attempted';
    for (let attempt = 0; attempt <= this.options.retryAttempts; attempt++) {
      if (attempt > 0) {
        if (this.stopping.signal.aborted) break;
        await sleep(this.backoffMs(attempt), this.stopping.signal);
        if (this.stopping.signal.aborted) break;
      }
      try {
        const response = await fetch(this.options.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(envelope),
          signal: AbortSignal.timeout(this.timeoutMs),
        });
        await response.arrayBuffer().catch(() => undefined);
        if (response.ok) return;
        lastProblem = `HTTP ${response.status}`;
      } catch (error) {
        lastProblem = error instanceof Error ? error.message : String(error);
      }
    }
    this.logger.warn('Route target unreachable; event written to the dead-letter file', {
      route: this.options.routeName,
      eventId: envelope.id,
      problem: lastProblem,
      deadLetterFile: this.options.deadLetterFile.path,
    });
    await this.options.deadLetterFile.append([{ reason: lastProblem, event: envelope }]);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((done) => {
    const timer = setTimeout(finish, ms);
    function finish() {
      clearTimeout(timer);
      signal.removeEventListener('abort', finish);
      done();
    }
    signal.addEventListener('abort', finish, { once: true });
  });
}

/** A URL without its userinfo and query, for output. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}

/** Options of {@link buildLocalRoutes}. */
export interface LocalRouteOptions {
  /** The data directory: default file targets go to `routes/<name>.jsonl` in it, dead letters next to them. */
  readonly dataDir: string;
  /** Relative `file` target paths resolve from here. @default process.cwd() */
  readonly cwd?: string;
  /** Console target output. */
  readonly write: (line: string) => void;
  readonly logger?: Logger;
  /** Whether file appends are flushed to disk before the put is acknowledged. @default true */
  readonly durable?: boolean;
  /** HTTP retry backoff (tests shorten it). */
  readonly httpBackoffMs?: (retry: number) => number;
}

/**
 * Turns the stage's routes into local routes: each pattern gets `source: ["hookguard"]` as the stack adds it to the
 * rule, and each route its local target (default: `routes/<name>.jsonl` in the data directory).
 *
 * @throws {EventPatternError} for a pattern EventBridge would refuse, naming the route.
 */
export function buildLocalRoutes(routes: readonly RouteConfig[], options: LocalRouteOptions): LocalRoute[] {
  const routesDir = join(options.dataDir, 'routes');
  const cwd = options.cwd ?? process.cwd();
  return routes.map((route) => {
    let matches: LocalRoute['matches'];
    try {
      matches = compileEventPattern({ ...route.eventPattern, source: [EVENT_SOURCE] });
    } catch (error) {
      throw new Error(`Route "${route.name}": ${(error as Error).message}`, { cause: error });
    }
    const local = route.local ?? { type: 'file', path: join(routesDir, `${route.name}.jsonl`) };
    let destination: RouteDestination;
    switch (local.type) {
      case 'file':
        destination = new FileRouteDestination(
          new JsonLinesFile(resolve(cwd, local.path), { durable: options.durable ?? true }),
        );
        break;
      case 'console':
        destination = new ConsoleRouteDestination(route.name, options.write);
        break;
      case 'http':
        destination = new HttpRouteDestination({
          routeName: route.name,
          url: local.url,
          retryAttempts: route.retryAttempts,
          deadLetterFile: new JsonLinesFile(join(routesDir, `${route.name}.dead-letter.jsonl`)),
          ...(options.logger ? { logger: options.logger } : {}),
          ...(options.httpBackoffMs ? { backoffMs: options.httpBackoffMs } : {}),
        });
        break;
    }
    return { name: route.name, matches, destination };
  });
}
