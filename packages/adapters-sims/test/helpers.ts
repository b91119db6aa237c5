/** Shared helpers of the adapters-sims tests. */
import { fileURLToPath } from 'node:url';
import type { MisSnapshot } from '@contactable/core';

/** A fixture file's path. */
export const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

/** A snapshot in a canonical order, for equality across formats. */
export const canonical = (s: MisSnapshot, withSchool = true): unknown => ({
  ...s,
  source: withSchool ? s.source : { ...s.source, schoolRef: null, schoolName: null },
  contacts: [...s.contacts].sort((a, b) => (a.externalId < b.externalId ? -1 : 1)),
  links: [...s.links].sort((a, b) => (`${a.memberExternalId}/${a.contactExternalId}` < `${b.memberExternalId}/${b.contactExternalId}` ? -1 : 1)),
});
