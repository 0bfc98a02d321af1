/**
 * Jest transformer: TypeScript and ESM-only dependencies (@middy/core 7) to CommonJS with esbuild, the same
 * compiler that bundles the Lambdas. Type checking is `npm run typecheck`'s job, not the test runner's.
 */
const { createHash } = require('node:crypto');
const { transformSync } = require('esbuild');

const ESBUILD_VERSION = require('esbuild/package.json').version;

module.exports = {
  process(sourceText, sourcePath) {
    const result = transformSync(sourceText, {
      loader: sourcePath.endsWith('.ts') ? 'ts' : 'js',
      format: 'cjs',
      target: 'node20',
      sourcemap: 'inline',
      sourcefile: sourcePath,
    });
    return { code: result.code };
  },
  getCacheKey(sourceText, sourcePath) {
    return createHash('sha256').update(ESBUILD_VERSION).update('\0').update(sourcePath).update('\0').update(sourceText).digest('hex');
  },
};
