/**
 * Pre-bundles every Lambda handler (`lambda/<name>/handler.ts`) for the published package: `dist/bundles/<name>/`.
 *
 * The bundles are made by the very `NodejsFunction` bundling the construct uses at synth in this repository, with
 * the shared {@link hookguardBundling} options, in a throw-away CDK app: the esbuild command line is CDK's
 * own, so a bundle in the package is byte for byte what `cdk synth` of the repository would deploy.
 *
 * Usage: `npx tsx scripts/bundle-lambdas.ts [outDir]` (default `dist/bundles`); part of `npm run build`.
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { Asset } from 'aws-cdk-lib/aws-s3-assets';
import {
  BUNDLE_FILE,
  BUNDLES_DIRECTORY,
  hookguardBundling,
  newestNodeRuntime,
} from '../lib/constructs/webhook-function';

const ROOT = path.join(__dirname, '..');

/** Every handler of the project: the folders of `lambda/` that hold a `handler.ts`. */
export function handlerNames(lambdaDirectory = path.join(ROOT, 'lambda')): string[] {
  return readdirSync(lambdaDirectory, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(path.join(lambdaDirectory, entry.name, 'handler.ts')))
    .map((entry) => entry.name)
    .sort();
}

/**
 * Bundles each named handler into `<outDir>/<name>/` (`index.js` plus its source map) and returns the names.
 * Whatever was in `outDir` before is replaced.
 */
export function bundleLambdas(outDir: string, names: readonly string[] = handlerNames()): string[] {
  const assemblyDir = mkdtempSync(path.join(tmpdir(), 'hookguard-bundles-'));
  try {
    const app = new App({ outdir: assemblyDir });
    const stack = new Stack(app, 'Bundles');
    const functions = names.map((name) => ({
      name,
      fn: new NodejsFunction(stack, name, {
        entry: path.join(ROOT, 'lambda', name, 'handler.ts'),
        handler: 'handler',
        runtime: newestNodeRuntime(),
        architecture: lambda.Architecture.ARM_64,
        bundling: hookguardBundling(newestNodeRuntime()),
      }),
    }));
    const assembly = app.synth();
    rmSync(outDir, { recursive: true, force: true });
    for (const { name, fn } of functions) {
      const asset = fn.node.findChild('Code') as Asset;
      const bundled = path.join(assembly.directory, asset.assetPath);
      if (!existsSync(path.join(bundled, BUNDLE_FILE))) {
        throw new Error(`bundling ${name} produced no ${BUNDLE_FILE} in ${bundled}`);
      }
      cpSync(bundled, path.join(outDir, name), { recursive: true });
    }
    return [...names];
  } finally {
    rmSync(assemblyDir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const outDir = path.resolve(process.argv[2] ?? path.join(ROOT, 'dist', BUNDLES_DIRECTORY));
  const names = bundleLambdas(outDir);
  process.stdout.write(`bundled ${names.join(', ')} into ${path.relative(process.cwd(), outDir) || '.'}\n`);
}
