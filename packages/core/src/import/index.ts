/** MIS import: the snapshot shape, the planner, the run, settings files and address-book uploads. */
export * from './snapshot.js';
export * from './permissions.js';
export * from './held.js';
export * from './select.js';
export * from './admission.js';
export * from './sequence.js';
export * from './plan.js';
export * from './describe.js';
export * from './run.js';
export * from './settingsFile.js';
export * from './settingsOf.js';
export * from './addressBook.js';
export * from '../deciders/importRun.js';
