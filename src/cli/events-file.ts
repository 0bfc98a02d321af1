/**
 * Reading the local runtime's events file (`<data-dir>/events.jsonl`, one EventBridge envelope per line): all of it
 * (replay) or following it as it grows (tail, listen). The runtime appends whole lines and never rewrites, so a
 * reader only has to keep an incomplete last line until the rest arrives.
 */
import { open, stat } from 'node:fs/promises';
import type { EventEnvelope } from '../local/local-event-bus';
import { pause } from './command-kit';
import { isEnvelope } from './event-filters';

/** Splits complete lines off the bytes read so far (bytes, so a character split across reads stays whole). */
function takeLines(pending: Buffer): { lines: string[]; rest: Buffer } {
  const end = pending.lastIndexOf(0x0a);
  if (end < 0) return { lines: [], rest: pending };
  return { lines: pending.subarray(0, end).toString('utf8').split('\n'), rest: pending.subarray(end + 1) };
}

function parseLine(line: string): EventEnvelope | null {
  if (line.trim() === '') return null;
  try {
    const value: unknown = JSON.parse(line);
    return isEnvelope(value) ? value : null;
  } catch {
    return null;
  }
}

/**
 * Every envelope in the file, in order; a missing file has none. Lines that are not envelopes are skipped.
 *
 * @returns the envelopes and how many lines were skipped.
 */
export async function readEventsFile(path: string): Promise<{ envelopes: EventEnvelope[]; skipped: number }> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { envelopes: [], skipped: 0 };
    throw error;
  }
  const envelopes: EventEnvelope[] = [];
  let skipped = 0;
  try {
    for await (const line of handle.readLines({ encoding: 'utf8' })) {
      if (line.trim() === '') continue;
      const envelope = parseLine(line);
      if (envelope === null) skipped++;
      else envelopes.push(envelope);
    }
  } finally {
    await handle.close();
  }
  return { envelopes, skipped };
}

/** Options of {@link followEventsFile}. */
export interface FollowOptions {
  /** Start at the beginning of the file instead of its current end. @default false */
  readonly fromStart?: boolean;
  /** Stops following. */
  readonly signal?: AbortSignal;
  /** How often the file is checked for growth. @default 200 */
  readonly pollMs?: number;
  /** Told once when the file does not exist yet (following starts when it appears). */
  readonly onWaiting?: () => void;
}

/**
 * Yields each envelope appended to the file until the signal aborts. A file that is replaced or truncated (a new
 * data directory, a deleted file) is read again from its start.
 */
export async function* followEventsFile(path: string, options: FollowOptions = {}): AsyncGenerator<EventEnvelope> {
  const pollMs = options.pollMs ?? 200;
  let position = -1;
  let identity = '';
  let pending: Buffer = Buffer.alloc(0);
  let waitingSaid = false;
  while (!options.signal?.aborted) {
    let info: Awaited<ReturnType<typeof stat>> | null = null;
    try {
      info = await stat(path);
    } catch {
      info = null;
    }
    if (info === null) {
      if (!waitingSaid) options.onWaiting?.();
      waitingSaid = true;
      position = 0;
      identity = '';
      await pause(pollMs, options.signal);
      continue;
    }
    const currentIdentity = `${info.dev}:${info.ino}`;
    if (position < 0) position = options.fromStart ? 0 : info.size;
    if ((currentIdentity !== identity && identity !== '') || info.size < position) {
      position = 0;
      pending = Buffer.alloc(0);
    }
    identity = currentIdentity;
    if (info.size > position) {
      const handle = await open(path, 'r');
      try {
        const length = info.size - position;
        const buffer = Buffer.alloc(length);
        const { bytesRead } = await handle.read(buffer, 0, length, position);
        position += bytesRead;
        pending = Buffer.concat([pending, buffer.subarray(0, bytesRead)]);
      } finally {
        await handle.close();
      }
      const { lines, rest } = takeLines(pending);
      pending = rest;
      for (const line of lines) {
        const envelope = parseLine(line);
        if (envelope !== null) yield envelope;
        if (options.signal?.aborted) return;
      }
      continue;
    }
    await pause(pollMs, options.signal);
  }
}
