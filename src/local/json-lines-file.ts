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

/**
 * Appends records to a file, one JSON document per line. Appends are serialised in call order (concurrent
 * callers never interleave), each call's lines are written in one piece, and a failed write is cut back so the file
 * keeps only whole lines.
 *
 * @example
 * const file = new JsonLinesFile('.hookguard/events.jsonl');
 * await file.append([{ id: '1' }, { id: '2' }]);
 * await file.close();
 */
export class JsonLinesFile {
  private handle?: Promise<FileHandle>;
  private size = 0;
  private tail: Promise<void> = Promise.resolve();
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

  /** Appends one line per record; resolves once they are written (and flushed when durable). */
  append(records: readonly unknown[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error(`${this.path} is closed`));
    if (records.length === 0) return this.tail;
    const text = records.map((record) => `${JSON.stringify(record)}\n`).join('');
    const write = this.tail.then(() => this.write(text));
    this.tail = write.catch(() => undefined);
    return write;
  }

  /** Waits for pending appends, then closes the file. Further appends are refused. */
  async close(): Promise<void> {
    this.closed = true;
    await this.tail;
    const handle = this.handle;
    this.handle = undefined;
    if (handle) await (await handle.catch(() => undefined))?.close();
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
