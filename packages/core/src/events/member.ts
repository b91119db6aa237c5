/** Events of a member's stream (`member-<id>`). */
import * as t from 'io-ts';
import { Personal } from '../personal.js';
import { Enrolment, Link, LocalDateCodec, MemberKind, PersonName, Source } from './common.js';
import { defineEvent, type EventOf } from './define.js';

const memberId = { memberId: t.string };

/** A member first came across from the MIS. */
export const MemberImported = defineEvent(
  'MemberImported',
  t.type({ ...memberId, source: Source, kind: MemberKind, name: PersonName, misReference: t.union([Personal, t.null]), enrolment: Enrolment }),
);
/** A member was added to the address book by hand (R-GRP-1). */
export const MemberAdded = defineEvent('MemberAdded', t.type({ ...memberId, kind: MemberKind, name: PersonName }));
/** A member's name, reference or kind changed (from the MIS, or by hand for the address book). */
export const MemberDetailsChanged = defineEvent(
  'MemberDetailsChanged',
  t.intersection([t.type(memberId), t.partial({ name: PersonName, misReference: t.union([Personal, t.null]), kind: MemberKind })]),
);
/** A member's roll status changed: admitted, application status moved, back on roll. */
export const EnrolmentChanged = defineEvent('EnrolmentChanged', t.type({ ...memberId, enrolment: Enrolment }));
/** A member is no longer on roll (R-IMP-7). Nothing is deleted. */
export const MarkedLeaver = defineEvent('MarkedLeaver', t.type({ ...memberId, leftOn: t.union([LocalDateCodec, t.null]) }));
/** A contact was linked to this member. */
export const ContactLinked = defineEvent('ContactLinked', t.type({ ...memberId, contactId: t.string, link: Link }));
/** A link's relationship, priority, parental responsibility or prime flag changed. */
export const LinkChanged = defineEvent('LinkChanged', t.type({ ...memberId, contactId: t.string, link: Link }));
/** A contact is no longer linked to this member. */
export const ContactUnlinked = defineEvent('ContactUnlinked', t.type({ ...memberId, contactId: t.string }));
/** Why a member the MIS still holds is no longer imported: a setting, not a departure. */
export const ExclusionCause = t.keyof({
  /** A pre-admission, and pre-admissions are no longer imported (R-IMP-5). */
  'pre-admissions-off': null,
  /** The school listed the student in the exceptions (R-IMP-2). */
  exception: null,
  /** The MIS says the parents refused any sharing (R-IMP-2). */
  'parents-refused-sharing': null,
});
/** Why a member is no longer imported. */
export type ExclusionCause = t.TypeOf<typeof ExclusionCause>;

/**
 * The import settings no longer bring this member across (pre-admissions off, an exception added):
 * "not imported: excluded by settings". Not a leaver: withdrawn from every audience at once, and can be deleted.
 */
export const MemberExcluded = defineEvent('MemberExcluded', t.type({ ...memberId, because: ExclusionCause }));
/** The settings bring an excluded member across again. */
export const ExclusionLifted = defineEvent('ExclusionLifted', t.type(memberId));
/** A pre-admission from an intake already past is still open in the MIS (R-IMP-6). */
export const StalePreAdmissionFlagged = defineEvent(
  'StalePreAdmissionFlagged',
  t.type({ ...memberId, admissionDate: LocalDateCodec }),
);
/** A stale pre-admission was admitted, closed or moved to a future intake. */
export const StalePreAdmissionCleared = defineEvent('StalePreAdmissionCleared', t.type(memberId));
/** Deleting this leaver was chosen and queued (R-DEL-1). */
export const DeletionQueued = defineEvent('DeletionQueued', t.type(memberId));
/** The member and their links were removed (R-DEL-1); personal data is anonymised 14 days later. */
export const MemberDeleted = defineEvent('MemberDeleted', t.type(memberId));
/** The member's personal data was erased (R-DEL-2); the facts remain. */
export const MemberAnonymised = defineEvent('MemberAnonymised', t.type(memberId));

/** Every member event definition. */
export const memberEvents = [
  MemberImported,
  MemberAdded,
  MemberDetailsChanged,
  EnrolmentChanged,
  MarkedLeaver,
  ContactLinked,
  LinkChanged,
  ContactUnlinked,
  StalePreAdmissionFlagged,
  StalePreAdmissionCleared,
  MemberExcluded,
  ExclusionLifted,
  DeletionQueued,
  MemberDeleted,
  MemberAnonymised,
] as const;

/** An event of a member's stream. */
export type MemberEvent = EventOf<(typeof memberEvents)[number]>;
