/**
 * The shape of one benchmark figure (one file under `bench/figures/`), and the context the runner gives it.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { MachineInfo } from './machine';
import type { DetailTable, FigureRow } from './report';

/** What the runner hands every figure. */
export interface FigureContext {
  /** The repository root (where package.json is). */
  readonly root: string;
  /** A scratch directory inside the repository (git-ignored), so bundles resolve `node_modules`. */
  readonly scratch: string;
  readonly machine: MachineInfo;
  /** Progress output (stderr), never figures. */
  readonly log: (message: string) => void;
  /** Outputs of the figures already measured in this run, by id (a figure may reuse another's measurement). */
  readonly earlier: ReadonlyMap<string, FigureOutput>;
}

/** What a figure's `run` returns; the runner adds machine, time and duration. */
export interface FigureOutput {
  readonly rows: readonly FigureRow[];
  readonly notes: readonly string[];
  readonly tables?: readonly DetailTable[];
  readonly details?: Readonly<Record<string, unknown>>;
}

/** One figure of `npm run bench`. */
export interface Figure {
  /** Used with `--only`. */
  readonly id: string;
  readonly title: string;
  run(context: FigureContext): Promise<FigureOutput>;
}

/** The repository root: two levels up from this file (`bench/lib/`). */
export const REPO_ROOT = resolve(__dirname, '..', '..');

/** The git-ignored scratch directory of the benchmarks (`bench/results/tmp/`), created on demand. */
export function scratchDir(root: string = REPO_ROOT, ...parts: string[]): string {
  const dir = join(root, 'bench', 'results', 'tmp', ...parts);
  mkdirSync(dir, { recursive: true });
  return dir;
}
