/**
 * `member add|edit` and `contact add|edit|link|unlink|override|prime|delete`: the hand edits the
 * documents describe (R-GRP-1, R-IMP-9): a member not in the MIS with a linked person, a temporary
 * override of an MIS contact's email or mobile, choosing the prime parent, deleting an address-book contact.
 */
import type * as t from 'io-ts';
import {
  contactDecider,
  contactStream,
  emailDetail,
  handleCommand,
  memberDecider,
  memberStream,
  mobileDetail,
  type ContactCommand,
  type Detail,
  type MemberCommand,
  type MemberKind,
  type PersonName,
} from '@contactable/core';
import { contactLabel, memberLabel, personName, relationshipWords, type Views } from '@contactable/projections';
import { uuidV7Ids } from '@contactable/adapters-store';
import { flag, str, type Args, type Command } from '../command.js';
import { handled, person, resolveContact, resolveMember, type CliContext } from '../context.js';
import { CliError, usageError } from '../errors.js';

const KINDS: ReadonlyArray<MemberKind> = ['external', 'staff', 'student'];

const MEMBER_USAGE =
  'contactable member add --name "GIVEN FAMILY" [--kind external|staff|student] --by NAME\n' +
  '       contactable member edit MEMBER [--name "GIVEN FAMILY"] [--kind K] --by NAME\n' +
  '  for members the MIS has no home for (an external governor); MIS members change in the MIS';

const CONTACT_USAGE =
  'contactable contact add --name "GIVEN FAMILY" [--email E] [--mobile M] [--member MEMBER [--relationship R] [--priority N] [--prime] [--pr]] --by NAME\n' +
  '       contactable contact edit CONTACT [--name "GIVEN FAMILY"] [--email E] [--mobile M] --by NAME    (address book)\n' +
  '       contactable contact override CONTACT [--email E] [--mobile M] --by NAME                      (an MIS contact, until the next sync)\n' +
  '       contactable contact link CONTACT --member MEMBER [--relationship R] [--priority N] [--prime] [--pr] --by NAME\n' +
  '       contactable contact unlink CONTACT --member MEMBER --by NAME\n' +
  '       contactable contact prime CONTACT --member MEMBER [--not] --by NAME\n' +
  '       contactable contact delete CONTACT --by NAME                                                  (address book)\n' +
  '  CONTACT: an email address, mobile number, id or name; MEMBER: an MIS reference, id or name; an empty --email "" removes it';

/** "Given Family" split at the last space (a one-word name is a family name). */
const nameOf = (text: string | undefined, usage: string): PersonName => {
  const s = (text ?? '').trim().replace(/\s+/g, ' ');
  if (s === '') throw usageError('--name "GIVEN FAMILY" is needed', usage);
  const at = s.lastIndexOf(' ');
  return at < 0 ? { given: '', family: s } : { given: s.slice(0, at), family: s.slice(at + 1) };
};

/** A detail from an option: undefined when not given, null when given empty (remove it); a badly formed one is refused. */
const detailOpt = (args: Args, name: 'email' | 'mobile'): Detail | null | undefined => {
  const v = str(args, name);
  if (v === undefined) return undefined;
  if (v.trim() === '') return null;
  const d = name === 'email' ? emailDetail(v, 'Home') : mobileDetail(v, 'Mobile');
  if (!d.valid) throw usageError(`--${name} "${v}" is not a well-formed ${name === 'email' ? 'email address' : 'mobile number'}`, CONTACT_USAGE);
  return d;
};

const priorityOf = (args: Args, fallback: number): t.Int => {
  const p = Number(str(args, 'priority') ?? fallback);
  if (!Number.isInteger(p) || p < 1 || p > 99) throw usageError('--priority must be a whole number from 1', CONTACT_USAGE);
  return p as t.Int;
};

const memberOf = async (views: Views, args: Args): Promise<string> => {
  const m = str(args, 'member');
  if (m === undefined) throw usageError('--member MEMBER is needed', CONTACT_USAGE);
  return resolveMember(views, m);
};

const onMember = async (ctx: CliContext, memberId: string, command: MemberCommand, actor: ReturnType<typeof person>, reason: string) =>
  handled(await handleCommand(await ctx.deps(), memberDecider, memberStream(memberId), command, { schoolId: ctx.schoolId, actor, reason }));

const onContact = async (ctx: CliContext, contactId: string, command: ContactCommand, actor: ReturnType<typeof person>, reason: string) =>
  handled(await handleCommand(await ctx.deps(), contactDecider, contactStream(contactId), command, { schoolId: ctx.schoolId, actor, reason }));

/** `member add|edit` */
export const memberCommand: Command = {
  name: 'member',
  summary: 'Add a member the MIS has no home for, or edit one added by hand',
  usage: MEMBER_USAGE,
  options: { name: { type: 'string' }, kind: { type: 'string' }, by: { type: 'string' } },
  needsStore: true,
  run: async (ctx, args) => {
    const [sub, ref] = args.positionals;
    const kindText = str(args, 'kind');
    if (kindText !== undefined && !(KINDS as ReadonlyArray<string>).includes(kindText)) throw usageError('--kind must be external, staff or student', MEMBER_USAGE);
    const kind = kindText as MemberKind | undefined;
    if (sub === 'add') {
      const actor = person(str(args, 'by'), 'Adding a member');
      const name = nameOf(str(args, 'name'), MEMBER_USAGE);
      const memberId = uuidV7Ids.next();
      await onMember(ctx, memberId, { type: 'AddMember', memberId, kind: kind ?? 'external', name }, actor, 'added by hand');
      ctx.out.result({ memberId, memberName: personName(name), misReference: null, kind: kind ?? 'external' }, () =>
        ctx.out.line(`Added ${personName(name)} (${kind ?? 'external'}, not in the MIS). Add their linked people with: contactable contact add --name "..." --member "${personName(name)}" --by "..."`),
      );
      return;
    }
    if (sub === 'edit') {
      if (ref === undefined) throw usageError('name the member to edit', MEMBER_USAGE);
      const actor = person(str(args, 'by'), 'Editing a member');
      const views = await ctx.views();
      const memberId = await resolveMember(views, ref);
      const name = str(args, 'name') === undefined ? undefined : nameOf(str(args, 'name'), MEMBER_USAGE);
      if (name === undefined && kind === undefined) throw usageError('say what to change: --name or --kind', MEMBER_USAGE);
      const r = await onMember(ctx, memberId, { type: 'EditMember', memberId, ...(name !== undefined ? { name } : {}), ...(kind !== undefined ? { kind } : {}) }, actor, 'edited by hand');
      const m = (await views.member(memberId))!;
      ctx.out.result({ memberId, memberName: personName(m.name), misReference: m.misReference, changed: r.appended.length > 0 }, () => ctx.out.line(r.appended.length > 0 ? `Saved ${memberLabel(m)}.` : `Nothing was different for ${memberLabel(m)}: nothing was recorded.`));
      return;
    }
    throw usageError('say what to do: add or edit', MEMBER_USAGE);
  },
};

/** `contact add|edit|override|link|unlink|prime|delete` */
export const contactCommand: Command = {
  name: 'contact',
  summary: 'Hand edits of linked people: add, edit, a temporary override, link, unlink, choose the prime parent, delete',
  usage: CONTACT_USAGE,
  options: {
    name: { type: 'string' },
    email: { type: 'string' },
    mobile: { type: 'string' },
    member: { type: 'string' },
    relationship: { type: 'string' },
    priority: { type: 'string' },
    prime: { type: 'boolean' },
    pr: { type: 'boolean' },
    not: { type: 'boolean' },
    by: { type: 'string' },
  },
  needsStore: true,
  run: async (ctx, args) => {
    const [sub, ...rest] = args.positionals;
    const ref = rest.join(' ');
    const views = await ctx.views();
    const contactFor = async (): Promise<string> => {
      if (ref === '') throw usageError(`name the contact to ${sub}`, CONTACT_USAGE);
      return resolveContact(views, ref);
    };
    const labelOf = async (contactId: string): Promise<string> => {
      const c = await views.contact(contactId);
      return c === null ? 'the contact' : contactLabel(c);
    };
    switch (sub) {
      case 'add': {
        const actor = person(str(args, 'by'), 'Adding a contact');
        const name = nameOf(str(args, 'name'), CONTACT_USAGE);
        const email = detailOpt(args, 'email') ?? null;
        const mobile = detailOpt(args, 'mobile') ?? null;
        const memberId = str(args, 'member') === undefined ? null : await memberOf(views, args);
        const contactId = uuidV7Ids.next();
        await onContact(ctx, contactId, { type: 'AddContact', contactId, name, email, mobile }, actor, 'added by hand');
        if (memberId !== null) {
          const have = (await views.linkedPeople(memberId))?.linkedPeople.length ?? 0;
          await onMember(ctx, memberId, { type: 'LinkContact', memberId, contactId, link: { relationship: str(args, 'relationship') ?? 'Other contact', priority: priorityOf(args, have + 1), parentalResponsibility: flag(args, 'pr'), prime: flag(args, 'prime'), source: 'address-book' } }, actor, 'added by hand');
        }
        const m = memberId === null ? null : await views.member(memberId);
        ctx.out.result({ contactId, contactName: personName(name), memberId, memberName: m === null ? null : personName(m.name), misReference: m?.misReference ?? null }, () =>
          ctx.out.line(`Added ${personName(name)} to the address book${m === null ? '' : ` as ${relationshipWords(str(args, 'relationship') ?? 'Other contact')} of ${memberLabel(m)}${flag(args, 'prime') ? ' (prime parent)' : ''}`}.`),
        );
        return;
      }
      case 'edit':
      case 'override': {
        const actor = person(str(args, 'by'), sub === 'edit' ? 'Editing a contact' : 'A temporary override');
        const contactId = await contactFor();
        const c = (await views.contact(contactId))!;
        if (sub === 'edit' && c.source === 'mis') throw new CliError(`${contactLabel(c)} comes from the MIS: change them there, or make a temporary change with: contactable contact override`);
        if (sub === 'override' && c.source !== 'mis') throw new CliError(`${contactLabel(c)} was added by hand: change them with: contactable contact edit`);
        const name = sub === 'edit' && str(args, 'name') !== undefined ? nameOf(str(args, 'name'), CONTACT_USAGE) : undefined;
        const email = detailOpt(args, 'email');
        const mobile = detailOpt(args, 'mobile');
        if (name === undefined && email === undefined && mobile === undefined) throw usageError(`say what to change: ${sub === 'edit' ? '--name, ' : ''}--email or --mobile`, CONTACT_USAGE);
        const r = await onContact(ctx, contactId, { type: 'EditContact', contactId, ...(name !== undefined ? { name } : {}), ...(email !== undefined ? { email } : {}), ...(mobile !== undefined ? { mobile } : {}) }, actor, sub === 'edit' ? 'edited by hand' : 'temporary change until the next sync');
        const changed = r.appended.length > 0;
        ctx.out.result({ contactId, contactName: personName(c.name), recorded: r.appended.map((e) => e.type), changed }, () =>
          ctx.out.line(!changed ? 'Nothing was different: nothing was recorded.' : sub === 'edit' ? `Saved ${contactLabel(c)}.` : `Changed ${contactLabel(c)} until the next MIS sync; if the MIS still holds the old value then, the sync puts it back and lists an issue: change it in the MIS too.`),
        );
        return;
      }
      case 'link': {
        const actor = person(str(args, 'by'), 'Linking a contact');
        const contactId = await contactFor();
        const memberId = await memberOf(views, args);
        const have = (await views.linkedPeople(memberId))?.linkedPeople ?? [];
        const held = have.find((l) => l.contactId === contactId);
        const link = {
          relationship: str(args, 'relationship') ?? held?.relationship ?? 'Other contact',
          priority: priorityOf(args, held?.priority ?? have.length + 1),
          parentalResponsibility: flag(args, 'pr') || (held?.parentalResponsibility ?? false),
          prime: flag(args, 'prime') || (held?.prime ?? false),
          source: held?.linkSource ?? ('address-book' as const),
        };
        const r = await onMember(ctx, memberId, { type: 'LinkContact', memberId, contactId, link }, actor, 'linked by hand');
        const m = (await views.member(memberId))!;
        const label = await labelOf(contactId);
        ctx.out.result({ contactId, memberId, memberName: personName(m.name), misReference: m.misReference, changed: r.appended.length > 0 }, () =>
          ctx.out.line(r.appended.length === 0 ? 'Already linked like that: nothing was recorded.' : `${label}: linked to ${memberLabel(m)} as ${relationshipWords(link.relationship)}.`),
        );
        return;
      }
      case 'unlink': {
        const actor = person(str(args, 'by'), 'Unlinking a contact');
        const contactId = await contactFor();
        const memberId = await memberOf(views, args);
        const label = await labelOf(contactId);
        const r = await onMember(ctx, memberId, { type: 'UnlinkContact', memberId, contactId }, actor, 'unlinked by hand');
        const m = (await views.member(memberId))!;
        ctx.out.result({ contactId, memberId, memberName: personName(m.name), misReference: m.misReference, changed: r.appended.length > 0 }, () => ctx.out.line(r.appended.length === 0 ? 'They were not linked: nothing was recorded.' : `${label}: no longer linked to ${memberLabel(m)}.`));
        return;
      }
      case 'prime': {
        const actor = person(str(args, 'by'), 'Choosing the prime parent');
        const contactId = await contactFor();
        const memberId = await memberOf(views, args);
        const view = await views.linkedPeople(memberId);
        const held = view?.linkedPeople.find((l) => l.contactId === contactId);
        if (held === undefined) throw new CliError(`${await labelOf(contactId)} is not linked to that member: link them first with: contactable contact link`);
        const prime = !flag(args, 'not');
        const r = await onMember(ctx, memberId, { type: 'LinkContact', memberId, contactId, link: { relationship: held.relationship, priority: held.priority as t.Int, parentalResponsibility: held.parentalResponsibility, prime, source: held.linkSource } }, actor, prime ? 'chosen as prime parent' : 'no longer a prime parent');
        const m = view!.member;
        ctx.out.result({ contactId, contactName: held.name === null ? null : personName(held.name), memberId, memberName: personName(m.name), misReference: m.misReference, prime, changed: r.appended.length > 0 }, () =>
          ctx.out.line(`${r.appended.length === 0 ? 'Already so: ' : ''}${held.name === null ? 'the contact' : personName(held.name)} is ${prime ? '' : 'not '}a prime parent of ${memberLabel(m)}${held.linkSource === 'mis' ? ' (the link comes from the MIS: make the same change there, or the next sync puts it back)' : ''}.`),
        );
        return;
      }
      case 'delete': {
        const actor = person(str(args, 'by'), 'Deleting a contact');
        const contactId = await contactFor();
        const c = (await views.contact(contactId))!;
        if (c.source === 'mis') throw new CliError(`${contactLabel(c)} comes from the MIS: remove them there, or delete the leavers they belong to.`);
        const r = await onContact(ctx, contactId, { type: 'DeleteContact', contactId, cause: 'by-hand' }, actor, 'deleted by hand');
        ctx.out.result({ contactId, contactName: personName(c.name), deleted: true, changed: r.appended.length > 0 }, () => ctx.out.line(`Deleted ${contactLabel(c)} from the address book; their personal data is anonymised 14 days later (contactable retention).`));
        return;
      }
      default:
        throw usageError('say what to do: add, edit, override, link, unlink, prime or delete', CONTACT_USAGE);
    }
  },
};
