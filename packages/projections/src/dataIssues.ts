/**
 * The data-issues list (R-DSH-3): every open issue, filtered by type, member, contact and
 * date range, or by a filter saved on the school stream (`DataIssueFilterSaved`).
 */
import type { DataIssueFilter } from '@contactable/core';
import { contactIssuesOf } from './contactIssues.js';
import { idsOf } from './indexes.js';
import { memberIssuesOf } from './memberIssues.js';
import { byString } from './json.js';
import { dayOf } from './time.js';
import type { DataIssue, Projection } from './state.js';

const byRaised = (a: DataIssue, b: DataIssue): number => byString(a.raisedAt, b.raisedAt) || byString(a.id, b.id);

/** Every open issue, oldest first; cached until an issue changes. */
export const allDataIssues = (p: Projection): ReadonlyArray<DataIssue> => {
  if (p.cache.issues === null) {
    const all: DataIssue[] = [];
    for (const id of p.withIssues.members) all.push(...memberIssuesOf(p, p.members.get(id)!));
    for (const id of p.withIssues.contacts) all.push(...contactIssuesOf(p.contacts.get(id)!.view));
    all.push(...p.permissionIssues.values(), ...p.importWarnings.values());
    p.cache.issues = Object.freeze(all.sort(byRaised));
  }
  return p.cache.issues;
};

// The issues a member or contact filter can match, found through the entries rather than by a scan.
const candidates = (p: Projection, filter: DataIssueFilter): ReadonlyArray<DataIssue> => {
  if (filter.memberId !== undefined) {
    const entry = p.members.get(filter.memberId);
    if (entry === undefined) return [];
    const out = [...memberIssuesOf(p, entry)];
    for (const contactId in entry.record.links) out.push(...contactIssuesOf(p.contacts.get(contactId)?.view));
    return out;
  }
  if (filter.contactId !== undefined) {
    const entry = p.contacts.get(filter.contactId);
    if (entry === undefined) return [];
    const out = [...contactIssuesOf(entry.view)];
    // Member issues naming this contact (no usable method) belong to members linking to it.
    for (const memberId of idsOf(entry.members)) out.push(...memberIssuesOf(p, p.members.get(memberId)!));
    return out;
  }
  return allDataIssues(p);
};

/**
 * The open issues that match a filter, oldest first. A member filter also matches the issues
 * of the contacts linked to that member (a parent's bounce is the pupil's problem too);
 * `from`/`to` are inclusive days of `raisedAt`, the school's days in its zone.
 */
export const dataIssues = (p: Projection, filter: DataIssueFilter = {}): ReadonlyArray<DataIssue> => {
  if (filter.type === undefined && filter.memberId === undefined && filter.contactId === undefined && filter.from === undefined && filter.to === undefined) return allDataIssues(p);
  const contactsOfMember = filter.memberId === undefined ? null : (p.members.get(filter.memberId)?.record.links ?? {});
  const matches = candidates(p, filter).filter((i) => {
    if (filter.type !== undefined && i.type !== filter.type) return false;
    if (filter.contactId !== undefined && i.contactId !== filter.contactId) return false;
    if (filter.memberId !== undefined && i.memberId !== filter.memberId && !(i.memberId === null && i.contactId !== null && contactsOfMember![i.contactId] !== undefined)) return false;
    if (filter.from !== undefined || filter.to !== undefined) {
      const day = dayOf(i.raisedAt, p.school.timeZone);
      if (filter.from !== undefined && day < filter.from) return false;
      if (filter.to !== undefined && day > filter.to) return false;
    }
    return true;
  });
  return matches.sort(byRaised);
};

/** A saved data-issues filter. */
export interface SavedFilter {
  readonly name: string;
  readonly filter: DataIssueFilter;
}

/** The filters saved on the school stream, by name. */
export const savedFilters = (p: Projection): ReadonlyArray<SavedFilter> =>
  Object.keys(p.school.filters)
    .sort(byString)
    .map((name) => ({ name, filter: p.school.filters[name]! }));

/** The open issues matching a saved filter, or null when no filter has that name. */
export const dataIssuesBySavedFilter = (p: Projection, name: string): ReadonlyArray<DataIssue> | null => {
  const filter = p.school.filters[name];
  return filter === undefined ? null : dataIssues(p, filter);
};
