/** `@contactable/cli`: the `contactable` command, for running in-process (tests, services). */
export { runCli } from './run.js';
export { commandIndex } from './commands/index.js';
export { webhookConfigsFromEnv } from './commands/messaging.js';
