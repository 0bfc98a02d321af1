/**
 * One local runtime per data directory: LevelDB (under dynalite) allows a single process per store, and a second
 * one would crash on its first request instead of saying why. A lock file holding the owner's pid says it up front.
 */
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';

/** Another live process holds the data directory. */
export class DataDirInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(`Data directory ${dataDir} is in use by another Hookguard runtime (pid ${pid}); stop it or use --data-dir`);
    this.name = 'DataDirInUseError';
  }
}

/** A held lock; {@link release} removes the lock file. */
export interface DataDirLock {
  release(): Promise<void>;
}

const LOCK_FILE = 'runtime.lock';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the data directory's lock (creating the directory, mode 0700). A lock left behind by a process that no
 * longer runs (killed with SIGKILL, a crash) is taken over.
 *
 * @throws {DataDirInUseError} when a running process holds it.
 */
export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(path, 'wx', 0o600);
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return {
        async release() {
          const owner = await readFile(path, 'utf8').catch(() => '');
          if (Number(owner.trim()) === process.pid) await rm(path, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number((await readFile(path, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner)) {
        throw new DataDirInUseError(dataDir, owner);
      }
      if (owner === process.pid) throw new DataDirInUseError(dataDir, owner);
      await rm(path, { force: true });
    }
  }
  throw new Error(`Could not take the lock of data directory ${dataDir}`);
}
