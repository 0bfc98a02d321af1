/**
 * Runs a command in a child process with a time limit and collects its output (for fresh-process measurements).
 */
import { spawn } from 'node:child_process';

/** What a finished child printed. */
export interface ChildResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options of {@link runChild}. */
export interface ChildOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Killed after this long, ms. @default 120000 */
  readonly timeoutMs?: number;
}

/** Runs `command args...`; rejects when it exits non-zero or outlives the time limit. */
export function runChild(command: string, args: readonly string[], options: ChildOptions = {}): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} did not finish within ${options.timeoutMs ?? 120_000} ms`));
    }, options.timeoutMs ?? 120_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const result = {
        code,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
      };
      if (code === 0) resolve(result);
      else
        reject(new Error(`${command} exited with ${code}: ${result.stderr.trim().split('\n').slice(-5).join(' / ')}`));
    });
  });
}

/** The last line of `text` that parses as JSON (children print their result as one JSON line). */
export function lastJsonLine<T>(text: string): T {
  const lines = text.trim().split('\n').reverse();
  for (const line of lines) {
    try {
      return JSON.parse(line) as T;
    } catch {
      // Not the result line (a warning or progress); keep looking.
    }
  }
  throw new Error(`no JSON result line in child output: ${text.slice(-300)}`);
}
