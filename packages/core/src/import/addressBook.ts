/**
 * Address-book uploads (a CSV of people the MIS has no home for, e.g. an external
 * governor). They become address-book contacts, which no MIS sync touches (R-IMP-8).
 * Naming people the MIS also holds (same email or mobile) mixes sources: warn (R-IMP-11).
 */
import * as E from 'fp-ts/lib/Either.js';
import { contactDecider, type ContactCommand } from '../deciders/contact.js';
import { emailDetail, mobileDetail } from '../details.js';
import type { PersonName } from '../events/common.js';
import { nameId } from '../idSource.js';
import { contactStream, type ContactId, type SchoolId } from '../ids.js';
import type { HeldState } from './held.js';
import type { PlannedCommand, PlanWarning } from './plan.js';
import type { PhoneRegion } from './snapshot.js';

/** One person of an address-book upload. */
export interface AddressBookEntry {
  /** The uploader's own reference for the person: the same reference updates the same contact. */
  readonly ref: string;
  /** The row of the file, for messages. */
  readonly row: number;
  readonly name: PersonName;
  readonly email: string | null;
  readonly mobile: string | null;
}

/** What an upload would do. */
export interface AddressBookPlan {
  readonly commands: ReadonlyArray<PlannedCommand<ContactCommand>>;
  readonly warnings: ReadonlyArray<PlanWarning>;
}

/** The contact id of an address-book entry. */
export const addressBookContactId = (schoolId: SchoolId, ref: string): ContactId => nameId(`address-book/contact/${schoolId}/${ref}`);

/** Plans an address-book upload against what the school holds. Pure. */
export const planAddressBook = (entries: ReadonlyArray<AddressBookEntry>, held: HeldState, region: PhoneRegion = 'GB'): AddressBookPlan => {
  const misDetails = new Set<string>();
  for (const { state } of held.contacts.values()) {
    if (state.status !== 'active' || state.source.kind !== 'mis') continue;
    for (const d of [state.email, state.mobile]) if (d !== null && d.valid) misDetails.add(d.value.toLowerCase());
  }
  const commands: Array<PlannedCommand<ContactCommand>> = [];
  const mixedRows: number[] = [];
  for (const entry of entries) {
    const id = addressBookContactId(held.schoolId, entry.ref);
    const email = entry.email === null || entry.email.trim() === '' ? null : emailDetail(entry.email, 'Home');
    const mobile = entry.mobile === null || entry.mobile.trim() === '' ? null : mobileDetail(entry.mobile, 'Mobile', region);
    if ([email, mobile].some((d) => d !== null && d.valid && misDetails.has(d.value.toLowerCase()))) mixedRows.push(entry.row);
    const h = held.contacts.get(id)?.state;
    const command: ContactCommand =
      h === undefined
        ? { type: 'AddContact', contactId: id, name: entry.name, email, mobile }
        : { type: 'EditContact', contactId: id, name: entry.name, email, mobile };
    const decided = contactDecider.decide(command, h ?? contactDecider.initialState);
    if (E.isRight(decided) && decided.right.length > 0) {
      commands.push({ streamId: contactStream(id), id, command, change: h === undefined ? 'add' : 'change', events: decided.right.length });
    }
  }
  const warnings: PlanWarning[] =
    mixedRows.length === 0
      ? []
      : [
          {
            code: 'mixed-sources',
            message: `${mixedRows.length} row(s) name people the MIS already holds (same email address or mobile number), rows ${mixedRows.slice(0, 10).join(', ')}${mixedRows.length > 10 ? ' and more' : ''}: update them in the MIS, not the address book (R-IMP-11).`,
          },
        ];
  return { commands, warnings };
};
