/** A school's stream: import settings (R-IMP-2) and saved data-issue filters (R-DSH-3). */
import * as E from 'fp-ts/lib/Either.js';
import type { Decider } from '../decider.js';
import { deepEqual } from '../equal.js';
import { domainError, type DomainError } from '../errors.js';
import type { Recorded } from '../events/catalogue.js';
import type { SchoolEvent, SyncSchedule } from '../events/school.js';
import { defaultImportSettings, type DataIssueFilter, type ImportSettings } from '../settings.js';
import { DEFAULT_TIME_ZONE, isTimeZone, type TimeZone } from '../zone.js';

/** Days a message's content is kept unless the school says otherwise (a school year and a term, about). */
export const DEFAULT_MESSAGE_RETENTION_DAYS = 365;

/** A school's settings, saved filters, time zone and message retention. */
export interface SchoolState {
  readonly settings: ImportSettings;
  readonly filters: Readonly<Record<string, DataIssueFilter>>;
  /** Days a message's content is kept before it is erased (absent in snapshots made before it existed). */
  readonly messageRetentionDays?: number;
  /** The scheduled sync (absent until first set, and in snapshots made before it existed). */
  readonly sync?: SyncSchedule;
  /** The zone its days and printed times follow (Europe/London until the school sets another). */
  readonly timeZone: TimeZone;
}

/** No scheduled sync: what a school has until it sets one. */
export const noSyncSchedule: SyncSchedule = { exportPath: null, at: null };

/** A time of day as the schedule takes it: `HH:MM`, 24-hour. */
export const isTimeOfDay = (s: string): boolean => /^([01]\d|2[0-3]):[0-5]\d$/.test(s);

/** The school's message retention in days (the default when it never set one). */
export const messageRetentionDaysOf = (state: SchoolState): number => state.messageRetentionDays ?? DEFAULT_MESSAGE_RETENTION_DAYS;

/** The school commands. */
export type SchoolCommand =
  | { readonly type: 'ChangeImportSettings'; readonly settings: ImportSettings }
  | { readonly type: 'SaveDataIssueFilter'; readonly name: string; readonly filter: DataIssueFilter }
  | { readonly type: 'RemoveDataIssueFilter'; readonly name: string }
  | { readonly type: 'ChangeSyncSchedule'; readonly schedule: SyncSchedule }
  | { readonly type: 'SetTimeZone'; readonly timeZone: TimeZone }
  | { readonly type: 'SetMessageRetention'; readonly days: number }
  | { readonly type: 'ReportSubjectAccess'; readonly subject: 'member' | 'contact'; readonly id: string };

/** Folds one event into a school's state. */
export const evolveSchool = (state: SchoolState, event: Recorded<SchoolEvent>): SchoolState => {
  switch (event.type) {
    case 'ImportSettingsChanged':
      return { ...state, settings: event.data.settings };
    case 'DataIssueFilterSaved':
      return { ...state, filters: { ...state.filters, [event.data.name]: event.data.filter } };
    case 'DataIssueFilterRemoved': {
      const filters = { ...state.filters };
      delete filters[event.data.name];
      return { ...state, filters };
    }
    case 'SyncScheduleChanged':
      return { ...state, sync: event.data.schedule };
    case 'TimeZoneChanged':
      return { ...state, timeZone: event.data.timeZone };
    case 'MessageRetentionChanged':
      return { ...state, messageRetentionDays: event.data.days };
    case 'SubjectAccessReported':
      return state;
  }
};

/** Decides what a school command records. */
export const decideSchool = (cmd: SchoolCommand, state: SchoolState): E.Either<DomainError, ReadonlyArray<SchoolEvent>> => {
  switch (cmd.type) {
    case 'ChangeImportSettings':
      return E.right(deepEqual(state.settings, cmd.settings) ? [] : [{ type: 'ImportSettingsChanged', data: { settings: cmd.settings } }]);
    case 'SaveDataIssueFilter':
      if (cmd.name.trim() === '') return E.left(domainError('invalid-command', 'A saved filter needs a name.'));
      return E.right(deepEqual(state.filters[cmd.name], cmd.filter) ? [] : [{ type: 'DataIssueFilterSaved', data: { name: cmd.name, filter: cmd.filter } }]);
    case 'RemoveDataIssueFilter':
      return E.right(state.filters[cmd.name] === undefined ? [] : [{ type: 'DataIssueFilterRemoved', data: { name: cmd.name } }]);
    case 'ChangeSyncSchedule': {
      const exportPath = cmd.schedule.exportPath === null || cmd.schedule.exportPath.trim() === '' ? null : cmd.schedule.exportPath.trim();
      const at = cmd.schedule.at === null || cmd.schedule.at.trim() === '' ? null : cmd.schedule.at.trim();
      if (at !== null && !isTimeOfDay(at)) return E.left(domainError('invalid-command', 'The sync time must be a time of day as HH:MM, e.g. 02:00.'));
      const now = state.sync ?? noSyncSchedule;
      return E.right(now.exportPath === exportPath && now.at === at ? [] : [{ type: 'SyncScheduleChanged', data: { schedule: { exportPath, at } } }]);
    }
    case 'SetTimeZone':
      if (!isTimeZone(cmd.timeZone)) return E.left(domainError('invalid-command', `"${cmd.timeZone}" is not a time zone; give an IANA name such as Europe/London.`));
      return E.right(state.timeZone === cmd.timeZone ? [] : [{ type: 'TimeZoneChanged', data: { timeZone: cmd.timeZone } }]);
    case 'SetMessageRetention':
      if (!Number.isInteger(cmd.days) || cmd.days < 1) return E.left(domainError('invalid-command', 'Message retention is a whole number of days, at least 1.'));
      return E.right(messageRetentionDaysOf(state) === cmd.days && state.messageRetentionDays !== undefined ? [] : [{ type: 'MessageRetentionChanged', data: { days: cmd.days } }]);
    case 'ReportSubjectAccess':
      // Every report is a fact of its own: each request is answered and recorded.
      return E.right([{ type: 'SubjectAccessReported', data: { subject: cmd.subject, id: cmd.id } }]);
  }
};

/** The school decider; a school with no events has the default settings. */
export const schoolDecider: Decider<SchoolCommand, SchoolEvent, SchoolState> = {
  decide: decideSchool,
  evolve: evolveSchool,
  initialState: { settings: defaultImportSettings, filters: {}, timeZone: DEFAULT_TIME_ZONE },
};
