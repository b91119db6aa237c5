/**
 * Leavers, their deliberate deletion (R-DEL-1), members excluded by the settings (their own list and
 * rule), and anonymisation 14 days after deletion (R-DEL-2, R-DEL-3). Write commands run on the wall
 * clock; a later day only with --simulated-clock, marked on every event they write.
 */
import * as E from 'fp-ts/lib/Either.js';
import { deleteLeaver, formatDate, runRetention, type LeaverDeleted } from '@contactable/core';
import { flag, str, type Command } from '../command.js';
import { fullName, person, resolveMember, timeIn, todayFrom, writeClock } from '../context.js';
import { CliError, usageError } from '../errors.js';
import { table } from '../output.js';

const EXCLUDED_WORDS = { 'pre-admissions-off': 'pre-admissions off', exception: 'in the exceptions', 'parents-refused-sharing': 'parents refused sharing' } as const;

/** `leavers [--today D]` */
export const leavers: Command = {
  name: 'leavers',
  summary: 'Leavers awaiting deletion, members excluded by the settings, and deleted people awaiting anonymisation',
  usage: 'contactable leavers [--today YYYY-MM-DD]',
  options: { today: { type: 'string' } },
  needsStore: true,
  run: async (ctx, args) => {
    const zone = await ctx.zone();
    const today = todayFrom(str(args, 'today'), ctx.clock, zone);
    const v = await (await ctx.views()).leavers(today);
    const json = {
      awaitingDeletion: v.awaitingDeletion.map((l) => ({ memberId: l.memberId, name: fullName(l.name), kind: l.kind, leftOn: l.leftOn, deletionQueued: l.deletionQueued })),
      excludedBySettings: v.excludedBySettings.map((x) => ({ memberId: x.memberId, name: fullName(x.name), kind: x.kind, because: x.because, since: x.since, deletionDue: x.deletionDue, deletionQueued: x.deletionQueued })),
      awaitingAnonymisation: v.awaitingAnonymisation.map((a) => ({ subject: a.subject, id: a.id, deletedAt: a.deletedAt, dueOn: a.dueOn, due: a.due })),
    };
    ctx.out.result(json, () => {
      ctx.out.line(`Leavers awaiting deletion: ${json.awaitingDeletion.length}`);
      if (json.awaitingDeletion.length > 0) ctx.out.line(table(['member', 'name', 'kind', 'left on', 'queued'], json.awaitingDeletion.map((l) => [l.memberId, l.name, l.kind, l.leftOn === null ? null : formatDate(l.leftOn), l.deletionQueued ? 'yes' : 'no'])));
      ctx.out.line(`\nNot imported: excluded by settings: ${json.excludedBySettings.length} (never messaged; delete them, or change the settings to bring them back)`);
      if (json.excludedBySettings.length > 0) {
        ctx.out.line(table(['member', 'name', 'kind', 'why', 'since', 'deletion'], json.excludedBySettings.map((x) => [x.memberId, x.name, x.kind, EXCLUDED_WORDS[x.because], timeIn(x.since, zone), x.deletionQueued ? 'queued' : x.deletionDue ? 'due now' : 'when you choose'])));
      }
      ctx.out.line(`\nDeleted, awaiting anonymisation: ${json.awaitingAnonymisation.length}`);
      if (json.awaitingAnonymisation.length > 0) ctx.out.line(table(['who', 'id', 'deleted', 'due on', 'due'], json.awaitingAnonymisation.map((a) => [a.subject, a.id, timeIn(a.deletedAt, zone), formatDate(a.dueOn), a.due ? 'yes' : 'no'])));
    });
  },
};

/** `delete-leavers MEMBER... --by NAME [--today D --simulated-clock]` */
export const deleteLeavers: Command = {
  name: 'delete-leavers',
  summary: 'Delete chosen leavers (or members excluded by the settings): removes them and their links, and contacts left with no member',
  usage:
    'contactable delete-leavers MEMBER... --by NAME [--reason TEXT] [--today YYYY-MM-DD --simulated-clock]\n' +
    '  --today D --simulated-clock   rehearse on a later day: every event written is marked as under a simulated clock',
  options: { by: { type: 'string' }, reason: { type: 'string' }, today: { type: 'string' }, 'simulated-clock': { type: 'boolean' } },
  needsStore: true,
  run: async (ctx, args) => {
    if (args.positionals.length === 0) throw usageError('name the leavers to delete (ids or MIS references; see: contactable leavers)', deleteLeavers.usage);
    const actor = person(str(args, 'by'), 'Deleting leavers');
    const { clock } = writeClock(ctx, str(args, 'today'), flag(args, 'simulated-clock'), await ctx.zone(), 'delete-leavers');
    const views = await ctx.views();
    const memberIds: string[] = [];
    for (const ref of args.positionals) memberIds.push(await resolveMember(views, ref));
    const deps = await ctx.deps(clock);
    const done: LeaverDeleted[] = [];
    for (const memberId of memberIds) {
      const r = await deleteLeaver(deps, memberId, { schoolId: ctx.schoolId, actor, reason: str(args, 'reason') ?? 'deleting leavers' }, async (contactId) => {
        return views.membersOf(contactId);
      });
      if (E.isLeft(r)) throw new CliError(`${r.left.message}${done.length > 0 ? ` (${done.length} leaver(s) before it were deleted)` : ''}`);
      done.push(r.right);
    }
    const json = { deleted: done.map((d) => ({ memberId: d.memberId, unlinked: d.unlinked, contactsRemoved: d.contactsRemoved })), simulatedClock: clock.simulated?.note ?? null };
    ctx.out.result(json, () => {
      if (clock.simulated !== undefined) ctx.out.line(`Simulated clock (${clock.simulated.note}): every event written says so.`);
      for (const d of done) ctx.out.line(`deleted ${d.memberId}: ${d.unlinked.length} link(s) removed, ${d.contactsRemoved.length} contact(s) removed from the school`);
      ctx.out.line('Personal data is anonymised 14 days after deletion: run `contactable retention` daily.');
    });
  },
};

/** `retention [--today D --simulated-clock]` */
export const retention: Command = {
  name: 'retention',
  summary: 'Anonymise people deleted 14+ days ago (their keys are destroyed) and reclaim the space',
  usage:
    'contactable retention [--today YYYY-MM-DD --simulated-clock]\n' +
    '  --today D --simulated-clock   rehearse on a later day: every event written is marked as under a simulated clock',
  options: { today: { type: 'string' }, 'simulated-clock': { type: 'boolean' } },
  needsStore: true,
  run: async (ctx, args) => {
    const zone = await ctx.zone();
    const { clock, today } = writeClock(ctx, str(args, 'today'), flag(args, 'simulated-clock'), zone, 'retention');
    const v = await (await ctx.views()).leavers(today);
    const report = await runRetention(
      await ctx.deps(clock),
      v.awaitingAnonymisation.map((a) => ({ subject: a.subject, id: a.id, deletedAt: a.deletedAt })),
      { schoolId: ctx.schoolId, actor: { kind: 'system', name: 'retention' }, reason: 'anonymised 14 days after deletion' },
      zone,
    );
    const json = { today: report.today, anonymised: report.anonymised.map((a) => ({ subject: a.subject, id: a.id })), notYetDue: report.notYetDue, errors: report.errors, simulatedClock: clock.simulated?.note ?? null };
    ctx.out.result(json, () => {
      if (clock.simulated !== undefined) ctx.out.line(`Simulated clock (${clock.simulated.note}): every event written says so.`);
      ctx.out.line(`anonymised ${json.anonymised.length}; ${json.notYetDue} deleted but not yet due`);
      for (const e of json.errors) ctx.out.line(`error: ${e}`);
    });
    if (report.errors.length > 0) throw new CliError(`${report.errors.length} could not be anonymised; run retention again.`);
  },
};
