/** Which stream an event type belongs to, as type guards over stored events. */
import { contactEvents, groupEvents, importRunEvents, memberEvents, schoolEvents, staffEvents, type ContactEvent, type ImportRunEvent, type MemberEvent, type SchoolEvent, type StoredEvent } from '@contactable/core';

const typesOf = (defs: ReadonlyArray<{ readonly type: string }>): ReadonlySet<string> => new Set(defs.map((d) => d.type));
const MEMBER = typesOf(memberEvents);
const CONTACT = typesOf(contactEvents);
const SCHOOL = typesOf(schoolEvents);
const IMPORT_RUN = typesOf(importRunEvents);
const GROUP = typesOf(groupEvents);
const STAFF = typesOf(staffEvents);

/** The kind of stream an event type belongs to. */
export type StreamKind = 'member' | 'contact' | 'group' | 'school' | 'import' | 'staff' | 'other';

const KIND: ReadonlyMap<string, StreamKind> = new Map<string, StreamKind>([
  ...[...MEMBER].map((t) => [t, 'member'] as const),
  ...[...CONTACT].map((t) => [t, 'contact'] as const),
  ...[...SCHOOL].map((t) => [t, 'school'] as const),
  ...[...IMPORT_RUN].map((t) => [t, 'import'] as const),
  ...[...GROUP].map((t) => [t, 'group'] as const),
  ...[...STAFF].map((t) => [t, 'staff'] as const),
]);

/** The kind of stream an event belongs to, by its type: one lookup. */
export const streamKindOf = (e: { readonly type: string }): StreamKind => KIND.get(e.type) ?? 'other';

/** True for an event of a member's stream. */
export const isMemberEvent = (e: StoredEvent): e is StoredEvent<MemberEvent> => MEMBER.has(e.type);
/** True for an event of a contact's stream. */
export const isContactEvent = (e: StoredEvent): e is StoredEvent<ContactEvent> => CONTACT.has(e.type);
/** True for an event of a school's stream. */
export const isSchoolEvent = (e: StoredEvent): e is StoredEvent<SchoolEvent> => SCHOOL.has(e.type);
/** True for an event of an import run's stream. */
export const isImportRunEvent = (e: StoredEvent): e is StoredEvent<ImportRunEvent> => IMPORT_RUN.has(e.type);
