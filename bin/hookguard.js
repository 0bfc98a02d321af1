#!/usr/bin/env node
// `npx hookguard <command>`: registers tsx so the TypeScript CLI runs without a build step, then hands over.

// The npm package ships the CDK construct only (compiled, without these sources): say so instead of a stack trace.
if (!require('node:fs').existsSync(require('node:path').join(__dirname, '..', 'src', 'cli', 'main.ts'))) {
  process.stderr.write('hookguard: the CLI runs from a clone of the Hookguard repository (npm ci, then npx hookguard)\n');
  process.exit(1);
}
require('tsx/cjs');
const { main } = require('../src/cli/main.ts');

main(process.argv.slice(2)).then(
  (exitCode) => {
    process.exitCode = exitCode;
  },
  (error) => {
    process.stderr.write(`hookguard: ${error?.message ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
