/**
 * Bundles a Lambda entry exactly as the stack does (`lib/constructs/webhook-function.ts`: `NodejsFunction` with
 * esbuild, platform node, the runtime's Node target, CommonJS, minified, linked source map without sources
 * content, `@aws-sdk/*` external), or "naively" with the SDK bundled in, for comparison.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';

/**
 * The esbuild target of the stack's runtime. The stack derives it from the newest runtime aws-cdk-lib knows
 * (`nodejs24.x` -> `node24`); kept in step with `newestNodeRuntime()` by reading the same runtime list.
 */
export function stackTarget(): string {
  // Imported lazily: aws-cdk-lib is large and only this needs it.
  const { Runtime } = require('aws-cdk-lib/aws-lambda') as typeof import('aws-cdk-lib/aws-lambda');
  const candidates = ['NODEJS_24_X', 'NODEJS_22_X', 'NODEJS_20_X'] as const;
  for (const name of candidates) {
    const runtime = (Runtime as unknown as Record<string, { name: string } | undefined>)[name];
    if (runtime) return runtime.name.replace('nodejs', 'node').replace('.x', '');
  }
  return 'node20';
}

/** How a bundle was built. */
export type BundleKind = 'stack' | 'naive';

/** A built bundle and what is in it. */
export interface BuiltBundle {
  readonly kind: BundleKind;
  readonly file: string;
  readonly bytes: number;
  /** Size of the bundle deflated at level 9, close to what the deployment zip stores. */
  readonly deflatedBytes: number;
  readonly sourceMapBytes: number;
  /** Packages the bundle still requires at run time (the externals it uses). */
  readonly externalImports: readonly string[];
  /** Bytes of output per input package (or `hookguard` for our own code), largest first. */
  readonly byPackage: ReadonlyArray<readonly [string, number]>;
}

function packageOf(inputPath: string): string {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(inputPath);
  return match?.[1] ?? 'hookguard';
}

function summarise(metafile: Metafile, outfile: string): { externals: string[]; byPackage: Array<[string, number]> } {
  const output = Object.entries(metafile.outputs).find(([path]) =>
    path.endsWith(outfile.split('/').pop() as string),
  )?.[1];
  const totals = new Map<string, number>();
  for (const [input, info] of Object.entries(output?.inputs ?? {})) {
    const name = packageOf(input);
    totals.set(name, (totals.get(name) ?? 0) + info.bytesInOutput);
  }
  const externals = new Set<string>();
  for (const imported of output?.imports ?? []) {
    if (imported.external && !imported.path.startsWith('node:')) externals.add(imported.path);
  }
  return { externals: [...externals].sort(), byPackage: [...totals].sort((a, b) => b[1] - a[1]) };
}

/**
 * Builds `entry` into `outDir/<name>.js` the way `kind` says. `stack`: the stack's options; `naive`: the same but
 * with the AWS SDK bundled in (what shipping the SDK inside the function would cost).
 */
export async function buildBundle(
  root: string,
  entry: string,
  outDir: string,
  name: string,
  kind: BundleKind,
): Promise<BuiltBundle> {
  const outfile = join(outDir, `${name}.js`);
  const tsconfig = join(root, 'tsconfig.json');
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    target: stackTarget(),
    format: 'cjs',
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    external: kind === 'stack' ? ['@aws-sdk/*'] : [],
    ...(existsSync(tsconfig) ? { tsconfig } : {}),
    outfile,
    metafile: true,
    logLevel: 'silent',
  });
  const { externals, byPackage } = summarise(result.metafile, outfile);
  const code = readFileSync(outfile);
  return {
    kind,
    file: outfile,
    bytes: code.length,
    deflatedBytes: deflateRawSync(code, { level: 9 }).length,
    sourceMapBytes: existsSync(`${outfile}.map`) ? statSync(`${outfile}.map`).size : 0,
    externalImports: externals,
    byPackage,
  };
}
