/**
 * `npm run bench`: measures every figure of issue 6 in one run and writes `docs/benchmarks.json` and
 * `docs/benchmarks.md`.
 *
 * Usage:
 *   npm run bench                       every figure
 *   npm run bench -- --only cold-start  one figure (several: --only a,b); other figures stay as last measured
 *   npm run bench -- --list             the figure ids
 *   npm run bench -- --no-write         measure and print, leave docs/ alone
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { authorizerFigure } from './figures/authorizer';
import { coldStartFigure } from './figures/cold-start';
import { costFigure } from './figures/cost';
import { loadTestFigure } from './figures/load-test';
import { memoryFigure } from './figures/memory';
import { sendgridBatchFigure } from './figures/sendgrid-batch';
import { sendgridVerifyFigure } from './figures/sendgrid-verify';
import { standardWebhooksVerifyFigure } from './figures/standard-webhooks-verify';
import { type Figure, type FigureContext, type FigureOutput, REPO_ROOT, scratchDir } from './lib/figure';
import { describeMachine, machineSummary } from './lib/machine';
import { type FigureResult, mergeReport, readReport, summaryCells, writeReport } from './lib/report';

/** Every figure, in report order. */
export const FIGURES: readonly Figure[] = [
  sendgridVerifyFigure,
  standardWebhooksVerifyFigure,
  sendgridBatchFigure,
  authorizerFigure,
  coldStartFigure,
  memoryFigure,
  loadTestFigure,
  costFigure,
];

interface RunOptions {
  readonly only: readonly string[] | null;
  readonly list: boolean;
  readonly write: boolean;
}

function parseArgs(argv: readonly string[]): RunOptions {
  let only: string[] | null = null;
  let list = false;
  let write = true;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--only') {
      only = (argv[++i] ?? '').split(',').filter(Boolean);
    } else if (arg.startsWith('--only=')) {
      only = arg.slice('--only='.length).split(',').filter(Boolean);
    } else if (arg === '--list') {
      list = true;
    } else if (arg === '--no-write') {
      write = false;
    } else {
      throw new Error(`Unknown argument ${arg} (expected --only <id>[,<id>], --list or --no-write)`);
    }
  }
  const known = new Set(FIGURES.map((figure) => figure.id));
  const unknown = (only ?? []).filter((id) => !known.has(id));
  if (unknown.length > 0) throw new Error(`Unknown figure ${unknown.join(', ')}; known: ${[...known].join(', ')}`);
  if (only !== null && only.length === 0) throw new Error('--only needs a figure id');
  return { only, list, write };
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  if (options.list) {
    for (const figure of FIGURES) console.log(`${figure.id}\t${figure.title}`);
    return;
  }
  const machine = describeMachine();
  const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);
  log(`machine: ${machineSummary(machine)}`);
  const earlier = new Map<string, FigureOutput>();
  const context: FigureContext = { root: REPO_ROOT, scratch: scratchDir(), machine, log, earlier };
  const selected = FIGURES.filter((figure) => options.only === null || options.only.includes(figure.id));
  const results: FigureResult[] = [];
  const failures: string[] = [];
  const started = performance.now();
  for (const figure of selected) {
    log(`--- ${figure.id}: ${figure.title}`);
    const figureStart = performance.now();
    try {
      const output = await figure.run({ ...context, log: (message) => log(`${figure.id}: ${message}`) });
      const result: FigureResult = {
        id: figure.id,
        title: figure.title,
        ...output,
        machine,
        measuredAt: new Date().toISOString(),
        durationSeconds: (performance.now() - figureStart) / 1000,
      };
      results.push(result);
      earlier.set(figure.id, output);
      for (const row of result.rows) log(summaryCells(row).join(' | '));
    } catch (error) {
      // One broken figure must not cost the others: report it and go on; the exit code says it failed.
      failures.push(figure.id);
      log(`FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
  }
  log(`done in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  // The figures of this run on stdout (progress went to stderr), so `npm run bench > results.txt` keeps just them.
  console.log(`Machine: ${machineSummary(machine)}`);
  console.log(['Figure', 'Value', 'Target', 'Peer value', 'Ratio', 'Met?'].join(' | '));
  for (const result of results) for (const row of result.rows) console.log(summaryCells(row).join(' | '));
  if (options.write && results.length > 0) {
    const jsonPath = join(REPO_ROOT, 'docs', 'benchmarks.json');
    const markdownPath = join(REPO_ROOT, 'docs', 'benchmarks.md');
    const report = mergeReport(
      readReport(jsonPath),
      machine,
      results,
      FIGURES.map((figure) => figure.id),
    );
    writeReport(report, jsonPath, markdownPath, REPO_ROOT);
    log('wrote docs/benchmarks.json and docs/benchmarks.md');
  }
  if (failures.length > 0) {
    log(`figures that failed: ${failures.join(', ')}`);
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`[bench] ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
