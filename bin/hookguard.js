#!/usr/bin/env node
// `npx hookguard <command>`: registers tsx so the TypeScript CLI runs without a build step, then hands over.

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
