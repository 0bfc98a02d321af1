/**
 * Figure: cold start of each function: the minified bundle's size and its module load time in a fresh Node
 * process (median of 10), beside a naive bundle with the AWS SDK clients bundled in.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, stageOf, toRuntimeSettings } from '../../lib/config';
import { type BuiltBundle, buildBundle, stackTarget } from '../lib/bundle';
import { lastJsonLine, runChild } from '../lib/child';
import { type Figure, type FigureOutput, scratchDir } from '../lib/figure';
import { type FigureRow, makeRow } from '../lib/report';
import { formatNumber, median } from '../lib/stats';

const LOADS = 10;

/** The functions measured, with the issue's targets. */
const FUNCTIONS = [
  { name: 'authorizer', maxKb: 120, maxMs: 25 },
  { name: 'verifier', maxKb: 400, maxMs: 70 },
] as const;

/** One way of loading a function in a fresh process. */
interface LoadVariant {
  readonly id: string;
  readonly label: string;
  readonly nodeArgs: readonly string[];
  /** What to require and time. */
  readonly modules: (bundles: { stack: BuiltBundle; naive: BuiltBundle }) => readonly string[];
  /** Whether the first module must export a `handler` function. */
  readonly expectHandler: boolean;
}

const VARIANTS: readonly LoadVariant[] = [
  {
    id: 'deployed',
    label: 'stack bundle, SDK from node_modules, --enable-source-maps (as deployed)',
    nodeArgs: ['--enable-source-maps'],
    modules: ({ stack }) => [stack.file],
    expectHandler: true,
  },
  {
    id: 'no-source-maps',
    label: 'stack bundle, SDK from node_modules, no source maps',
    nodeArgs: [],
    modules: ({ stack }) => [stack.file],
    expectHandler: true,
  },
  {
    id: 'naive',
    label: 'naive bundle (SDK clients inside), --enable-source-maps',
    nodeArgs: ['--enable-source-maps'],
    modules: ({ naive }) => [naive.file],
    expectHandler: true,
  },
  {
    id: 'own-code',
    label: 'stack bundle with the SDK stubbed out (our code alone)',
    nodeArgs: ['--enable-source-maps', '--require', 'STUB'],
    modules: ({ stack }) => [stack.file],
    expectHandler: true,
  },
  {
    id: 'sdk-only',
    label: 'the external SDK clients alone, from node_modules',
    nodeArgs: [],
    modules: ({ stack }) => stack.externalImports,
    expectHandler: false,
  },
];

/** Makes every `@aws-sdk/*` require return inert classes, so only our own code's load is timed. */
const SDK_STUB = `'use strict';
const Module = require('module');
const original = Module._load;
const inert = new Proxy(function Inert() {}, { get: (target, key) => (key === 'prototype' ? {} : inert), construct: () => ({}) });
const stub = new Proxy({}, { get: (_, key) => (key === '__esModule' ? true : inert) });
Module._load = function load(request, ...rest) {
  return request.startsWith('@aws-sdk/') ? stub : original.call(this, request, ...rest);
};
`;

/** The script each fresh process runs: time the requires, check the handler, print one JSON line. */
function loadScript(modules: readonly string[], expectHandler: boolean): string {
  return `const start = process.hrtime.bigint();
const loaded = ${JSON.stringify(modules)}.map((m) => require(m));
const ms = Number(process.hrtime.bigint() - start) / 1e6;
if (${expectHandler} && typeof loaded[0].handler !== 'function') { console.error('no handler export'); process.exit(2); }
console.log(JSON.stringify({ ms }));`;
}

/** The environment the stack gives each function (values shaped like the deployed ones; nothing is called). */
function lambdaEnvironment(root: string): NodeJS.ProcessEnv {
  const settings = toRuntimeSettings(stageOf(loadConfig(join(root, 'hookguard.config.json')), 'dev'));
  const arn = (name: string) => `arn:aws:secretsmanager:us-east-1:123456789012:secret:hookguard-dev-${name}-AbCdEf`;
  return {
    PATH: process.env.PATH,
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    HOOKGUARD_SETTINGS: JSON.stringify(settings),
    DEDUPE_TABLE_NAME: 'hookguard-dev-dedupe',
    EVENT_BUS_NAME: 'hookguard-dev',
    SIGNING_KEYS_SECRET_ARN: arn('signing-keys'),
    CREDENTIALS_SECRET_ARN: arn('credentials'),
    GRACE_PERIOD_SECONDS: '259200',
    SECRET_CACHE_TTL_SECONDS: '60',
    REFRESH_MIN_INTERVAL_SECONDS: '10',
  };
}

const kb = (bytes: number) => bytes / 1000;

export const coldStartFigure: Figure = {
  id: 'cold-start',
  title: 'Cold start: bundle size and module load time',
  async run({ root, log }): Promise<FigureOutput> {
    const outDir = scratchDir(root, 'cold-start');
    const stubFile = join(outDir, 'sdk-stub.js');
    writeFileSync(stubFile, SDK_STUB);
    const env = lambdaEnvironment(root);
    const rows: FigureRow[] = [];
    const loadRows: string[][] = [];
    const sizeRows: string[][] = [];
    const details: Record<string, unknown> = {};
    const breakdown: string[] = [];

    for (const fn of FUNCTIONS) {
      const entry = join(root, 'lambda', fn.name, 'handler.ts');
      log(`bundling ${fn.name} ...`);
      const stack = await buildBundle(root, entry, outDir, `${fn.name}-stack`, 'stack');
      const naive = await buildBundle(root, entry, outDir, `${fn.name}-naive`, 'naive');
      const loads: Record<string, number[]> = {};
      // Variants interleaved, one fresh process per load, never two at once.
      for (let i = 0; i < LOADS; i++) {
        for (const variant of VARIANTS) {
          const modules = variant.modules({ stack, naive });
          if (modules.length === 0) continue;
          const args = variant.nodeArgs.map((arg) => (arg === 'STUB' ? stubFile : arg));
          const result = await runChild(process.execPath, [...args, '-e', loadScript(modules, variant.expectHandler)], {
            cwd: outDir,
            env,
            timeoutMs: 30_000,
          });
          const samples = loads[variant.id] ?? [];
          samples.push(lastJsonLine<{ ms: number }>(result.stdout).ms);
          loads[variant.id] = samples;
        }
      }
      log(
        `${fn.name}: ${Object.entries(loads)
          .map(([id, ms]) => `${id} ${formatNumber(median(ms))} ms`)
          .join(', ')}`,
      );
      const medianOf = (id: string) => median(loads[id] ?? [Number.NaN]);

      rows.push(
        makeRow({
          figure: `${fn.name} bundle size (minified)`,
          value: kb(stack.bytes),
          unit: 'KB',
          peer: { name: 'naive bundle with SDK', value: kb(naive.bytes) },
          target: { comparison: '<=', threshold: fn.maxKb, on: 'value', text: `<= ${fn.maxKb} KB` },
        }),
        makeRow({
          figure: `${fn.name} module load, as deployed`,
          value: medianOf('deployed'),
          unit: 'ms',
          peer: { name: 'naive bundle with SDK', value: medianOf('naive') },
          target: { comparison: '<=', threshold: fn.maxMs, on: 'value', text: `<= ${fn.maxMs} ms` },
          note: `median of ${LOADS} fresh processes`,
        }),
        makeRow({
          figure: `${fn.name} module load, our code alone (SDK stubbed)`,
          value: medianOf('own-code'),
          unit: 'ms',
          note: `median of ${LOADS}, informational`,
        }),
      );
      for (const variant of VARIANTS) {
        const samples = loads[variant.id];
        if (!samples) continue;
        loadRows.push([
          fn.name,
          variant.label,
          `${formatNumber(median(samples))} ms`,
          `${formatNumber(Math.min(...samples))} - ${formatNumber(Math.max(...samples))} ms`,
        ]);
      }
      for (const bundle of [stack, naive]) {
        sizeRows.push([
          fn.name,
          bundle.kind === 'stack' ? 'stack (SDK external)' : 'naive (SDK inside)',
          `${bundle.bytes.toLocaleString('en-US')} B`,
          `${bundle.deflatedBytes.toLocaleString('en-US')} B`,
          `${bundle.sourceMapBytes.toLocaleString('en-US')} B`,
          bundle.byPackage
            .slice(0, 5)
            .map(([name, bytes]) => `${name} ${formatNumber(kb(bytes))} KB`)
            .join(', '),
        ]);
      }
      breakdown.push(
        `${fn.name}: as deployed ${formatNumber(medianOf('deployed'))} ms, of which the SDK clients alone take ` +
          `${formatNumber(medianOf('sdk-only'))} ms (${stack.externalImports.join(', ')}), our code alone ` +
          `${formatNumber(medianOf('own-code'))} ms, and source-map support ` +
          `${formatNumber(medianOf('deployed') - medianOf('no-source-maps'))} ms.`,
      );
      details[fn.name] = {
        stack: { ...stack, file: undefined },
        naive: { ...naive, file: undefined },
        loadsMs: loads,
      };
    }

    return {
      rows,
      notes: [
        `Bundles: esbuild's JS API with the stack's options (\`lib/constructs/webhook-function.ts\`): bundle, platform ` +
          `node, target ${stackTarget()} (the newest runtime aws-cdk-lib knows), CommonJS, minified, linked source map ` +
          'without sources content, `@aws-sdk/*` external because the Lambda Node.js runtime ships SDK v3. KB = 1,000 bytes.',
        'Naive bundle: the same entry and options with nothing external, i.e. the SDK clients the handler imports ' +
          'bundled in (what shipping our own SDK copy would cost).',
        `Load time: \`require(bundle)\` timed with \`process.hrtime\` inside a fresh \`node\` process (${process.version}), ` +
          `${LOADS} processes per variant, variants interleaved, median. The process start itself (about 40 ms of Node ` +
          'bootstrap, which Lambda also pays before the init phase) is not included.',
        '"As deployed" is what the Lambda init phase runs: the stack bundle, its `@aws-sdk/*` requires resolved from ' +
          "node_modules (in Lambda from the runtime's own copy of SDK v3, which must be loaded just the same), and " +
          '`NODE_OPTIONS=--enable-source-maps`, which the stack sets and which makes Node read the source map at load.',
        '"Our code alone" stubs every `@aws-sdk/*` require with an inert object: the load cost of Hookguard\'s own ' +
          'code; "SDK alone" requires just the SDK packages the bundle imports. Their sum is close to "as deployed".',
        ...breakdown.map((line) => `Where the time goes: ${line}`),
      ],
      tables: [
        { title: 'Load time by variant', header: ['Function', 'Variant', 'Median', 'Range'], rows: loadRows },
        {
          title: 'Bundle sizes',
          header: ['Function', 'Bundle', 'Minified', 'Deflated', 'Source map', 'Largest contributors'],
          rows: sizeRows,
        },
      ],
      details,
    };
  },
};
