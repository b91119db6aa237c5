/** Events of a school's stream (`school-<id>`): settings and saved filters. */
import * as t from 'io-ts';
import { DataIssueFilter, ImportSettings } from '../settings.js';
import { defineEvent, type EventOf } from './define.js';

/** The school changed its import settings (R-IMP-2). */
export const ImportSettingsChanged = defineEvent('ImportSettingsChanged', t.type({ settings: ImportSettings }));
/** A data-issues filter was saved under a name (R-DSH-3). */
export const DataIssueFilterSaved = defineEvent('DataIssueFilterSaved', t.type({ name: t.string, filter: DataIssueFilter }));
/** A saved data-issues filter was removed. */
export const DataIssueFilterRemoved = defineEvent('DataIssueFilterRemoved', t.type({ name: t.string }));

/** The school changed how long a message's content is kept before it is erased (a message may say otherwise). */
export const MessageRetentionChanged = defineEvent('MessageRetentionChanged', t.type({ days: t.number }));
/**
 * Someone was given a copy of everything held on them (a subject access request, GDPR Art. 15).
 * Recorded on the school's stream; its free-text reason is sealed under the person's key.
 */
export const SubjectAccessReported = defineEvent(
  'SubjectAccessReported',
  t.type({ subject: t.keyof({ member: null, contact: null }), id: t.string }),
);

/** Every school event definition. */
export const schoolEvents = [ImportSettingsChanged, DataIssueFilterSaved, DataIssueFilterRemoved, MessageRetentionChanged, SubjectAccessReported] as const;
/** An event of a school's stream. */
export type SchoolEvent = EventOf<(typeof schoolEvents)[number]>;
