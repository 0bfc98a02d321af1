import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JsonLinesFile } from '../../src/local/json-lines-file';

describe('JsonLinesFile', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hookguard-jsonl-'));
  });

  afterEach(async () => {
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
});
