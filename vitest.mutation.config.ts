import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.js';

// Mutation testing (pnpm mutation) runs the core's own tests only: a mutant in core must be killed by core's tests.
export default mergeConfig(base, defineConfig({ test: { include: ['packages/core/test/**/*.test.ts'] } }));
