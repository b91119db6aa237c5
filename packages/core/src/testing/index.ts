/** `@contactable/core/testing`: arbitraries, a pure command runner, given/when/then, and the core's laws. */
export * from './arbitraries.js';
export * from './run.js';
export * as laws from './laws.js';
