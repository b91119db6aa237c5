/**
 * Codes as office staff read them: relationship codes from MIS exports, block causes, data-issue
 * types, roll status and event types, in plain words. Rule ids never appear here: they belong to
 * code comments, tests and docs.
 */
import type { BlockCause, Channel, DataIssueType, MemberKind } from '@contactable/core';
import type { RollStatus } from './memberView.js';

/** Relationship codes of SIMS and CBDS (CTF) exports; anything else is already words and passes through. */
const RELATIONSHIP_CODES: Readonly<Record<string, string>> = {
  PAR: 'Parent',
  PAM: 'Mother',
  PAF: 'Father',
  CAR: 'Carer',
  FAM: 'Other family member',
  FOS: 'Foster parent',
  FOM: 'Foster mother',
  FOF: 'Foster father',
  STP: 'Step-parent',
  STM: 'Step-mother',
  STF: 'Step-father',
  GRP: 'Grandparent',
  GRM: 'Grandmother',
  GRF: 'Grandfather',
  REL: 'Other relative',
  AUN: 'Aunt',
  UNC: 'Uncle',
  SIB: 'Sibling',
  SWR: 'Social worker',
  CHM: 'Childminder',
  DOC: 'Doctor',
  HTH: 'Head teacher',
  OTH: 'Other contact',
};

/** A relationship in words: "PAM" reads "Mother"; words from the MIS pass through; none reads "Contact". */
export const relationshipWords = (relationship: string): string => {
  const r = relationship.trim();
  if (r === '') return 'Contact';
  return RELATIONSHIP_CODES[r.toUpperCase()] ?? r;
};

/** A channel as staff say it. */
export const channelWords = (channel: Channel): string => (channel === 'email' ? 'email' : 'text');

/** Why a channel is blocked, in words. */
export const blockCauseWords = (cause: BlockCause): string => {
  switch (cause) {
    case 'permanent-bounce':
      return 'emails to this address failed three times';
    case 'spam':
      return 'they marked our email as spam';
    case 'text-delivery-failure':
      return 'texts to this number failed three times';
  }
};

/** A data-issue type as a short heading. */
export const issueTypeWords = (type: DataIssueType): string => {
  switch (type) {
    case 'permanent-bounce':
      return 'Email bouncing';
    case 'spam':
      return 'Email marked as spam';
    case 'text-delivery-failure':
      return 'Texts failing';
    case 'invalid-email':
      return 'Badly formed email address';
    case 'invalid-mobile':
      return 'Badly formed mobile number';
    case 'permissions':
      return 'MIS permission missing';
    case 'local-override-overwritten':
      return 'Local change overwritten: update the MIS';
    case 'stale-pre-admission':
      return 'Old pre-admission still open';
    case 'no-prime-parent':
      return 'No prime parent';
    case 'no-usable-method':
      return 'Prime parent cannot be reached';
    case 'possible-duplicate-contact':
      return 'Possibly the same person twice';
    case 'import-warning':
      return 'Import warning';
    case 'excluded-by-settings':
      return 'Left out by the import settings';
  }
};

/** Every data-issue type with its words, in the order a filter lists them. */
export const ISSUE_TYPES: ReadonlyArray<DataIssueType> = [
  'permanent-bounce',
  'spam',
  'text-delivery-failure',
  'invalid-email',
  'invalid-mobile',
  'no-prime-parent',
  'no-usable-method',
  'local-override-overwritten',
  'stale-pre-admission',
  'possible-duplicate-contact',
  'permissions',
  'import-warning',
  'excluded-by-settings',
];

/** A member's kind in words. */
export const memberKindWords = (kind: MemberKind): string => (kind === 'student' ? 'student' : kind === 'staff' ? 'staff' : 'external (added by hand)');

/** A roll status in words. */
export const rollStatusWords = (r: RollStatus): string => {
  switch (r.status) {
    case 'on-roll':
      return 'on roll';
    case 'pre-admission':
      return `pre-admission (${r.applicationStatus}, joins ${r.admissionDate})`;
    case 'leaver':
      return r.deletionQueued ? 'leaver (deletion queued)' : `leaver${r.leftOn === null ? '' : ` since ${r.leftOn}`}`;
    case 'excluded':
      return `not imported: excluded by settings (${r.because === 'pre-admissions-off' ? 'pre-admissions off' : r.because === 'exception' ? 'in the exceptions' : 'parents refused sharing'})${r.deletionQueued ? ', deletion queued' : ''}`;
    case 'deleted':
      return r.anonymised ? 'deleted (anonymised)' : 'deleted';
  }
};

const EVENT_WORDS: Readonly<Record<string, string>> = {
  MemberImported: 'Imported from the MIS',
  MemberAdded: 'Added by hand',
  MemberDetailsChanged: 'Details changed',
  EnrolmentChanged: 'Roll status changed',
  MarkedLeaver: 'Marked a leaver',
  ContactLinked: 'Linked person added',
  LinkChanged: 'Link changed',
  ContactUnlinked: 'Linked person removed',
  StalePreAdmissionFlagged: 'Old pre-admission flagged',
  StalePreAdmissionCleared: 'Old pre-admission closed',
  DeletionQueued: 'Deletion queued',
  MemberDeleted: 'Deleted',
  MemberAnonymised: 'Anonymised',
  ContactImported: 'Imported from the MIS',
  ContactAdded: 'Added by hand',
  ContactDetailsChanged: 'Details changed',
  LocalOverrideSet: 'Temporary change made',
  LocalOverrideOverwritten: 'Temporary change overwritten by the MIS',
  LocalOverrideCaughtUp: 'MIS caught up with the temporary change',
  OptedOut: 'Opted out',
  OptedIn: 'Opted in',
  DeliverySucceeded: 'Delivered',
  DeliveryFailed: 'Delivery failed',
  SpamComplaintReceived: 'Marked as spam',
  Blocked: 'Blocked',
  ReEnabled: 'Re-enabled',
  BlockLapsed: 'Block lifted by new details',
  MessageSent: 'Message sent',
  ContactDeleted: 'Deleted',
  ContactAnonymised: 'Anonymised',
};

/** An event type in words ("OptedOut" reads "Opted out"); a type not listed is split into words. */
export const eventWords = (type: string): string =>
  EVENT_WORDS[type] ?? type.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/^./, (c) => c.toUpperCase()).replace(/ ([A-Z])/g, (_, c: string) => ` ${c.toLowerCase()}`);

const CAUSE_CODES: ReadonlyArray<BlockCause> = ['permanent-bounce', 'text-delivery-failure', 'spam'];

/**
 * Text written for logs and developers, made fit for an office: rule ids such as "(R-IMP-11)" are
 * taken out and block-cause codes in brackets are said in words.
 */
export const officeText = (text: string): string => {
  let out = text.replace(/\s*\(R-[A-Z]{2,4}-\d+(?:\.\.\d+)?(?:,\s*R-[A-Z]{2,4}-\d+(?:\.\.\d+)?)*\)/g, '');
  for (const cause of CAUSE_CODES) out = out.split(`(${cause})`).join(`(${blockCauseWords(cause)})`);
  return out;
};

/** "Given Family" (XXXX XXXX once erased). */
export const personName = (n: { readonly given: string; readonly family: string }): string => `${n.given} ${n.family}`.trim();

/** A member as an office names them: "Ada Okafor (K801200011002)". */
export const memberLabel = (m: { readonly name: { readonly given: string; readonly family: string }; readonly misReference: string | null }): string =>
  `${personName(m.name)}${m.misReference === null ? '' : ` (${m.misReference})`}`;

/** A contact as an office names them: "Ngozi Okafor, Mother of Ada Okafor (K801200011002)". */
export const contactLabel = (c: {
  readonly name: { readonly given: string; readonly family: string };
  readonly members: ReadonlyArray<{ readonly relationship: string; readonly name: { readonly given: string; readonly family: string }; readonly misReference: string | null }>;
}): string => {
  const of = c.members.slice(0, 3).map((m) => `${relationshipWords(m.relationship)} of ${memberLabel(m)}`);
  return `${personName(c.name)}${of.length === 0 ? '' : `, ${of.join('; ')}${c.members.length > 3 ? `; and ${c.members.length - 3} more` : ''}`}`;
};

/** Who did something, as the office reads it: an import run is "the MIS import", not its run id. */
export const actorWords = (actor: string): string => (/^import \S+$/.test(actor) ? 'the MIS import' : actor);
