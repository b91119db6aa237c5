/** `@contactable/cli`: the `contactable` command, for running in-process (tests, services). */
export { runCli, type CliIo } from './run.js';
export { commandIndex } from './commands/index.js';
export { webhookConfigsFromEnv } from './commands/messaging.js';
export { escapeTerminal, terminalJson, table } from './output.js';
export { dateOption, checkStoreFolder, instantFrom, todayFrom, wholeNumber, writeClock } from './context.js';
export { guessFormat } from './commands/importing.js';
export { doctorChecks, runDoctor, type CheckResult, type DoctorCheck, type DoctorContext, type DoctorReport, type Finding } from './doctor/checks.js';
