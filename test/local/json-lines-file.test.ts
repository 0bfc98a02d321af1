import { readFileSync } from 'node:fs';
import { type FileHandle, mkdtemp, open, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JsonLinesFile } from '../../src/local/json-lines-file';

describe('JsonLinesFile', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hookguard-jsonl-'));
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    await rm(dir, { recursive: true, force: true });
  });

  async function lines(path: string): Promise<unknown[]> {
    const text = await readFile(path, 'utf8');
    return text
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line));
  }

  it('writes one JSON document per line and creates missing directories', async () => {
    // Prepare
    const file = new JsonLinesFile(join(dir, 'nested', 'events.jsonl'));

    // Act
    await file.append([{ id: 1 }, { id: 2, text: 'line\nbreak' }]);
    await file.close();

    // Assess
    expect(await lines(file.path)).toEqual([{ id: 1 }, { id: 2, text: 'line\nbreak' }]);
  });

  it('keeps concurrent appends whole and in call order', async () => {
    // Prepare
    const file = new JsonLinesFile(join(dir, 'events.jsonl'));

    // Act
    await Promise.all(
      Array.from({ length: 50 }, (_, index) =>
        file.append([
          { call: index, part: 'a' },
          { call: index, part: 'b' },
        ]),
      ),
    );
    await file.close();

    // Assess
    const expected = Array.from({ length: 50 }, (_, index) => [
      { call: index, part: 'a' },
      { call: index, part: 'b' },
    ]).flat();
    expect(await lines(file.path)).toEqual(expected);
  });

  it('appends to an existing file instead of replacing it', async () => {
    // Prepare
    const path = join(dir, 'events.jsonl');
    const first = new JsonLinesFile(path);
    await first.append([{ run: 1 }]);
    await first.close();

    // Act
    const second = new JsonLinesFile(path);
    await second.append([{ run: 2 }]);
    await second.close();

    // Assess
    expect(await lines(path)).toEqual([{ run: 1 }, { run: 2 }]);
  });

  it('creates the file readable by its owner only', async () => {
    // Prepare
    const file = new JsonLinesFile(join(dir, 'events.jsonl'));

    // Act
    await file.append([{ recipient: 'jane@example.com' }]);
    await file.close();

    // Assess
    expect((await stat(file.path)).mode & 0o777).toBe(0o600);
  });

  it('refuses appends once closed', async () => {
    // Prepare
    const file = new JsonLinesFile(join(dir, 'events.jsonl'));
    await file.close();

    // Act / Assess
    await expect(file.append([{ late: true }])).rejects.toThrow(/closed/);
  });

  it('rejects an append it cannot write and keeps working for the next one', async () => {
    // Prepare: the target path is a directory, so opening it fails.
    const blocked = new JsonLinesFile(dir);

    // Act / Assess
    await expect(blocked.append([{ id: 1 }])).rejects.toThrow();
    await expect(blocked.append([{ id: 2 }])).rejects.toThrow();
    await blocked.close();
  });

  describe('group commit', () => {
    /** Resolves once `condition` holds, checking after each turn of the event loop. */
    async function until(condition: () => boolean): Promise<void> {
      for (let turn = 0; !condition(); turn++) {
        if (turn > 10_000) throw new Error('condition never held');
        await new Promise((resolve) => setImmediate(resolve));
      }
    }

    /**
     * Watches every `FileHandle.datasync` of the process: `durable()` is the file's content as of the start of the
     * last completed flush (what that flush made durable); with `gated`, each flush waits for `release()`.
     */
    async function watchFlushes(path: string, options: { gated?: boolean } = {}) {
      const probe = await open(join(dir, 'probe'), 'w');
      const prototype = Object.getPrototypeOf(probe) as FileHandle;
      await probe.close();
      const realDatasync = prototype.datasync;
      const gates: Array<() => void> = [];
      const failures: Error[] = [];
      let durableText = '';
      let flushes = 0;
      const spy = jest.spyOn(prototype, 'datasync').mockImplementation(async function (this: FileHandle) {
        const covered = readFileSync(path, 'utf8');
        flushes += 1;
        if (options.gated) await new Promise<void>((resolve) => gates.push(resolve));
        const failure = failures.shift();
        if (failure) throw failure;
        await realDatasync.call(this);
        durableText = covered;
      });
      return {
        spy,
        durable: () => durableText,
        flushes: () => flushes,
        waiting: () => gates.length,
        release: () => gates.shift()?.(),
        failNext: (error: Error) => failures.push(error),
      };
    }

    it('lets concurrent appends share flushes, each resolving only once a flush covered its lines', async () => {
      // Prepare
      const path = join(dir, 'events.jsonl');
      const file = new JsonLinesFile(path);
      const flushes = await watchFlushes(path);
      const coveredWhenResolved: boolean[] = [];

      // Act: 30 waves of 10 appends, a wave per turn of the event loop, so that appends keep arriving while earlier
      // ones are being written and flushed.
      const appends: Array<Promise<void>> = [];
      for (let wave = 0; wave < 30; wave++) {
        for (let index = 0; index < 10; index++) {
          const call = wave * 10 + index;
          appends.push(
            file.append([{ call, part: 'a' }, { call, part: 'b' }]).then(() => {
              const durable = flushes.durable();
              coveredWhenResolved[call] =
                durable.includes(`{"call":${call},"part":"a"}\n`) && durable.includes(`{"call":${call},"part":"b"}\n`);
            }),
          );
        }
        await new Promise((resolve) => setImmediate(resolve));
      }
      await Promise.all(appends);
      await file.close();

      // Assess: every append was on disk when it resolved, in call order, whole, with fewer flushes than appends.
      expect(coveredWhenResolved).toHaveLength(300);
      expect(coveredWhenResolved.every((covered) => covered)).toBe(true);
      const expected = Array.from({ length: 300 }, (_, call) => [
        { call, part: 'a' },
        { call, part: 'b' },
      ]).flat();
      expect(await lines(path)).toEqual(expected);
      expect(flushes.flushes()).toBeGreaterThan(1);
      expect(flushes.flushes()).toBeLessThan(300);
    });

    it('does not resolve an append made during a flush until a later flush covers it', async () => {
      // Prepare
      const path = join(dir, 'events.jsonl');
      const file = new JsonLinesFile(path);
      const flushes = await watchFlushes(path, { gated: true });
      const resolved: string[] = [];
      const first = file.append([{ id: 'first' }]).then(() => resolved.push('first'));
      await until(() => flushes.waiting() === 1);

      // Act: two appends arrive while the first one's flush is in progress.
      const second = file.append([{ id: 'second' }]).then(() => resolved.push('second'));
      const third = file.append([{ id: 'third' }]).then(() => resolved.push('third'));
      flushes.release();
      await first;
      const afterFirstFlush = [...resolved];
      await until(() => flushes.waiting() === 1);
      const beforeSecondFlush = [...resolved];
      flushes.release();
      await Promise.all([second, third]);
      await file.close();

      // Assess: the first flush covered the first append only; the other two shared the second flush.
      expect(afterFirstFlush).toEqual(['first']);
      expect(beforeSecondFlush).toEqual(['first']);
      expect(resolved).toEqual(['first', 'second', 'third']);
      expect(flushes.flushes()).toBe(2);
      expect(await lines(path)).toEqual([{ id: 'first' }, { id: 'second' }, { id: 'third' }]);
    });

    it('rejects every append of a group whose flush fails, keeps only whole lines and goes on', async () => {
      // Prepare
      const path = join(dir, 'events.jsonl');
      const file = new JsonLinesFile(path);
      const flushes = await watchFlushes(path, { gated: true });
      const first = file.append([{ id: 'first' }]);
      await until(() => flushes.waiting() === 1);
      const second = file.append([{ id: 'second' }]);
      const third = file.append([{ id: 'third' }, { id: 'third-b' }]);
      const outcomes = Promise.allSettled([second, third]);

      // Act: the first flush succeeds, the group's flush fails, then a later append is written.
      flushes.release();
      await first;
      flushes.failNext(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
      await until(() => flushes.waiting() === 1);
      flushes.release();
      const settled = await outcomes;
      const fourth = file.append([{ id: 'fourth' }]);
      await until(() => flushes.waiting() === 1);
      flushes.release();
      await fourth;
      await file.close();

      // Assess
      expect(settled.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected']);
      expect(await lines(path)).toEqual([{ id: 'first' }, { id: 'fourth' }]);
    });

    it('does not flush when not durable', async () => {
      // Prepare
      const path = join(dir, 'events.jsonl');
      const file = new JsonLinesFile(path, { durable: false });
      const flushes = await watchFlushes(path);

      // Act
      await Promise.all([file.append([{ id: 1 }]), file.append([{ id: 2 }])]);
      await file.close();

      // Assess
      expect(flushes.spy).not.toHaveBeenCalled();
      expect(await lines(path)).toEqual([{ id: 1 }, { id: 2 }]);
    });

    it('waits on close for appends still queued', async () => {
      // Prepare
      const path = join(dir, 'events.jsonl');
      const file = new JsonLinesFile(path);
      const appends = Array.from({ length: 20 }, (_, id) => file.append([{ id }]));

      // Act
      await file.close();

      // Assess
      await expect(Promise.all(appends)).resolves.toBeDefined();
      expect(await lines(path)).toEqual(Array.from({ length: 20 }, (_, id) => ({ id })));
    });
  });
});
