/**
 * The result model every figure returns, and the writers of `docs/benchmarks.json` and `docs/benchmarks.md`.
 * Pure functions except {@link writeReport}; the markdown is generated from the JSON, so the two never disagree.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { type MachineInfo, machineSummary } from './machine';
import { formatNumber } from './stats';

/** Which way a figure is good. */
export type Comparison = '>=' | '<=';

/** A target from the issue: what must hold for the row to be met. */
export interface Target {
  readonly comparison: Comparison;
  readonly threshold: number;
  /** Whether the threshold applies to the row's value or to its ratio against the peer. */
  readonly on: 'value' | 'ratio';
  /** The target as the issue states it, e.g. `>= 30x @sendgrid/eventwebhook`. */
  readonly text: string;
}

/** A peer's value for the same measurement. */
export interface PeerValue {
  readonly name: string;
  readonly value: number;
}

/** One line of the summary table. */
export interface FigureRow {
  readonly figure: string;
  readonly value: number;
  readonly unit: string;
  readonly target?: Target;
  readonly peer?: PeerValue;
  /**
   * How many times better than the peer, in the figure's good direction: ours / peer for higher-is-better,
   * peer / ours for lower-is-better. Absent without a peer.
   */
  readonly ratio?: number;
  /** Null for informational rows (no target). */
  readonly met: boolean | null;
  /** A short qualifier shown in the table (how many runs, which input). */
  readonly note?: string;
}

/** A detail table of a figure's section. */
export interface DetailTable {
  readonly title: string;
  readonly header: readonly string[];
  readonly rows: ReadonlyArray<readonly string[]>;
}

/** What one figure's run produces. */
export interface FigureResult {
  readonly id: string;
  readonly title: string;
  readonly rows: readonly FigureRow[];
  /** How it was measured and what to know when reading it, one bullet each. */
  readonly notes: readonly string[];
  readonly tables?: readonly DetailTable[];
  /** Raw numbers (samples, inputs) for anyone who wants to recompute. */
  readonly details?: Readonly<Record<string, unknown>>;
  readonly machine: MachineInfo;
  readonly measuredAt: string;
  readonly durationSeconds: number;
}

/** The whole `docs/benchmarks.json`. */
export interface BenchmarkReport {
  readonly generatedBy: string;
  /** The machine of the most recent run that wrote the file. */
  readonly machine: MachineInfo;
  readonly figures: Readonly<Record<string, FigureResult>>;
}

/** Whether `value` satisfies `comparison threshold`. */
export function satisfies(value: number, comparison: Comparison, threshold: number): boolean {
  return comparison === '>=' ? value >= threshold : value <= threshold;
}

/** Input of {@link makeRow}: a row without its computed `ratio` and `met`. */
export interface RowInput {
  readonly figure: string;
  readonly value: number;
  readonly unit: string;
  readonly target?: Target;
  readonly peer?: PeerValue;
  /** Which way is good, for the ratio; defaults to the target's comparison, else higher-is-better. */
  readonly better?: 'higher' | 'lower';
  readonly note?: string;
  /** Set when the measured code did not do its job (wrong answer, crash): the row is missed whatever the value. */
  readonly failure?: string;
}

/** Builds a row, computing the ratio against the peer and whether the target is met. */
export function makeRow(input: RowInput): FigureRow {
  const better = input.better ?? (input.target?.comparison === '<=' ? 'lower' : 'higher');
  let ratio: number | undefined;
  if (input.peer && input.peer.value > 0 && input.value > 0) {
    ratio = better === 'higher' ? input.value / input.peer.value : input.peer.value / input.value;
  }
  let met: boolean | null = null;
  if (input.target) {
    const measured = input.target.on === 'ratio' ? ratio : input.value;
    met = measured === undefined ? false : satisfies(measured, input.target.comparison, input.target.threshold);
  }
  if (input.failure) met = false;
  const note = [input.note, input.failure ? `FAILED: ${input.failure}` : undefined].filter(Boolean).join('; ');
  return {
    figure: input.figure,
    value: input.value,
    unit: input.unit,
    ...(input.target ? { target: input.target } : {}),
    ...(input.peer ? { peer: input.peer } : {}),
    ...(ratio !== undefined ? { ratio } : {}),
    met,
    ...(note ? { note } : {}),
  };
}

/** Merges a run's figures into an earlier report (a `--only` run replaces just its figures). */
export function mergeReport(
  previous: BenchmarkReport | null,
  machine: MachineInfo,
  figures: readonly FigureResult[],
  order: readonly string[],
): BenchmarkReport {
  const merged: Record<string, FigureResult> = { ...(previous?.figures ?? {}) };
  for (const figure of figures) merged[figure.id] = figure;
  const ordered: Record<string, FigureResult> = {};
  for (const id of [...order, ...Object.keys(merged)]) {
    const figure = merged[id];
    if (figure && !(id in ordered)) ordered[id] = figure;
  }
  return { generatedBy: 'npm run bench (bench/run.ts)', machine, figures: ordered };
}

function formatValue(value: number, unit: string): string {
  if (unit === '$') return `$${value.toFixed(2)}`;
  if (unit === 'KB') return `${formatNumber(value, 4)} KB`;
  return `${formatNumber(value)}${unit ? ` ${unit}` : ''}`;
}

function metCell(met: boolean | null): string {
  if (met === null) return '-';
  return met ? 'yes' : '**NO (missed)**';
}

function escapeCell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

function markdownTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string[] {
  return [
    `| ${header.map(escapeCell).join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((row) => `| ${row.map(escapeCell).join(' | ')} |`),
  ];
}

/** The summary table row of one figure row. */
export function summaryCells(row: FigureRow): string[] {
  const figure = row.note ? `${row.figure} (${row.note})` : row.figure;
  return [
    figure,
    formatValue(row.value, row.unit),
    row.target?.text ?? '-',
    row.peer ? `${formatValue(row.peer.value, row.unit)} (${row.peer.name})` : '-',
    row.ratio !== undefined ? `${formatNumber(row.ratio)}x` : '-',
    metCell(row.met),
  ];
}

/** Renders the report as markdown: machine, summary table, missed targets, one section per figure. */
export function renderMarkdown(report: BenchmarkReport): string {
  const figures = Object.values(report.figures);
  const rows = figures.flatMap((figure) => figure.rows);
  const missed = figures.flatMap((figure) =>
    figure.rows.filter((row) => row.met === false).map((row) => ({ figure, row })),
  );
  const lines: string[] = [
    '# Hookguard benchmarks',
    '',
    '<!-- Generated by `npm run bench` (bench/run.ts) from docs/benchmarks.json. Do not edit by hand. -->',
    '',
    `Machine: ${machineSummary(report.machine)}.`,
    '',
    'Every figure below was measured in one run of `npm run bench` on that machine unless its section says',
    'otherwise. Throughput figures are medians over repeated timed runs after a warm-up; each section states how',
    'many runs and what exactly was timed. Peers ran in the same process, on the same input, interleaved with ours.',
    'Rerun one figure with `npm run bench -- --only <id>`.',
    '',
    '## Summary',
    '',
    ...markdownTable(['Figure', 'Value', 'Target', 'Peer value', 'Ratio', 'Met?'], rows.map(summaryCells)),
    '',
    "Ratio: how many times better than the peer in the figure's good direction (faster, or smaller).",
    '',
  ];
  if (missed.length > 0) {
    lines.push('## Missed targets', '');
    for (const { figure, row } of missed) {
      const failed = row.note?.includes('FAILED:') ? ` ${row.note.slice(row.note.indexOf('FAILED:'))}.` : '';
      lines.push(
        `- **${row.figure}**: ${formatValue(row.value, row.unit)} against ${row.target?.text}.${failed} See "${figure.title}".`,
      );
    }
    lines.push('');
  }
  for (const figure of figures) {
    lines.push(
      `## ${figure.title}`,
      '',
      `Id \`${figure.id}\`; measured ${figure.measuredAt} in ${figure.durationSeconds.toFixed(0)} s.`,
    );
    if (figure.machine.date !== report.machine.date) {
      lines.push(`Measured in an earlier run, on: ${machineSummary(figure.machine)}.`);
    }
    lines.push('');
    for (const note of figure.notes) lines.push(`- ${note}`);
    if (figure.notes.length > 0) lines.push('');
    for (const table of figure.tables ?? []) {
      lines.push(`**${table.title}**`, '', ...markdownTable(table.header, table.rows), '');
    }
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

/** Reads an earlier `docs/benchmarks.json`, or null when there is none or it is unreadable. */
export function readReport(path: string): BenchmarkReport | null {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as BenchmarkReport;
    return parsed && typeof parsed === 'object' && parsed.figures ? parsed : null;
  } catch {
    return null;
  }
}

/**
 * Writes the JSON and the markdown generated from it. Occurrences of `localRoot` (the checkout's absolute path) are
 * written as `.`, so no machine path ends up in the committed docs.
 */
export function writeReport(report: BenchmarkReport, jsonPath: string, markdownPath: string, localRoot?: string): void {
  const redact = (text: string) => (localRoot ? text.replaceAll(localRoot, '.') : text);
  mkdirSync(dirname(jsonPath), { recursive: true });
  writeFileSync(jsonPath, redact(`${JSON.stringify(report, null, 2)}\n`));
  writeFileSync(markdownPath, redact(renderMarkdown(report)));
}
