/**
 * The MIS snapshot: what one export from an MIS (CTF XML, SIMS CSV reports,
 * OneRoster) says the school holds, in one shape. Parsers fill it; they decide
 * nothing about settings. Values are kept as the MIS holds them (raw emails,
 * raw phone numbers with their locations); the planner normalises them.
 */
import * as t from 'io-ts';
import { LocalDateCodec, PersonName } from '../events/common.js';
import { DataArea } from '../events/importRun.js';
import { Personal } from '../personal.js';

/** The standard application statuses of an MIS (R-IMP-5); a custom status links to one of them. */
export const StandardApplicationStatus = t.keyof({
  applied: null,
  offered: null,
  accepted: null,
  admitted: null,
  reserved: null,
  rejected: null,
  withdrawn: null,
});
/** A standard application status. */
export type StandardApplicationStatus = t.TypeOf<typeof StandardApplicationStatus>;

/** An application's status as the school names it, and the standard status it is linked to. */
export const MisApplication = t.type({ status: t.string, standardStatus: StandardApplicationStatus });
/** An application's status. */
export type MisApplication = t.TypeOf<typeof MisApplication>;

/**
 * Roll status: on roll (with the admission date, which may be in the future for a pupil
 * entered directly), a leaver, or an applicant (pre-admission) with the intake's admission date.
 */
export const MisRoll = t.union([
  t.type({ status: t.literal('on-roll'), admissionDate: t.union([LocalDateCodec, t.null]) }),
  t.type({ status: t.literal('leaver'), leftOn: t.union([LocalDateCodec, t.null]) }),
  t.type({ status: t.literal('applicant'), application: MisApplication, intakeAdmissionDate: LocalDateCodec }),
]);
/** Roll status. */
export type MisRoll = t.TypeOf<typeof MisRoll>;

/** A student or member of staff as the MIS holds them. */
export const MisMember = t.type({
  externalId: t.string,
  kind: t.keyof({ student: null, staff: null }),
  name: PersonName,
  /** The UPN of a student, the staff code of staff. */
  misReference: t.union([Personal, t.null]),
  roll: MisRoll,
  /** The format says the parents refused any sharing (R-IMP-2 exceptions). */
  parentsRefusedSharing: t.boolean,
});
/** A student or member of staff. */
export type MisMember = t.TypeOf<typeof MisMember>;

/** An email address or phone number with its MIS location (Home, Work, Mobile, Other...). */
export const LocatedDetail = t.type({ value: Personal, location: t.string });
/** An email address or phone number with its location. */
export type LocatedDetail = t.TypeOf<typeof LocatedDetail>;

/** A contact (parent, carer, a member of staff's own record) with every email and phone the MIS holds. */
export const MisContact = t.intersection([
  t.type({
    externalId: t.string,
    name: PersonName,
    emails: t.array(LocatedDetail),
    phones: t.array(LocatedDetail),
  }),
  // True when the parser made the id from where the record stood (a plain CTF's contacts have no id):
  // such an id says nothing about who the person is, so identity matching decides (see identity.ts).
  t.partial({ positional: t.boolean }),
]);
/** A contact. */
export type MisContact = t.TypeOf<typeof MisContact>;

/** Member -> contact as the MIS holds it (prime is decided by the settings, not the MIS). */
export const MisLink = t.type({
  memberExternalId: t.string,
  contactExternalId: t.string,
  relationship: t.string,
  priority: t.number,
  parentalResponsibility: t.boolean,
});
/** Member -> contact. */
export type MisLink = t.TypeOf<typeof MisLink>;

/** A class, year group, teaching group (or another kind) with its members' external ids. */
export const MisGroup = t.type({
  externalId: t.string,
  name: t.string,
  kind: t.string,
  active: t.boolean,
  memberExternalIds: t.array(t.string),
});
/** A group. */
export type MisGroup = t.TypeOf<typeof MisGroup>;

/** Regions a phone number without a country code is read in. */
export const PhoneRegion = t.keyof({ GB: null, US: null, IE: null });
/** A phone region. */
export type PhoneRegion = t.TypeOf<typeof PhoneRegion>;

/** Which MIS and school the export came from. */
export const MisSource = t.type({
  /** The system ids are scoped by (e.g. `sims`, `oneroster`). */
  system: t.string,
  /** The school's own reference in the export (LA + establishment number, an org id), if any. */
  schoolRef: t.union([t.string, t.null]),
  schoolName: t.union([t.string, t.null]),
  region: PhoneRegion,
});
/** Which MIS and school the export came from. */
export type MisSource = t.TypeOf<typeof MisSource>;

/**
 * Something the parser changed or noticed that the office should know (e.g. control characters removed):
 * it names files, rows and fields, never a value. The plan carries it into the run's warnings.
 */
export const SnapshotWarning = t.type({ code: t.string, message: t.string });
/** A parser's warning. */
export type SnapshotWarning = t.TypeOf<typeof SnapshotWarning>;

const MisSnapshotRequired = t.type({
  source: MisSource,
  /** The data areas this export covers; an area not covered is neither imported nor used to find leavers. */
  areas: t.array(DataArea),
  /** Areas the MIS user lacked the permission to read (R-IMP-10). */
  permissionFailures: t.array(DataArea),
  members: t.array(MisMember),
  contacts: t.array(MisContact),
  links: t.array(MisLink),
  groups: t.array(MisGroup),
});

/** One export, in one shape (with the parser's warnings, when it has any). */
export const MisSnapshot = t.intersection([
  MisSnapshotRequired,
  t.partial({
    warnings: t.array(SnapshotWarning),
    /**
     * The export says it holds only some people (a CTF whose DocumentQualifier is `partial`: one pupil's
     * correction). It adds and changes what it holds and removes nothing: no leaver, no unlink, no group member dropped.
     */
    partial: t.boolean,
  }),
]);
/** One export, in one shape. */
export type MisSnapshot = t.TypeOf<typeof MisSnapshot>;

/** A snapshot with nothing in it, covering the given areas. */
export const emptySnapshot = (system: string, areas: ReadonlyArray<DataArea> = ['members', 'contacts', 'staff', 'groups']): MisSnapshot => ({
  source: { system, schoolRef: null, schoolName: null, region: 'GB' },
  areas: [...areas],
  permissionFailures: [],
  members: [],
  contacts: [],
  links: [],
  groups: [],
});
