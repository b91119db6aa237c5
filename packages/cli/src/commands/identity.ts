/** `contacts merge` and `contacts split`: staff decide who is one person (R-LNK-1); both show in audit and explain. */
import * as E from 'fp-ts/lib/Either.js';
import { mergeContacts, splitContact } from '@contactable/core';
import { str, type Command } from '../command.js';
import { contactLabel, memberLabel, person, resolveContact, resolveMember } from '../context.js';
import { CliError, usageError } from '../errors.js';

const USAGE =
  'contactable contacts merge KEEP OTHER --by NAME [--reason TEXT]   (OTHER is joined into KEEP: one person, one contact)\n' +
  '       contactable contacts split CONTACT --member MEMBER --by NAME [--reason TEXT]   (for MEMBER, CONTACT is another person)\n' +
  '  CONTACT: an id, email address, mobile number, export id or exact name; MEMBER: an id, MIS reference or exact name';

/** `contacts merge|split` */
export const contactsCommand: Command = {
  name: 'contacts',
  summary: 'Join two contacts that are one person, or split one that is two people for a member',
  usage: USAGE,
  options: { by: { type: 'string' }, reason: { type: 'string' }, member: { type: 'string' } },
  needsStore: true,
  run: async (ctx, args) => {
    const [verb, ...refs] = args.positionals;
    const views = await ctx.views();
    const reason = str(args, 'reason') ?? null;
    if (verb === 'merge') {
      if (refs.length !== 2) throw usageError('name the contact to keep and the contact to join into it', USAGE);
      const actor = person(str(args, 'by'), 'Merging contacts');
      const kept = await resolveContact(views, refs[0]!);
      const other = await resolveContact(views, refs[1]!);
      const [keptView, otherView] = [await views.contact(kept), await views.contact(other)];
      const r = await mergeContacts(await ctx.deps(), kept, other, await views.membersOf(other), { schoolId: ctx.schoolId, actor, reason: reason ?? 'merged by staff: one person' });
      if (E.isLeft(r)) throw new CliError(`${r.left.message} Nothing was recorded.`);
      const json = { contactId: kept, mergedContactId: other, relinkedMembers: r.right.relinked, recorded: r.right.recorded, changed: r.right.recorded.length > 0 };
      ctx.out.result(json, () => {
        if (!json.changed) return ctx.out.line('Nothing to change: they are already one contact.');
        ctx.out.line(`Merged: ${otherView === null ? other : contactLabel(otherView)} is now part of ${keptView === null ? kept : contactLabel(keptView)}.`);
        ctx.out.line(`${json.relinkedMembers.length} member link(s) moved. The stricter consent of the two stands (${json.recorded.filter((t) => t === 'OptedOut' || t === 'Blocked').length} opt-out/block carried over).`);
      });
      return;
    }
    if (verb === 'split') {
      if (refs.length !== 1) throw usageError('name the contact to split', USAGE);
      const memberRef = str(args, 'member');
      if (memberRef === undefined) throw usageError('--member names the member whose link is another person', USAGE);
      const actor = person(str(args, 'by'), 'Splitting a contact');
      const contactId = await resolveContact(views, refs[0]!);
      const memberId = await resolveMember(views, memberRef);
      const [c, m] = [await views.contact(contactId), await views.member(memberId)];
      const r = await splitContact(await ctx.deps(), contactId, memberId, { schoolId: ctx.schoolId, actor, reason: reason ?? 'split by staff: another person' });
      if (E.isLeft(r)) throw new CliError(`${r.left.message} Nothing was recorded.`);
      const json = { contactId, newContactId: r.right.contactId, memberId, recorded: r.right.recorded, changed: r.right.recorded.length > 0 };
      ctx.out.result(json, () => {
        if (!json.changed) return ctx.out.line('Nothing to change: this split was made before.');
        ctx.out.line(`Split: for ${m === null ? memberId : memberLabel(m)}, ${c === null ? contactId : `${c.name.given} ${c.name.family}`.trim()} is now a separate contact (${json.newContactId}); the next sync keeps them apart.`);
      });
      return;
    }
    throw usageError('say merge or split', USAGE);
  },
};
