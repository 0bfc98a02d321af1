/**
 * Bundles a Lambda entry the ways the cold-start figure compares: exactly as the stack does (`hookguardBundling()` of
 * `lib/constructs/webhook-function.ts`, translated to esbuild's API), the same with a source map, the previous stack
 * bundle (AWS SDK left to the runtime's copy), and "naively" (everything bundled from the packages' CommonJS builds,
 * with a source map), the issue's baseline.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { type BuildOptions, build, type Metafile } from 'esbuild';
import { hookguardBundling } from '../../lib/constructs/webhook-function';

/** How a bundle was built. */
export type BundleKind = 'stack' | 'stack-source-map' | 'runtime-sdk' | 'naive';

/** The stack's bundling options (`hookguardBundling()`), read from the construct so the figure never drifts. */
function stackBundling(): {
  target: string;
  minify: boolean;
  mainFields: string[];
  external: string[];
  format: 'cjs' | 'esm';
  sourcemap: boolean;
  alias: Record<string, string>;
} {
  const options = hookguardBundling();
  const aliasArgs = options.esbuildArgs?.['--alias'];
  const alias = Object.fromEntries(
    (Array.isArray(aliasArgs) ? aliasArgs : []).map((entry) => {
      const at = entry.indexOf('=');
      return [entry.slice(0, at), entry.slice(at + 1)];
    }),
  );
  return {
    target: options.target ?? 'node24',
    minify: options.minify ?? false,
    mainFields: options.mainFields ?? ['main', 'module'],
    external: options.externalModules ?? ['@aws-sdk/*'],
    format: options.format === 'esm' ? 'esm' : 'cjs',
    sourcemap: options.sourceMap ?? false,
    alias,
  };
}

/** The esbuild target of the stack's runtime (`nodejs24.x` -> `node24`). */
export function stackTarget(): string {
  return stackBundling().target;
}

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

/** esbuild options of each kind. */
function optionsOf(kind: BundleKind): BuildOptions {
  const stack = stackBundling();
  const common: BuildOptions = {
    bundle: true,
    platform: 'node',
    target: stack.target,
    format: stack.format,
    minify: stack.minify,
  };
  switch (kind) {
    case 'stack':
      return { ...common, mainFields: stack.mainFields, external: stack.external, sourcemap: stack.sourcemap, alias: stack.alias };
    case 'stack-source-map':
      return {
        ...common,
        mainFields: stack.mainFields,
        external: stack.external,
        sourcemap: true,
        sourcesContent: false,
        alias: stack.alias,
      };
    case 'runtime-sdk':
      // The stack before: SDK left to the runtime's copy (resolved from node_modules here), linked source map.
      return { ...common, external: ['@aws-sdk/*'], sourcemap: true, sourcesContent: false };
    case 'naive':
      // Everything inside, from each package's default (CommonJS) build, linked source map.
      return { ...common, external: [], sourcemap: true, sourcesContent: false };
  }
}

/** Builds `entry` into `outDir/<name>.js` the way `kind` says. */
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
    ...optionsOf(kind),
    entryPoints: [entry],
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
    sourceMapBytes: existsSync(`${outfile}.map`) && optionsOf(kind).sourcemap ? statSync(`${outfile}.map`).size : 0,
    externalImports: externals,
    byPackage,
  };
}
