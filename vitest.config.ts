import { defineConfig } from 'vitest/config';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';

const src = (pkg: string, file = 'index.ts') =>
  fileURLToPath(new URL(`./packages/${pkg}/src/${file}`, import.meta.url));

// Tests run against the TypeScript sources of our packages, so a change is
// tested without a rebuild; the CLI end-to-end test runs the built output.
export default defineConfig({
  resolve: {
    alias: [
      { find: /^@contactable\/core\/testing$/, replacement: src('core', 'testing/index.ts') },
      { find: /^@contactable\/console\/(accounts|webhooks)$/, replacement: fileURLToPath(new URL('./packages/console/src/$1.ts', import.meta.url)) },
      { find: /^@contactable\/(core|projections|adapters-sims|adapters-store|adapters-eventstoredb|adapters-messaging|console|cli)$/, replacement: fileURLToPath(new URL('./packages/$1/src/index.ts', import.meta.url)) },
    ],
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts', 'examples/**/*.test.ts'],
    // The fault suite runs on its own (pnpm chaos); its CI slices are test/chaos/*.slice.test.ts.
    exclude: ['**/node_modules/**', '**/dist/**', '**/*.chaos.test.ts'],
    // Two files at a time even on two cores: most of the long suites wait on processes and servers of their
    // own (the CLI, PostgreSQL, a browser), so a second file uses the time one leaves idle.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
});
