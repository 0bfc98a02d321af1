/**
 * What machine a benchmark ran on: every figure is only meaningful next to it.
 */
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

/** The machine and runtime a run measured on. */
export interface MachineInfo {
  readonly cpuModel: string;
  /** Logical cores Node sees. */
  readonly cores: number;
  readonly memoryGiB: number;
  readonly nodeVersion: string;
  readonly v8Version: string;
  readonly platform: string;
  readonly arch: string;
  /** ISO 8601 UTC time the run started. */
  readonly date: string;
}

/** CPU model from Node, falling back to /proc/cpuinfo (some virtual CPUs give Node only a generic name). */
function cpuModel(): string {
  const fromNode = cpus()[0]?.model?.trim();
  if (fromNode && fromNode !== 'unknown') return fromNode;
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((entry) => entry.startsWith('model name'));
    return line?.split(':')[1]?.trim() ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Describes the current machine. */
export function describeMachine(now: Date = new Date()): MachineInfo {
  return {
    cpuModel: cpuModel(),
    cores: cpus().length,
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    nodeVersion: process.version,
    v8Version: process.versions.v8,
    platform: process.platform,
    arch: process.arch,
    date: now.toISOString(),
  };
}

/** One line for logs and the report header. */
export function machineSummary(machine: MachineInfo): string {
  return `${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.nodeVersion} (${machine.platform}/${machine.arch}), ${machine.date}`;
}
