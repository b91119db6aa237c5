import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

// Mutation testing (pnpm mutation) runs the core's own tests only: a mutant in core must be killed by core's tests.
// (Not mergeConfig: it would add our include to the base's instead of replacing it.)
export default defineConfig({ ...base, test: { ...base.test, include: ['packages/core/test/**/*.test.ts'] } });
