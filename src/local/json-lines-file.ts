/**
 * A durable, ordered JSON-lines file: the local event bus writes each event here before it acknowledges the put,
 * so a crash never loses an acknowledged event and never leaves half a line behind.
 */

import type { FileHandle } from 'node:fs/promises';
import { mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Options of {@link JsonLinesFile}. */
export interface JsonLinesFileOptions {
  /**
   * Flush every append to the disk (`fdatasync`) before it resolves.
   * @default true
   */
  readonly durable?: boolean;
  /**
   * Permission bits of a newly created file (events carry recipients' addresses).
   * @default 0o600
   */
  readonly mode?: number;
}

/** Appends that go to the file together, in one write and one flush. */
interface Batch {
  readonly texts: string[];
  readonly done: Promise<void>;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Appends records to a file, one JSON document per line. Appends are serialised in call order (concurrent
 * callers never interleave), each call's lines are written in one piece, and a failed write is cut back so the file
 * keeps only whole lines.
 *
 * Group commit: while one write (and its flush) is in progress, the appends that arrive are queued, and the next
 * write takes all of them at once, with one `fdatasync`. Each append still resolves only after the flush that
 * covers its lines; a lone append is written at once (nothing waits for company). If that write or flush fails,
 * every append of the group rejects and the file is cut back to before the group.
 *
 * @example
 * const file = new JsonLinesFile('.hookguard/events.jsonl');
 * await file.append([{ id: '1' }, { id: '2' }]);
 * await file.close();
 */
export class JsonLinesFile {
  private handle?: Promise<FileHandle>;
  private size = 0;
  /** The appends waiting for the next write; null when none are. */
  private queued: Batch | null = null;
  /** Runs while appends are queued or being written; settles (never rejects) when the queue is empty. */
  private draining: Promise<void> | null = null;
  private closed = false;
  private readonly durable: boolean;
  private readonly mode: number;

  constructor(
    /** Where the lines go; the directory is created on the first append. */
    readonly path: string,
    options: JsonLinesFileOptions = {},
  ) {
    this.durable = options.durable ?? true;
    this.mode = options.mode ?? 0o600;
  }

  /**
   * Appends one line per record; resolves once they are written (and flushed when durable). An empty call appends
   * nothing and resolves once the appends before it have settled.
   */
  append(records: readonly unknown[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error(`${this.path} is closed`));
    if (records.length === 0) return this.draining ?? Promise.resolve();
    let text = '';
    for (const record of records) text += `${JSON.stringify(record)}\n`;
    const batch = this.queued ?? this.queue();
    batch.texts.push(text);
    return batch.done;
  }

  /** Waits for pending appends, then closes the file. Further appends are refused. */
  async close(): Promise<void> {
    this.closed = true;
    await this.draining;
    const handle = this.handle;
    this.handle = undefined;
    if (handle) await (await handle.catch(() => undefined))?.close();
  }

  /** Opens the next group and makes sure a writer will take it. */
  private queue(): Batch {
    let resolve!: () => void;
    let reject!: (error: unknown) => void;
    const done = new Promise<void>((resolvePromise, rejectPromise) => {
      resolve = resolvePromise;
      reject = rejectPromise;
    });
    const batch: Batch = { texts: [], done, resolve, reject };
    this.queued = batch;
    this.draining ??= this.drain();
    return batch;
  }

  /** Writes queued groups one after the other until none is left. */
  private async drain(): Promise<void> {
    // Starts after the current synchronous run, so appends made in the same tick share the first write.
    await Promise.resolve();
    for (let batch = this.queued; batch !== null; batch = this.queued) {
      this.queued = null;
      try {
        await this.write(batch.texts.join(''));
        batch.resolve();
      } catch (error) {
        batch.reject(error);
      }
    }
    this.draining = null;
  }

  private openHandle(): Promise<FileHandle> {
    if (!this.handle) {
      const opening = (async () => {
        await mkdir(dirname(this.path), { recursive: true });
        const handle = await open(this.path, 'a', this.mode);
        this.size = (await handle.stat()).size;
        return handle;
      })();
      // A failed open is retried by the next append instead of poisoning the file for good.
      opening.catch(() => {
        if (this.handle === opening) this.handle = undefined;
      });
      this.handle = opening;
    }
    return this.handle;
  }

  private async write(text: string): Promise<void> {
    const handle = await this.openHandle();
    try {
      await handle.appendFile(text, 'utf8');
      if (this.durable) await handle.datasync();
      this.size += Buffer.byteLength(text, 'utf8');
    } catch (error) {
      await handle.truncate(this.size).catch(() => undefined);
      throw error;
    }
  }
}
