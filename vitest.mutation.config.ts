import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

// Mutation testing (pnpm mutation) runs the core's own rule examples and laws (packages/core/test/*.test.ts):
// a mutant in a policy or a decider must be killed by the tests written for them. The import planner's
// tests (packages/core/test/import) reach every decider too, but test the planner, and would multiply the
// run time. (Not mergeConfig: it would add our include to the base's instead of replacing it.)
export default defineConfig({ ...base, test: { ...base.test, include: ['packages/core/test/*.test.ts', 'packages/core/test/import/importRun.test.ts'] } });
