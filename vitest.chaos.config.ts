import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

// The fault suite (`pnpm chaos`): out of CI, runnable by anyone; each suite records its targets and the
// table of them is printed at the end. The CI slices (test/chaos/*.slice.test.ts) run with the main config.
export default defineConfig({
  resolve: base.resolve,
  test: {
    include: ['test/chaos/**/*.chaos.test.ts'],
    globalSetup: ['test/chaos/support/globalSetup.ts'],
    // One suite at a time: they start processes and servers of their own and time their kills.
    fileParallelism: false,
    testTimeout: 3_600_000,
    hookTimeout: 600_000,
    reporters: ['default'],
  },
});
