/** Issue ids and comparisons shared by the member, contact and permission issues. */
import type { DataIssueType } from '@contactable/core';
import type { DataIssue } from './state.js';

/** The stable id of an issue: type, member, contact and an optional qualifier (data area, field). */
export const issueId = (type: DataIssueType, memberId: string | null, contactId: string | null, qualifier?: string): string =>
  `${type}/${memberId ?? '-'}/${contactId ?? '-'}${qualifier === undefined ? '' : `/${qualifier}`}`;

/** No issues. */
export const NO_ISSUES: ReadonlyArray<DataIssue> = Object.freeze([]);

/** True when two issues say the same thing. */
export const sameIssue = (a: DataIssue, b: DataIssue): boolean =>
  a.id === b.id && a.type === b.type && a.memberId === b.memberId && a.contactId === b.contactId && a.relatedContactId === b.relatedContactId && a.detail === b.detail && a.raisedAt === b.raisedAt;

/** True when two lists of issues say the same things in the same order. */
export const sameIssues = (a: ReadonlyArray<DataIssue>, b: ReadonlyArray<DataIssue>): boolean =>
  a === b || (a.length === b.length && a.every((x, i) => sameIssue(x, b[i]!)));
