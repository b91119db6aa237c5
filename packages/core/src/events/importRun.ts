/** Events of an import run's stream (`import-<runId>`). They hold counts and ids, never personal values. */
import * as t from 'io-ts';
import { ImportSettings, upcastSettings } from '../settings.js';
import { LocalDateCodec } from './common.js';
import { defineEvent, type EventOf } from './define.js';

/** The MIS data areas an import reads (R-IMP-10). */
export const DataArea = t.keyof({
  members: null,
  contacts: null,
  staff: null,
  groups: null,
  attendance: null,
  timetables: null,
  'medical-conditions': null,
  assessments: null,
  behaviour: null,
  achievements: null,
});
/** An MIS data area. */
export type DataArea = t.TypeOf<typeof DataArea>;

/** How many of each change a run made. */
export const ImportCounts = t.type({
  membersAdded: t.number,
  membersChanged: t.number,
  leavers: t.number,
  contactsAdded: t.number,
  contactsChanged: t.number,
  groupsChanged: t.number,
  confirmations: t.number,
  eventsAppended: t.number,
});
/** How many of each change a run made. */
export type ImportCounts = t.TypeOf<typeof ImportCounts>;

/**
 * An import run began with these settings, for the day the export describes (`today`; the event's own
 * time is the clock's). `partial`: the export said it holds only some people, so it marks no leaver
 * and removes nothing. `massChangeAllowedBy`: the person who let a mass change through the guard.
 */
export const ImportRunStarted = defineEvent(
  'ImportRunStarted',
  t.type({
    runId: t.string,
    format: t.string,
    sourceName: t.string,
    settings: ImportSettings,
    today: LocalDateCodec,
    firstImport: t.boolean,
    partial: t.boolean,
    massChangeAllowedBy: t.union([t.string, t.null]),
  }),
  [
    // v1 -> v2: settings gained the mass-change threshold; runs gained partial and massChangeAllowedBy.
    (d) => {
      const r = d as Record<string, unknown>;
      return { ...r, settings: upcastSettings(r['settings']), partial: false, massChangeAllowedBy: null };
    },
  ],
);
/** The MIS user lacked a permission, so one data area did not import (R-IMP-10). */
export const ImportPermissionFailed = defineEvent(
  'ImportPermissionFailed',
  t.type({ runId: t.string, area: DataArea, permissionGroup: t.string }),
);
/** Something the office should know about the run (e.g. R-IMP-11 mixed sources). */
export const ImportWarningRaised = defineEvent(
  'ImportWarningRaised',
  t.type({ runId: t.string, code: t.string, message: t.string }),
);
/** The run finished; the counts say what it changed. */
export const ImportRunFinished = defineEvent('ImportRunFinished', t.type({ runId: t.string, counts: ImportCounts }));

/** Every import-run event definition. */
export const importRunEvents = [ImportRunStarted, ImportPermissionFailed, ImportWarningRaised, ImportRunFinished] as const;
/** An event of an import run's stream. */
export type ImportRunEvent = EventOf<(typeof importRunEvents)[number]>;
