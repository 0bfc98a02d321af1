/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // @middy/core 7 is ESM-only: esbuild turns it (and our TypeScript) into CommonJS for jest.
  transform: { '^.+\\.(t|j)s$': '<rootDir>/test/support/esbuild-jest-transform.js' },
  transformIgnorePatterns: ['/node_modules/(?!@middy/)'],
  // ...and resolve its import-only "exports" entry by path.
  moduleNameMapper: { '^@middy/([a-z-]+)$': '<rootDir>/node_modules/@middy/$1/index.js' },
  collectCoverageFrom: ['lambda/**/*.ts', 'lib/**/*.ts', 'src/**/*.ts'],
  testTimeout: 60000,
  // Test output only: silences the AWS SDK's Node 20 end-of-support warning (see the file).
  setupFiles: ['<rootDir>/test/support/jest-env.js'],
  // Removes the temporary cdk.out* directories each test file's synthesized Apps leave behind.
  setupFilesAfterEnv: ['<rootDir>/test/support/remove-temp-assemblies.ts'],
};
