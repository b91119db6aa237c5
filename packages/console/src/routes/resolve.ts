/** Finding the person or group a URL or a form names, through the Views port. */
import type { ContactSummary, Found, GroupSummary, MemberSummary, Views } from '@contactable/projections';

/** A member by id, MIS reference or the export's id (never by a name in a URL: names are not unique). */
export const memberByRef = async (views: Views, ref: string): Promise<MemberSummary | null> => {
  const found = (await views.findMembers(ref)).filter((f) => f.by !== 'name');
  return found.length === 1 ? found[0]!.value : null;
};

/** A contact by id. */
export const contactById = (views: Views, id: string): Promise<ContactSummary | null> => views.contact(id);

/** What a person typed into a form: exactly one match, or why not (none, or the candidates). */
export type Resolved<T> = { readonly kind: 'one'; readonly value: T } | { readonly kind: 'none' } | { readonly kind: 'many'; readonly candidates: ReadonlyArray<T> };

const one = <T>(found: ReadonlyArray<Found<T>>): Resolved<T> =>
  found.length === 0 ? { kind: 'none' } : found.length === 1 ? { kind: 'one', value: found[0]!.value } : { kind: 'many', candidates: found.map((f) => f.value) };

/** A member from typed text: id, MIS reference, export id or exact name. */
export const resolveMemberText = async (views: Views, text: string): Promise<Resolved<MemberSummary>> => one(await views.findMembers(text));

/** A contact from typed text: id, email, mobile, export id or exact name. */
export const resolveContactText = async (views: Views, text: string): Promise<Resolved<ContactSummary>> => one(await views.findContacts(text));

/** A group by id or name. */
export const groupByRef = async (views: Views, ref: string): Promise<GroupSummary | null> => {
  const found = await views.findGroups(ref);
  return found.length === 1 ? found[0]!.value : null;
};
