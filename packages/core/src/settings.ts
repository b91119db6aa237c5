/** Import settings (R-IMP-2) and saved data-issue filters (R-DSH-3): the school stream's data. */
import * as t from 'io-ts';
import { LocalDateCodec } from './events/common.js';

/** Whether a class of contacts imports, and whether those imported are flagged prime. */
export const ContactRule = t.type({ import: t.boolean, prime: t.boolean });
/** Whether a class of contacts imports, and as prime or not. */
export type ContactRule = t.TypeOf<typeof ContactRule>;

const isPositiveInteger = (u: unknown): u is number => typeof u === 'number' && Number.isSafeInteger(u) && u >= 1;
/** A whole number of at least 1. */
export const PositiveInteger = new t.Type<number, number, unknown>('a whole number of at least 1', isPositiveInteger, (u, c) => (isPositiveInteger(u) ? t.success(u) : t.failure(u, c)), t.identity);

/**
 * Bounds on what one import reads. An export over any of them is refused whole, before anything is
 * written, with an error naming the file, where in it, and the limit. Parsers stream, so memory stays
 * bounded by one record (`maxRecordLength`), one row (`maxTextLength`) and the snapshot itself.
 */
export const ImportLimits = t.type({
  /** Bytes in one file (a CTF, one CSV report, a zip archive, one file inside it). */
  maxFileBytes: PositiveInteger,
  /** How deep XML elements nest. */
  maxDepth: PositiveInteger,
  /** Attributes on one XML element. */
  maxAttributes: PositiveInteger,
  /** Characters in one XML text node, attribute value, tag or comment, or in one CSV row. */
  maxTextLength: PositiveInteger,
  /** Characters in one CTF record (a Pupil, a member of staff, a group, the Header). */
  maxRecordLength: PositiveInteger,
  /** Characters in a forename or surname. */
  maxNameLength: PositiveInteger,
  /** Characters in an email address (254 is the most SMTP allows). */
  maxEmailLength: PositiveInteger,
  /** Digits in a phone number (E.164 allows 15; longer ones up to this are kept as invalid, R-CON-1). */
  maxPhoneDigits: PositiveInteger,
  /** Data rows in one CSV file. */
  maxRows: PositiveInteger,
  /** Pupils (students) in one export. */
  maxPupils: PositiveInteger,
  /** Entries in a zip archive. */
  maxZipEntries: PositiveInteger,
  /** Bytes of all the files of a zip archive once unpacked. */
  maxZipBytes: PositiveInteger,
  /** How many times larger than its packed size a file in a zip may unpack (checked past 1 MiB). */
  maxZipRatio: PositiveInteger,
});
/** Bounds on what one import reads. */
export type ImportLimits = t.TypeOf<typeof ImportLimits>;

/**
 * The limits unless the settings say otherwise: far above one school's export (the largest schools in England
 * have about 4,000 pupils), and low enough that a file over any of them is refused within seconds. A trust that
 * exports many schools in one file raises `maxPupils` (and perhaps `maxRows`).
 */
export const defaultImportLimits: ImportLimits = {
  maxFileBytes: 256 * 1024 * 1024,
  maxDepth: 32,
  maxAttributes: 32,
  maxTextLength: 64 * 1024,
  maxRecordLength: 1024 * 1024,
  maxNameLength: 200,
  maxEmailLength: 254,
  maxPhoneDigits: 20,
  maxRows: 500_000,
  maxPupils: 10_000,
  maxZipEntries: 100,
  maxZipBytes: 1024 * 1024 * 1024,
  maxZipRatio: 100,
};

/** Some limits, each optional: the rest keep their defaults. */
export const ImportLimitsOverride = t.partial(ImportLimits.props);
/** Some limits. */
export type ImportLimitsOverride = t.TypeOf<typeof ImportLimitsOverride>;

/** The limits of some settings: the defaults, with what the settings give laid over them. */
export const importLimitsOf = (settings: { readonly limits?: ImportLimitsOverride }): ImportLimits => ({ ...defaultImportLimits, ...settings.limits });

/** A percentage from 0 to 100. */
export const Percent = t.refinement(t.number, (n) => Number.isFinite(n) && n >= 0 && n <= 100, 'a percentage from 0 to 100');
/** A percentage from 0 to 100. */
export type Percent = t.TypeOf<typeof Percent>;

/** The mass-change threshold unless the settings say otherwise: an import that would mark more than 10% of members leavers is refused. */
export const DEFAULT_MASS_CHANGE_THRESHOLD = 10;


const ImportSettingsRequired = t.type({
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

/**
 * What an import brings across (R-IMP-2), and the limits on what it reads. `limits` is optional
 * (settings saved before it existed decode unchanged) and holds only what the school changed.
 */
export const ImportSettings = t.intersection([ImportSettingsRequired, t.partial({ limits: ImportLimitsOverride })]);
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
  /** Something an import run warned about (control characters removed, mixed sources): ours, beyond DOMAIN.md. */
  'import-warning': null,
  /** A member held before whom the settings now leave out (an exception, pre-admissions off): never messaged, due for deletion. */
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
