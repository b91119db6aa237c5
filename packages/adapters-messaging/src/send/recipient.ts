/** One recipient as the sender sees it at the moment of sending: the contact's state, and whether this message already reached them. */
import * as E from 'fp-ts/lib/Either.js';
import { contactDecider, contactStream, decodeEvent, type ContactEvent, type ContactState, type EventStore, type Recorded } from '@contactable/core';

/** A MessageSent already on the contact's stream for this message. */
export interface AlreadySent {
  readonly providerMessageId: string;
  readonly address: string;
}

/** A recipient's state and earlier send. */
export interface RecipientView {
  readonly contactId: string;
  readonly state: ContactState;
  readonly sent: AlreadySent | null;
}

/** Reads one contact's stream once: folds the state and spots a MessageSent for this message (the authority on "sent"). */
export const readRecipient = async (store: EventStore, contactId: string, messageId: string): Promise<RecipientView> => {
  let state: ContactState = contactDecider.initialState;
  let sent: AlreadySent | null = null;
  for (const raw of await store.readStream(contactStream(contactId))) {
    const decoded = decodeEvent(raw);
    // Message names the stream and position only, never the data.
    if (E.isLeft(decoded)) throw new Error(decoded.left.message);
    const event = decoded.right as unknown as Recorded<ContactEvent>;
    state = contactDecider.evolve(state, event);
    if (event.type === 'MessageSent' && event.data.messageId === messageId && sent === null) {
      sent = { providerMessageId: event.data.providerMessageId, address: event.data.address };
    }
  }
  return { contactId, state, sent };
};

/**
 * The address or number a contact held on a channel just after a log position (the moment a
 * confirmation was queued), or null when none: what a confirmation sent later must still find held.
 */
export const heldAt = async (store: EventStore, contactId: string, channel: 'email' | 'sms', position: number): Promise<string | null> => {
  let state: ContactState = contactDecider.initialState;
  for (const raw of await store.readStream(contactStream(contactId))) {
    if (raw.position > position) break;
    const decoded = decodeEvent(raw);
    if (E.isLeft(decoded)) throw new Error(decoded.left.message);
    state = contactDecider.evolve(state, decoded.right as unknown as Recorded<ContactEvent>);
  }
  if (state.status !== 'active') return null;
  return (channel === 'email' ? state.email : state.mobile)?.value ?? null;
};

/** Reads many recipients, a few at a time. */
export const readRecipients = async (store: EventStore, contactIds: ReadonlyArray<string>, messageId: string, parallel = 16): Promise<RecipientView[]> => {
  const out: RecipientView[] = new Array(contactIds.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < contactIds.length) {
      const i = next++;
      out[i] = await readRecipient(store, contactIds[i]!, messageId);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, contactIds.length) }, worker));
  return out;
};
