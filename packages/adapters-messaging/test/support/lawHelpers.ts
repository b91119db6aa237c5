/** Small re-exports and helpers for the laws. */
import { mobileDetail } from '@contactable/core';
export { ingestCallback, send, storeDirectory, type CallbackDeps } from '@contactable/adapters-messaging';

/** A UK mobile in E.164, as contacts hold it. */
export const mobileE164 = (raw: string): string => mobileDetail(raw, 'Mobile').value;
