/**
 * Jest setup (every test file): removes the temporary cloud assembly directories (`<tmpdir>/cdk.outXXXXXX`) that
 * the CDK creates for each `App` synthesized without an `outdir` (every `Template.fromStack`), once the test file
 * is done. The CDK's own clean-up runs on process exit, which jest workers never reach, so each `npm test` used to
 * leave about 90 of them behind.
 *
 * Only directories created by this test file's own `mkdtempSync` calls are removed, so parallel workers (and other
 * processes sharing the temp directory) are never touched. Setting `CDK_OUTDIR` instead would turn on the CDK's
 * auto-synthesis on exit for every `App`.
 */
import fs from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname } from 'node:path';

const created: string[] = [];
const temporaryRoots = new Set([tmpdir(), fs.realpathSync(tmpdir())]);
const original = fs.mkdtempSync;

function recordingMkdtempSync(...args: Parameters<typeof fs.mkdtempSync>): ReturnType<typeof fs.mkdtempSync> {
  const made = original(...args);
  if (typeof made === 'string' && temporaryRoots.has(dirname(made)) && basename(made).startsWith('cdk.out')) {
    created.push(made);
  }
  return made;
}

(fs as { mkdtempSync: typeof fs.mkdtempSync }).mkdtempSync = recordingMkdtempSync as typeof fs.mkdtempSync;

afterAll(() => {
  (fs as { mkdtempSync: typeof fs.mkdtempSync }).mkdtempSync = original;
  for (const dir of created.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});
