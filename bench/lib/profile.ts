/**
 * In-process CPU profiling (V8's sampling profiler through `node:inspector`), so that a figure that misses its
 * target can say where the time goes, measured in the same run rather than asserted.
 */
import { Session } from 'node:inspector';
import { relative } from 'node:path';

/** A V8 CPU profile, as far as it is read here. */
interface CpuProfile {
  readonly nodes: ReadonlyArray<{
    readonly id: number;
    readonly callFrame: { readonly functionName: string; readonly url: string };
    readonly children?: readonly number[];
  }>;
  readonly samples: readonly number[];
}

/** Where the samples fell. */
export interface ProfileSummary {
  readonly samples: number;
  /** Functions by self time, largest first: `name (file)` and its share (0-1). */
  readonly topFunctions: ReadonlyArray<readonly [string, number]>;
  /** Self time by category (see {@link categoryOf}), largest first. */
  readonly categories: ReadonlyArray<readonly [string, number]>;
}

function post<T>(session: Session, method: string, params?: object): Promise<T> {
  return new Promise((resolve, reject) => {
    session.post(method, params ?? {}, (error, result) => (error ? reject(error) : resolve(result as T)));
  });
}

/** Where a code location belongs, for a readable breakdown. */
export function categoryOf(functionName: string, url: string): string {
  if (functionName === '(garbage collector)') return 'garbage collection';
  if (functionName === '(idle)') return 'idle (waiting for I/O)';
  if (functionName === '(program)' || url === '') return 'native / VM';
  if (url.startsWith('node:internal/crypto') || url === 'node:crypto') return 'node:crypto (hashing, HMAC, signatures)';
  if (/node_modules\/(dynalite|abstract-level|classic-level|level-|memdown|lazy|big\.js)/.test(url) || /dynalite/.test(url)) {
    return 'dynalite (local DynamoDB emulator)';
  }
  if (/node_modules\/(@aws-sdk|@smithy|@aws-crypto)/.test(url)) return 'AWS SDK v3 client';
  if (/\/lambda\//.test(url)) return 'Hookguard lambda/ code';
  if (/\/src\/local\//.test(url)) return 'Hookguard local runtime';
  if (/\/bench\//.test(url)) return 'benchmark harness';
  if (url.startsWith('node:')) return 'Node.js built-ins (http, streams, crypto, fs)';
  return 'other modules';
}

/** Runs `work` under the sampling profiler and summarises where its CPU time went. */
export async function profile(work: () => Promise<unknown>, root: string, intervalMicros = 200): Promise<ProfileSummary> {
  const session = new Session();
  session.connect();
  try {
    await post(session, 'Profiler.enable');
    await post(session, 'Profiler.setSamplingInterval', { interval: intervalMicros });
    await post(session, 'Profiler.start');
    let failure: unknown = null;
    try {
      await work();
    } catch (error) {
      failure = error ?? new Error('profiled work failed');
    }
    const { profile: cpu } = await post<{ profile: CpuProfile }>(session, 'Profiler.stop');
    if (failure !== null) throw failure;
    return summarise(cpu, root);
  } finally {
    session.disconnect();
  }
}

const SPECIAL = new Set(['(garbage collector)', '(idle)', '(program)', '(root)']);

/**
 * Self-time shares of a profile, by function and by category. A native function (no script URL, e.g. the C++ side
 * of `createHmac`) is attributed to its nearest JavaScript caller's module, so its time lands in the right area.
 */
export function summarise(cpu: CpuProfile, root: string): ProfileSummary {
  const nodes = new Map(cpu.nodes.map((node) => [node.id, node]));
  const parents = new Map<number, number>();
  for (const node of cpu.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  const fileOf = (url: string) => (url.startsWith('file://') ? relative(root, url.slice('file://'.length)) : url);
  const byFunction = new Map<string, number>();
  const byCategory = new Map<string, number>();
  for (const id of cpu.samples) {
    const frame = nodes.get(id)?.callFrame;
    if (!frame) continue;
    // No line numbers: TypeScript runs transformed, so V8's lines do not match the sources.
    let name = `${frame.functionName || '(anonymous)'}${frame.url ? ` (${fileOf(frame.url)})` : ''}`;
    let categoryUrl = frame.url;
    if (frame.url === '' && !SPECIAL.has(frame.functionName)) {
      let caller = parents.get(id);
      while (caller !== undefined && nodes.get(caller)?.callFrame.url === '') caller = parents.get(caller);
      const callerUrl = caller === undefined ? '' : (nodes.get(caller)?.callFrame.url ?? '');
      categoryUrl = callerUrl;
      name = `${frame.functionName || '(anonymous)'} [native, from ${fileOf(callerUrl) || 'VM'}]`;
    }
    byFunction.set(name, (byFunction.get(name) ?? 0) + 1);
    const category = categoryOf(categoryUrl === '' ? frame.functionName : 'js', categoryUrl);
    byCategory.set(category, (byCategory.get(category) ?? 0) + 1);
  }
  const total = cpu.samples.length || 1;
  const ranked = (counts: Map<string, number>) =>
    [...counts].sort((a, b) => b[1] - a[1]).map(([key, count]) => [key, count / total] as const);
  return { samples: cpu.samples.length, topFunctions: ranked(byFunction).slice(0, 10), categories: ranked(byCategory) };
}

/** One sentence: the largest shares, e.g. `createHmac (node:crypto) 31 %, ...`. */
export function describeShares(shares: ReadonlyArray<readonly [string, number]>, count = 6): string {
  return shares
    .slice(0, count)
    .map(([name, share]) => `${name} ${(share * 100).toFixed(0)} %`)
    .join(', ');
}
