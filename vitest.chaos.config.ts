import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.js';

// The fault suite (`pnpm chaos`): mutated and hostile exports (and, from others, kill and race trials).
// Kept out of CI for its length; test/chaos/*.slice.test.ts runs a small fixed-seed part of it there.
export default mergeConfig(
  base,
  defineConfig({
    test: {
      include: ['test/chaos/**/*.chaos.test.ts'],
      exclude: ['**/node_modules/**', '**/dist/**'],
      testTimeout: 1_800_000,
      hookTimeout: 600_000,
    },
  }),
);
