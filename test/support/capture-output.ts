/**
 * Captures what the process writes to stdout and stderr (Powertools writes through its own `Console` on both), line
 * by line, so tests can parse exactly what CloudWatch Logs would ingest.
 */
export interface CapturedOutput {
  /** Every complete line written to stdout or stderr, in order. */
  readonly lines: string[];
  /** The lines parsed as JSON (throws on a line that is not JSON: the Lambdas write nothing else). */
  json(): Array<Record<string, unknown>>;
  /** Stops capturing and restores the streams. */
  restore(): void;
}

/** Starts capturing stdout and stderr; nothing reaches the terminal until `restore()`. */
export function captureOutput(): CapturedOutput {
  const lines: string[] = [];
  const spies = [process.stdout, process.stderr].map((stream) =>
    jest.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      lines.push(...text.split('\n').filter((line) => line !== ''));
      return true;
    }),
  );
  return {
    lines,
    json: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
    restore: () => spies.forEach((spy) => spy.mockRestore()),
  };
}
