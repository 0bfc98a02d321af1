/**
 * dynalite on a worker thread of this process (`dynalite-worker.js`): HTTP requests go in as messages, dynalite's
 * request handler answers them, the answers come back matched by id. Used by `embedded-dynamodb.ts` as the transport
 * of the DynamoDB client's in-process request handler.
 */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { type Logger, silentLogger } from '../../lambda/ports';
import type { ListenerResponse, ParsedHttpRequest } from './in-process-http-handler';

/** Options of {@link DynaliteThread.start}. */
export interface DynaliteThreadOptions {
  /** LevelDB directory that persists the tables; absent: in memory (gone when closed). */
  readonly path?: string;
  /** Told when the thread stops unexpectedly. @default silentLogger */
  readonly logger?: Logger;
  /** The worker's entry point (tests substitute a failing one). @default dynalite-worker.js beside this module */
  readonly workerScript?: string;
}

/** Messages from `dynalite-worker.js`. */
type WorkerMessage =
  | { readonly type: 'ready'; readonly port: number }
  | {
      readonly type: 'response';
      readonly id: number;
      readonly statusCode: number;
      readonly headers: Record<string, string>;
      /** dynalite's JSON text (or bytes). */
      readonly body: string | Uint8Array;
    }
  | { readonly type: 'failed'; readonly id: number; readonly message: string }
  | { readonly type: 'closed'; readonly error: string | null };

/**
 * dynalite on its worker thread. Requests are answered in any order, each by its own answer. If the thread stops
 * unexpectedly (dynalite threw outside a request, or the thread died), the error is logged, the requests waiting for
 * an answer reject and so does every later one: nothing hangs, and the ledger reports the failure as a dependency
 * error (503, the provider retries). A request during which dynalite throws rejects alone.
 */
export class DynaliteThread {
  private readonly pending = new Map<number, { resolve(answer: ListenerResponse): void; reject(error: Error): void }>();
  private nextId = 0;
  /** Why the thread can take no more requests (closed, or stopped unexpectedly). */
  private stopped: Error | null = null;
  private closing: Promise<void> | null = null;
  private onClosed: ((error: string | null) => void) | null = null;

  private constructor(
    private readonly worker: Worker,
    private readonly logger: Logger,
  ) {
    worker.on('message', (message: WorkerMessage) => this.receive(message));
    worker.on('error', (error) => this.stop(error, true));
    worker.on('exit', (code) => this.stop(new Error(`The embedded DynamoDB thread exited (code ${code})`), true));
  }

  /** Starts the thread; resolves with it and dynalite's loopback port once dynalite listens. */
  static start(options: DynaliteThreadOptions = {}): Promise<{ thread: DynaliteThread; port: number }> {
    const logger = options.logger ?? silentLogger;
    const worker = new Worker(options.workerScript ?? join(__dirname, 'dynalite-worker.js'), {
      workerData: {
        options: {
          ...(options.path ? { path: options.path } : {}),
          // Tables become ACTIVE at once instead of after dynalite's default half second.
          createTableMs: 0,
          deleteTableMs: 0,
          updateTableMs: 0,
        },
      },
    });
    return new Promise((resolve, reject) => {
      const fail = (error: unknown) => {
        worker.off('message', onReady);
        void worker.terminate();
        reject(error instanceof Error ? error : new Error(`The embedded DynamoDB did not start (exit code ${error})`));
      };
      const onReady = (message: WorkerMessage) => {
        if (message.type !== 'ready') return;
        worker.off('message', onReady);
        worker.off('error', fail);
        worker.off('exit', fail);
        resolve({ thread: new DynaliteThread(worker, logger), port: message.port });
      };
      worker.on('message', onReady);
      worker.once('error', fail);
      worker.once('exit', fail);
    });
  }

  /** Hands one request to dynalite's request handler. */
  exchange(request: ParsedHttpRequest): Promise<ListenerResponse> {
    if (this.stopped) return Promise.reject(this.stopped);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // A view on a larger buffer (Buffer's pool) would be copied whole: send exactly the body's bytes.
      const { body } = request;
      const exact = body.byteOffset === 0 && body.byteLength === body.buffer.byteLength ? body : body.slice();
      this.worker.postMessage({ type: 'request', id, ...request, body: exact });
    });
  }

  /** Lets dynalite finish its pending LevelDB operations and close the store, then ends the thread. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.stopped) return;
      const closed = new Promise<string | null>((resolve) => {
        this.onClosed = resolve;
      });
      this.worker.postMessage({ type: 'close' });
      const error = await closed;
      this.stop(new Error('The embedded DynamoDB is closed'), false);
      await this.worker.terminate();
      if (error !== null) throw new Error(`The embedded DynamoDB did not close cleanly: ${error}`);
    })();
    return this.closing;
  }

  private receive(message: WorkerMessage): void {
    if (message.type === 'response' || message.type === 'failed') {
      const waiting = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.type === 'failed') waiting?.reject(new Error(`The embedded DynamoDB failed: ${message.message}`));
      else {
        const body = typeof message.body === 'string' ? Buffer.from(message.body, 'utf8') : message.body;
        waiting?.resolve({ statusCode: message.statusCode, headers: message.headers, body });
      }
    } else if (message.type === 'closed') {
      this.onClosed?.(message.error);
    }
  }

  /** No more requests: those still waiting fail (nothing was acknowledged for them). */
  private stop(reason: Error, unexpected: boolean): void {
    if (this.stopped) return;
    this.stopped = reason;
    if (unexpected) {
      this.logger.error('The embedded DynamoDB stopped; dedupe requests fail until the runtime restarts', {
        error: reason.message,
      });
      this.onClosed?.(reason.message);
    }
    for (const waiting of this.pending.values()) waiting.reject(reason);
    this.pending.clear();
  }
}
