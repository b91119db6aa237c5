/** Identifiers and stream names. Every stream belongs to one school. */

/** A school (tenant); a trust runs many. */
export type SchoolId = string;
/** A member's stream id: uuid v5 of school + source + external id, or a fresh id for the address book. */
export type MemberId = string;
/** A contact's (linked person's) id. */
export type ContactId = string;
/** A group's id. */
export type GroupId = string;
/** One import run. */
export type ImportRunId = string;
/** One message send. */
export type MessageId = string;

/** The kinds of stream the core writes. */
export type StreamCategory = 'member' | 'contact' | 'group' | 'school' | 'import' | 'message' | 'staff' | 'callback';

/** The stream of one member. */
export const memberStream = (id: MemberId): string => `member-${id}`;
/** The stream of one contact. */
export const contactStream = (id: ContactId): string => `contact-${id}`;
/** The stream of one group. */
export const groupStream = (id: GroupId): string => `group-${id}`;
/** The stream of one school's settings and saved filters. */
export const schoolStream = (id: SchoolId): string => `school-${id}`;
/** The stream of one import run. */
export const importStream = (id: ImportRunId): string => `import-${id}`;
/** The stream of one message (its audience and outcome). */
export const messageStream = (id: MessageId): string => `message-${id}`;
/** The stream of one staff account (who may sign in to the console). */
export const staffStream = (id: string): string => `staff-${id}`;
/** The stream recording that one provider callback was applied (the replay guard); `key` is derived from the callback's signed id. */
export const callbackStream = (key: string): string => `callback-${key}`;

/** Splits a stream id into its category and the id inside it, or null for a stream that is not ours. */
export const parseStreamId = (
  streamId: string,
): { readonly category: StreamCategory; readonly id: string } | null => {
  const dash = streamId.indexOf('-');
  if (dash < 0) return null;
  const category = streamId.slice(0, dash);
  const id = streamId.slice(dash + 1);
  switch (category) {
    case 'member':
    case 'contact':
    case 'group':
    case 'school':
    case 'import':
    case 'message':
    case 'staff':
    case 'callback':
      return id.length > 0 ? { category, id } : null;
    default:
      return null;
  }
};

/**
 * The key subject whose key encrypts a stream's personal data (crypto-shredding):
 * a member's, contact's or staff account's own stream (removing an account forgets its key,
 * so its password hash cannot be read back); other streams hold no personal data.
 */
export const subjectOfStream = (streamId: string): string | null => {
  const parsed = parseStreamId(streamId);
  if (parsed === null) return null;
  return parsed.category === 'member' || parsed.category === 'contact' || parsed.category === 'staff' ? streamId : null;
};

/**
 * The subject whose key seals an event's personal data (its free text included): the person the
 * event concerns. That is the member, contact or staff account of their own stream; a send failure or a
 * recipient in doubt (whose provider text may quote the recipient) concerns its contact; a subject
 * access report its person. Anything else is sealed under its own stream's key (a message's content
 * under `message-<id>`, which the message retention rule destroys). Decided from the stream, type and non-personal ids alone, so a
 * reader finds the same subject from the stored event.
 */
export const sealingSubjectOf = (streamId: string, type: string, data: unknown): string => {
  const own = subjectOfStream(streamId);
  if (own !== null) return own;
  const d = (data ?? {}) as { readonly contactId?: unknown; readonly subject?: unknown; readonly id?: unknown };
  if ((type === 'MessageSendFailed' || type === 'RecipientInDoubt') && typeof d.contactId === 'string') return contactStream(d.contactId);
  if (type === 'SubjectAccessReported' && typeof d.id === 'string') return d.subject === 'member' ? memberStream(d.id) : contactStream(d.id);
  return streamId;
};
