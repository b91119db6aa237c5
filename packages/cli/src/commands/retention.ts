/** Leavers, their deliberate deletion (R-DEL-1) and anonymisation 14 days later (R-DEL-2, R-DEL-3). */
import * as E from 'fp-ts/lib/Either.js';
import { deleteLeaver, runRetention, type LeaverDeleted } from '@contactable/core';
import { memberKindWords, memberLabel, personName } from '@contactable/projections';
import { str, type Command } from '../command.js';
import { fullName, person, resolveMember, todayFrom } from '../context.js';
import { CliError, usageError } from '../errors.js';
import { table } from '../output.js';

/** `leavers [--today D]` */
export const leavers: Command = {
  name: 'leavers',
  summary: 'Leavers awaiting deletion, and deleted people awaiting anonymisation',
  usage: 'contactable leavers [--today YYYY-MM-DD]',
  options: { today: { type: 'string' } },
  needsStore: true,
  run: async (ctx, args) => {
    const today = todayFrom(str(args, 'today'), ctx.clock);
    const views = await ctx.views();
    const v = await views.leavers(today);
    const refs = new Map<string, string | null>();
    for (const l of v.awaitingDeletion) refs.set(l.memberId, (await views.member(l.memberId))?.misReference ?? null);
    const byName = <T extends { readonly name: { readonly given: string; readonly family: string } }>(a: T, b: T): number => `${a.name.family} ${a.name.given}`.localeCompare(`${b.name.family} ${b.name.given}`);
    const json = {
      awaitingDeletion: [...v.awaitingDeletion].sort(byName).map((l) => ({ memberId: l.memberId, name: fullName(l.name), memberName: fullName(l.name), misReference: refs.get(l.memberId) ?? null, kind: l.kind, leftOn: l.leftOn, deletionQueued: l.deletionQueued })),
      awaitingAnonymisation: [...v.awaitingAnonymisation].sort(byName).map((a) => ({ subject: a.subject, id: a.id, name: personName(a.name), deletedAt: a.deletedAt, dueOn: a.dueOn, due: a.due })),
    };
    ctx.out.result(json, () => {
      ctx.out.line(`Leavers awaiting deletion: ${json.awaitingDeletion.length}`);
      if (json.awaitingDeletion.length > 0) ctx.out.line(table(['name', 'MIS reference', 'kind', 'left on', 'deletion queued'], json.awaitingDeletion.map((l) => [l.name, l.misReference, memberKindWords(l.kind), l.leftOn, l.deletionQueued ? 'yes' : 'no'])));
      ctx.out.line(`\nDeleted, awaiting anonymisation: ${json.awaitingAnonymisation.length}`);
      if (json.awaitingAnonymisation.length > 0) ctx.out.line(table(['name', 'who', 'deleted', 'anonymised from', 'due now'], json.awaitingAnonymisation.map((a) => [a.name, a.subject === 'member' ? 'member' : 'linked person', a.deletedAt.slice(0, 10), a.dueOn, a.due ? 'yes' : 'no'])));
    });
  },
};

/** `delete-leavers MEMBER... --by NAME` */
export const deleteLeavers: Command = {
  name: 'delete-leavers',
  summary: 'Delete chosen leavers: removes them and their links, and contacts left with no member',
  usage: 'contactable delete-leavers MEMBER... --by NAME [--reason TEXT]',
  options: { by: { type: 'string' }, reason: { type: 'string' } },
  needsStore: true,
  run: async (ctx, args) => {
    if (args.positionals.length === 0) throw usageError('name the leavers to delete (ids or MIS references; see: contactable leavers)', deleteLeavers.usage);
    const actor = person(str(args, 'by'), 'Deleting leavers');
    const views = await ctx.views();
    const memberIds: string[] = [];
    for (const ref of args.positionals) memberIds.push(await resolveMember(views, ref));
    const deps = await ctx.deps();
    const done: LeaverDeleted[] = [];
    for (const memberId of memberIds) {
      const r = await deleteLeaver(deps, memberId, { schoolId: ctx.schoolId, actor, reason: str(args, 'reason') ?? 'deleting leavers' }, async (contactId) => {
        return views.membersOf(contactId);
      });
      if (E.isLeft(r)) throw new CliError(`${r.left.message}${done.length > 0 ? ` (${done.length} leaver(s) before it were deleted)` : ''}`);
      done.push(r.right);
    }
    const names = new Map<string, { name: string | null; misReference: string | null; label: string }>();
    for (const d of done) {
      const m = await views.member(d.memberId);
      names.set(d.memberId, m === null ? { name: null, misReference: null, label: 'a member no longer held' } : { name: personName(m.name), misReference: m.misReference, label: memberLabel(m) });
    }
    const json = { deleted: done.map((d) => ({ memberId: d.memberId, memberName: names.get(d.memberId)?.name ?? null, misReference: names.get(d.memberId)?.misReference ?? null, unlinked: d.unlinked, contactsRemoved: d.contactsRemoved })) };
    ctx.out.result(json, () => {
      for (const d of done) ctx.out.line(`deleted ${names.get(d.memberId)?.label}: ${d.unlinked.length} link(s) removed, ${d.contactsRemoved.length} linked person(s) removed from the school`);
      ctx.out.line('Personal data is anonymised 14 days after deletion: run `contactable retention` daily.');
    });
  },
};

/** `retention [--today D]` */
export const retention: Command = {
  name: 'retention',
  summary: 'Anonymise people deleted 14+ days ago (their keys are destroyed) and reclaim the space',
  usage: 'contactable retention [--today YYYY-MM-DD]',
  options: { today: { type: 'string' } },
  needsStore: true,
  run: async (ctx, args) => {
    const today = todayFrom(str(args, 'today'), ctx.clock);
    const v = await (await ctx.views()).leavers(today);
    const report = await runRetention(
      await ctx.deps(),
      v.awaitingAnonymisation.map((a) => ({ subject: a.subject, id: a.id, deletedAt: a.deletedAt })),
      today,
      { schoolId: ctx.schoolId, actor: { kind: 'system', name: 'retention' }, reason: 'anonymised 14 days after deletion' },
    );
    const json = { today, anonymised: report.anonymised.map((a) => ({ subject: a.subject, id: a.id })), notYetDue: report.notYetDue, errors: report.errors };
    ctx.out.result(json, () => {
      ctx.out.line(`anonymised ${json.anonymised.length}; ${json.notYetDue} deleted but not yet due`);
      for (const e of json.errors) ctx.out.line(`error: ${e}`);
    });
    if (report.errors.length > 0) throw new CliError(`${report.errors.length} could not be anonymised; run retention again.`);
  },
};
