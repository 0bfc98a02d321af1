/**
 * `npm start` entry: runs the local runtime until Ctrl-C or SIGTERM, then stops cleanly (no new connections,
 * in-flight requests finished, route deliveries drained, LevelDB closed). Exit code 1 with one line on bad input.
 */
import { runStartCommand } from './start-command';

// The AWS SDK warns about Node 20 on every start; the local runtime talks only to its embedded DynamoDB.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

async function main(): Promise<void> {
  const io = {
    out: (line: string) => process.stdout.write(`${line}\n`),
    err: (line: string) => process.stderr.write(`${line}\n`),
    env: process.env,
  };
  // The handlers go in before the runtime starts: the banner says "listening" before startup has returned, and a
  // supervisor may signal as soon as it reads that line.
  let runtime: { close(): Promise<void> } | undefined; // eslint-disable-line prefer-const -- assigned once startup returns
  let pendingSignal: NodeJS.Signals | undefined;
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (runtime === undefined) {
      pendingSignal = signal;
      return;
    }
    if (stopping) {
      io.err(`hookguard: ${signal} again, exiting without waiting`);
      process.exit(1);
    }
    stopping = true;
    io.out(`Stopping (${signal}): finishing in-flight requests...`);
    runtime.close().then(
      () => {
        io.out('Stopped.');
        process.exit(0);
      },
      (error: unknown) => {
        io.err(`hookguard: could not stop cleanly: ${error instanceof Error ? error.message : String(error)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const result = await runStartCommand(process.argv.slice(2), io);
  if ('exitCode' in result) {
    process.exitCode = result.exitCode;
    if (pendingSignal !== undefined) process.exit(result.exitCode);
    return;
  }
  runtime = result.runtime;
  if (pendingSignal !== undefined) stop(pendingSignal);
}

main().catch((error: unknown) => {
  process.stderr.write(`hookguard: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
