import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

// The fault suite (`pnpm chaos`): mutated and hostile exports (and, from others, kill and race trials).
// Kept out of CI for its length; test/chaos/*.slice.test.ts runs a small fixed-seed part of it there.
// The same module resolution as the main config (tests run against the sources), its own files only.
export default defineConfig({
  resolve: base.resolve,
  test: {
    include: ['test/chaos/**/*.chaos.test.ts'],
    testTimeout: 1_800_000,
    hookTimeout: 600_000,
    reporters: ['default'],
  },
});
