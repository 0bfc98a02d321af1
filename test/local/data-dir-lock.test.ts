import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataDirInUseError, lockDataDir } from '../../src/local/data-dir-lock';

describe('lockDataDir', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hookguard-lock-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('holds the directory until released', async () => {
    // Prepare
    const lock = await lockDataDir(dir);

    // Act / Assess
    await expect(lockDataDir(dir)).rejects.toThrow(DataDirInUseError);
    await lock.release();
    const again = await lockDataDir(dir);
    await again.release();
  });

  it('refuses a directory another live process holds, naming it', async () => {
    // Prepare: the parent of this test process is alive.
    await writeFile(join(dir, 'runtime.lock'), `${process.ppid}\n`);

    // Act / Assess
    await expect(lockDataDir(dir)).rejects.toThrow(`is in use by another Hookguard runtime (pid ${process.ppid})`);
    expect(await readFile(join(dir, 'runtime.lock'), 'utf8')).toBe(`${process.ppid}\n`);
  });

  it('takes over a lock left by a process that no longer runs', async () => {
    // Prepare
    const finished = spawnSync(process.execPath, ['-e', '0']);
    await writeFile(join(dir, 'runtime.lock'), `${finished.pid}\n`);

    // Act
    const lock = await lockDataDir(dir);

    // Assess
    expect(await readFile(join(dir, 'runtime.lock'), 'utf8')).toBe(`${process.pid}\n`);
    await lock.release();
    await expect(readFile(join(dir, 'runtime.lock'))).rejects.toThrow();
  });
});
