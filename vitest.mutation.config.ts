import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

// Mutation testing (pnpm mutation) runs the core's own tests only: a mutant in core must be killed by core's
// tests. The import's store-backed property tests (laws, run) are left out: they test the planner and the
// run, reach every decider, and would multiply the run time without being what pins a decider's rule.
// (Not mergeConfig: it would add our include to the base's instead of replacing it.)
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['packages/core/test/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'packages/core/test/import/laws.test.ts', 'packages/core/test/import/run.test.ts'],
  },
});
