// Mutation testing of the core's policies and deciders (`pnpm mutation`; not part of CI: it takes tens of minutes).
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts' },
  plugins: ['@stryker-mutator/vitest-runner'],
  mutate: ['packages/core/src/policies/**/*.ts', 'packages/core/src/deciders/**/*.ts'],
  coverageAnalysis: 'perTest',
  // Static mutants (module-level constants) would each rerun every test: left out, and counted as ignored.
  ignoreStatic: true,
  concurrency: 2,
  timeoutMS: 30000,
  reporters: ['clear-text', 'progress', 'json'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  // Results are kept in reports/stryker-incremental.json: a second run tests only what changed.
  incremental: true,
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
