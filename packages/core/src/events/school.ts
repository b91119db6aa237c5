/** Events of a school's stream (`school-<id>`): settings and saved filters. */
import * as t from 'io-ts';
import { DataIssueFilter, ImportSettings, upcastSettings } from '../settings.js';
import { isTimeZone } from '../zone.js';
import { defineEvent, type EventOf } from './define.js';

/** An IANA time zone name Node's time-zone data knows (e.g. Europe/London). */
export const TimeZoneCodec = t.refinement(t.string, isTimeZone, 'TimeZone');

/** The school changed its import settings (R-IMP-2). */
export const ImportSettingsChanged = defineEvent('ImportSettingsChanged', t.type({ settings: ImportSettings }), [
  // v1 -> v2: settings gained the mass-change threshold.
  (d) => ({ ...(d as Record<string, unknown>), settings: upcastSettings((d as Record<string, unknown>)['settings']) }),
]);
/** A data-issues filter was saved under a name (R-DSH-3). */
export const DataIssueFilterSaved = defineEvent('DataIssueFilterSaved', t.type({ name: t.string, filter: DataIssueFilter }));
/** A saved data-issues filter was removed. */
export const DataIssueFilterRemoved = defineEvent('DataIssueFilterRemoved', t.type({ name: t.string }));

/** Where the scheduled sync reads the MIS export and at what time of day, `HH:MM` in the school's zone (null: no scheduled sync). */
export const SyncSchedule = t.type({ exportPath: t.union([t.string, t.null]), at: t.union([t.string, t.null]) });
/** The scheduled sync's settings. */
export type SyncSchedule = t.TypeOf<typeof SyncSchedule>;
/** The school changed where and when its scheduled sync runs (R-OPS-1). */
export const SyncScheduleChanged = defineEvent('SyncScheduleChanged', t.type({ schedule: SyncSchedule }));
/** The school set its time zone: its days (dashboard, retention, date filters) and printed times follow it. */
export const TimeZoneChanged = defineEvent('TimeZoneChanged', t.type({ timeZone: TimeZoneCodec }));

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
export const schoolEvents = [ImportSettingsChanged, DataIssueFilterSaved, DataIssueFilterRemoved, SyncScheduleChanged, TimeZoneChanged, MessageRetentionChanged, SubjectAccessReported] as const;
/** An event of a school's stream. */
export type SchoolEvent = EventOf<(typeof schoolEvents)[number]>;
