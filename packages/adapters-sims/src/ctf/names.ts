/**
 * Element names of the DfE Common Transfer File (CTF) we read and write, and the
 * extension we add for data a CTF does not carry.
 *
 * Standard CTF (as published by the DfE and written by SIMS and other MIS):
 *   CTfile > Header > DocumentName, CTFversion, DateTime, DocumentQualifier, SupplierID,
 *            SourceSchool > LEA, Estab, SchoolName, AcademicYear; DestSchool > LEA, Estab
 *   CTfile > CTFpupilData > Pupil > UPN, ApplicationReference, Surname, Forename,
 *            Contacts > Contact > Order, Title, Surname, Forename, Relationship, Responsibility,
 *                                 Phones > Phone > TelephoneType, PhoneNo; Email
 *
 * Extension, in its own namespace (EXTENSION_NS, prefix `cx` when we write), for what
 * CTF does not carry. A strict CTF schema validator rejects these; a CTF without them
 * still parses, with the defaults documented in parse.ts.
 *   Header:  cx:Region (GB|US|IE), cx:Areas > cx:Area*, cx:PermissionFailures > cx:Area*
 *   Pupil:   cx:PersonId (the MIS's own id), cx:RollStatus (OnRoll|Leaver|Applicant),
 *            cx:AdmissionDate, cx:LeavingDate, cx:ApplicationStatus[@standard] (custom name,
 *            linked standard status), cx:ParentsRefusedSharing (true|false)
 *   Contact: cx:ContactId (the MIS's own id, shared by siblings), cx:Emails > cx:Email[@location]
 *   CTfile:  cx:StaffData > cx:Staff (as Pupil, with cx:StaffCode for UPN),
 *            cx:Groups > cx:Group[@id, @kind, @active] > cx:Name, cx:Member* (person ids)
 */

/** The namespace of contactable's CTF extension. */
export const EXTENSION_NS = 'urn:contactable:ctf-extension:1';

/** The prefix we write the extension with. */
export const EXTENSION_PREFIX = 'cx';

/** CBDS telephone type codes and the locations they mean. */
export const TELEPHONE_TYPES: Readonly<Record<string, string>> = { H: 'Home', W: 'Work', M: 'Mobile', F: 'Fax' };

/** The telephone type code of a location (the location itself when CBDS has no code for it). */
export const telephoneTypeOf = (location: string): string =>
  Object.entries(TELEPHONE_TYPES).find(([, l]) => l.toLowerCase() === location.trim().toLowerCase())?.[0] ?? location;

/** CBDS contact relationship codes and the words they stand for; other values pass through as written. */
export const RELATIONSHIPS: Readonly<Record<string, string>> = {
  PAM: 'Mother',
  PAF: 'Father',
  STM: 'Step-mother',
  STF: 'Step-father',
  FOM: 'Foster mother',
  FOF: 'Foster father',
  GRM: 'Grandmother',
  GRF: 'Grandfather',
  PAR: 'Parent',
  CAR: 'Carer',
  FAM: 'Other family member',
  FOS: 'Foster parent',
  REL: 'Other relative',
  STP: 'Step-parent',
  SWR: 'Social worker',
  CHM: 'Childminder',
  DOC: 'Doctor',
  OTH: 'Other contact',
};

/** The CBDS code a plain CTF writes for a relationship word (the word itself when there is none). */
export const relationshipCodeOf = (relationship: string): string =>
  Object.entries(RELATIONSHIPS).find(([, word]) => word.toLowerCase() === relationship.trim().toLowerCase())?.[0] ?? (relationship.trim().toLowerCase() === 'grandparent' ? 'REL' : relationship);

/** Roll status words of the extension. */
export const ROLL_STATUS = { onRoll: 'OnRoll', leaver: 'Leaver', applicant: 'Applicant' } as const;
