/** `@contactable/cli`: the `contactable` command, for running in-process (tests, services). */
export { runCli } from './run.js';
export { commands } from './commands/index.js';
export { webhookConfigsFromEnv } from './commands/messaging.js';
export { doctorChecks, runDoctor, type CheckResult, type DoctorCheck, type DoctorContext, type DoctorReport, type Finding } from './doctor/checks.js';
