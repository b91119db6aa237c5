/** `@contactable/console`: the staff console and the provider webhooks on one HTTP server (`contactable serve`). */
export * from './app.js';
export * from './accounts.js';
export * from './webhooks.js';
export * from './schedule.js';
export * from './exportFile.js';
export * from './sessions.js';
export * from './rateLimit.js';
export * from './log.js';
