/** Import settings (R-IMP-2) and saved data-issue filters (R-DSH-3): the school stream's data. */
import * as t from 'io-ts';
import { LocalDateCodec } from './events/common.js';

/** Whether a class of contacts imports, and whether those imported are flagged prime. */
export const ContactRule = t.type({ import: t.boolean, prime: t.boolean });
/** Whether a class of contacts imports, and as prime or not. */
export type ContactRule = t.TypeOf<typeof ContactRule>;

/** A percentage from 0 to 100. */
export const Percent = t.refinement(t.number, (n) => Number.isFinite(n) && n >= 0 && n <= 100, 'a percentage from 0 to 100');
/** A percentage from 0 to 100. */
export type Percent = t.TypeOf<typeof Percent>;

/** The mass-change threshold unless the settings say otherwise: an import that would mark more than 10% of members leavers is refused. */
export const DEFAULT_MASS_CHANGE_THRESHOLD = 10;

/** What an import brings across (R-IMP-2). */
export const ImportSettings = t.type({
  /** Import pre-admissions (applicants) at all (R-IMP-5). */
  preAdmissions: t.boolean,
  /** All groups, or active groups only (R-GRP-3). */
  groups: t.keyof({ all: null, active: null }),
  /** Import email addresses. */
  email: t.boolean,
  /** Import mobile numbers. */
  mobile: t.boolean,
  /** Which contacts come across: priority 1, other priorities, anyone with parental responsibility. */
  contacts: t.type({ priorityOne: ContactRule, otherPriorities: ContactRule, parentalResponsibility: ContactRule }),
  /** Send one confirmation to each new or changed address or number (R-CON-10); never on a first import. */
  notifyNewOrChangedDetails: t.boolean,
  /** MIS ids of students whose parents refused any sharing: left out entirely. */
  exceptions: t.array(t.string),
  /**
   * The mass-change guard: an import that would mark more than this percentage of the members on roll
   * leavers (and more than 5), or unlink more than this percentage of the linked contacts, is refused
   * unless a named person allows it.
   */
  massChangeThreshold: Percent,
});
/** What an import brings across (R-IMP-2). */
export type ImportSettings = t.TypeOf<typeof ImportSettings>;

/** The defaults stated in R-IMP-2: priority-1 contacts, all flagged prime; no pre-admissions; no notifications. */
export const defaultImportSettings: ImportSettings = {
  preAdmissions: false,
  groups: 'all',
  email: true,
  mobile: true,
  contacts: {
    priorityOne: { import: true, prime: true },
    otherPriorities: { import: false, prime: false },
    parentalResponsibility: { import: false, prime: false },
  },
  notifyNewOrChangedDetails: false,
  exceptions: [],
  massChangeThreshold: DEFAULT_MASS_CHANGE_THRESHOLD,
};

/** Settings as stored before the mass-change threshold existed, brought up to date (an upcaster's step). */
export const upcastSettings = (settings: unknown): unknown =>
  typeof settings === 'object' && settings !== null && !('massChangeThreshold' in settings)
    ? { ...(settings as Record<string, unknown>), massChangeThreshold: DEFAULT_MASS_CHANGE_THRESHOLD }
    : settings;

/** The data-issue types of DOMAIN.md (R-DSH-3). */
export const DataIssueType = t.keyof({
  'permanent-bounce': null,
  spam: null,
  'text-delivery-failure': null,
  'invalid-email': null,
  'invalid-mobile': null,
  permissions: null,
  'local-override-overwritten': null,
  'stale-pre-admission': null,
  'no-prime-parent': null,
  'no-usable-method': null,
  'possible-duplicate-contact': null,
  'excluded-by-settings': null,
});
/** A data-issue type. */
export type DataIssueType = t.TypeOf<typeof DataIssueType>;

/** A data-issues filter, which can be saved under a name (R-DSH-3). */
export const DataIssueFilter = t.partial({
  type: DataIssueType,
  memberId: t.string,
  contactId: t.string,
  from: LocalDateCodec,
  to: LocalDateCodec,
});
/** A data-issues filter. */
export type DataIssueFilter = t.TypeOf<typeof DataIssueFilter>;
