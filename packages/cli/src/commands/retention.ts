/** Leavers, their deliberate deletion (R-DEL-1) and anonymisation 14 days later (R-DEL-2, R-DEL-3). */
import * as E from 'fp-ts/lib/Either.js';
import {
  deleteLeaver,
  handleCommand,
  messageRetentionDaysOf,
  runRetention,
  schoolDecider,
  schoolStream,
  type LeaverDeleted,
  type MessageRetentionCandidate,
  type StoredEvent,
} from '@contactable/core';
import { catchUp, createProjection, leavers as leaversView, membersOfContact, type Projection } from '@contactable/projections';
import { checkErasureSettings, storeAdmin } from '@contactable/adapters-store';
import { str, type Command } from '../command.js';
import { fullName, handled, person, reasonCodeFrom, resolveMember, todayFrom, type CliContext } from '../context.js';
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
    const v = leaversView(await ctx.projection(), today);
    const json = {
      awaitingDeletion: v.awaitingDeletion.map((l) => ({ memberId: l.memberId, name: fullName(l.name), kind: l.kind, leftOn: l.leftOn, deletionQueued: l.deletionQueued })),
      awaitingAnonymisation: v.awaitingAnonymisation.map((a) => ({ subject: a.subject, id: a.id, deletedAt: a.deletedAt, dueOn: a.dueOn, due: a.due })),
    };
    ctx.out.result(json, () => {
      ctx.out.line(`Leavers awaiting deletion: ${json.awaitingDeletion.length}`);
      if (json.awaitingDeletion.length > 0) ctx.out.line(table(['member', 'name', 'kind', 'left on', 'queued'], json.awaitingDeletion.map((l) => [l.memberId, l.name, l.kind, l.leftOn, l.deletionQueued ? 'yes' : 'no'])));
      ctx.out.line(`\nDeleted, awaiting anonymisation: ${json.awaitingAnonymisation.length}`);
      if (json.awaitingAnonymisation.length > 0) ctx.out.line(table(['who', 'id', 'deleted', 'due on', 'due'], json.awaitingAnonymisation.map((a) => [a.subject, a.id, a.deletedAt.slice(0, 10), a.dueOn, a.due ? 'yes' : 'no'])));
    });
  },
};

/** `delete-leavers MEMBER... --by NAME` */
export const deleteLeavers: Command = {
  name: 'delete-leavers',
  summary: 'Delete chosen leavers: removes them and their links, and contacts left with no member',
  usage: 'contactable delete-leavers MEMBER... --by NAME [--reason-code CODE] [--reason TEXT]',
  options: { by: { type: 'string' }, reason: { type: 'string' }, 'reason-code': { type: 'string' } },
  needsStore: true,
  run: async (ctx, args) => {
    if (args.positionals.length === 0) throw usageError('name the leavers to delete (ids or MIS references; see: contactable leavers)', deleteLeavers.usage);
    const actor = person(str(args, 'by'), 'Deleting leavers');
    const reasonCode = reasonCodeFrom(str(args, 'reason-code'), 'deleting-leavers');
    const views = await ctx.views();
    const memberIds: string[] = [];
    for (const ref of args.positionals) memberIds.push(await resolveMember(views, ref));
    const p = await ctx.projection();
    const deps = await ctx.deps();
    const done: LeaverDeleted[] = [];
    for (const memberId of memberIds) {
      const r = await deleteLeaver(deps, memberId, { schoolId: ctx.schoolId, actor, reason: str(args, 'reason') ?? null, reasonCode }, async (contactId) => {
        await catchUp(deps.store, p);
        return membersOfContact(p, contactId);
      });
      if (E.isLeft(r)) throw new CliError(`${r.left.message}${done.length > 0 ? ` (${done.length} leaver(s) before it were deleted)` : ''}`);
      done.push(r.right);
    }
    const json = { deleted: done.map((d) => ({ memberId: d.memberId, unlinked: d.unlinked, contactsRemoved: d.contactsRemoved })) };
    ctx.out.result(json, () => {
      for (const d of done) ctx.out.line(`deleted ${d.memberId}: ${d.unlinked.length} link(s) removed, ${d.contactsRemoved.length} contact(s) removed from the school`);
      ctx.out.line('Personal data is anonymised 14 days after deletion: run `contactable retention` daily.');
    });
  },
};

/** The messages whose content is still held, and the contacts already anonymised, read with the views. */
const retentionState = async (ctx: CliContext): Promise<{ readonly p: Projection; readonly messages: MessageRetentionCandidate[]; readonly anonymised: Set<string> }> => {
  const requested = new Map<string, { requestedAt: string; retentionDays: number | null; recipients: ReadonlyArray<string> }>();
  const erased = new Set<string>();
  const p = createProjection({ schoolId: ctx.schoolId });
  await catchUp(await ctx.store(), p, {
    onApplied: (e: StoredEvent) => {
      if (e.metadata.schoolId !== ctx.schoolId) return;
      if (e.type === 'MessageRequested') requested.set(e.data.messageId, { requestedAt: e.metadata.occurredAt, retentionDays: e.data.retentionDays ?? null, recipients: [] });
      else if (e.type === 'RecipientsResolved') {
        const m = requested.get(e.data.messageId);
        if (m !== undefined) m.recipients = e.data.recipients;
      } else if (e.type === 'MessageContentErased') erased.add(e.data.messageId);
    },
  });
  const messages = [...requested].filter(([id]) => !erased.has(id)).map(([messageId, m]) => ({ messageId, ...m }));
  const anonymised = new Set([...p.contacts].filter(([, c]) => c.view?.status === 'anonymised').map(([id]) => id));
  return { p, messages, anonymised };
};

/** `retention [--today D]` */
export const retention: Command = {
  name: 'retention',
  summary: 'Anonymise people deleted 14+ days ago, erase message content past its retention, destroy their keys and re-wrap the rest',
  usage: 'contactable retention [--today YYYY-MM-DD]',
  options: { today: { type: 'string' } },
  needsStore: true,
  run: async (ctx, args) => {
    const today = todayFrom(str(args, 'today'), ctx.clock);
    const { p, messages, anonymised } = await retentionState(ctx);
    const v = leaversView(p, today);
    const store = await ctx.store();
    // Contacts joined into another are the same person: erased with the one they were joined into.
    const mergedInto = new Map<string, string[]>();
    for (const [id, c] of p.contacts) {
      if (c.view?.status !== 'merged' || c.view.mergedInto === null) continue;
      let into = c.view.mergedInto;
      for (let hops = 0; hops < 64; hops++) {
        const next = p.contacts.get(into)?.view;
        if (next?.status !== 'merged' || next.mergedInto === null) break;
        into = next.mergedInto;
      }
      mergedInto.set(into, [...(mergedInto.get(into) ?? []), id]);
    }
    const report = await runRetention(
      await ctx.deps(),
      v.awaitingAnonymisation.map((a) => ({ subject: a.subject, id: a.id, deletedAt: a.deletedAt, ...(a.subject === 'contact' && mergedInto.has(a.id) ? { mergedContacts: mergedInto.get(a.id)! } : {}) })),
      today,
      { schoolId: ctx.schoolId, actor: { kind: 'system', name: 'retention' }, reasonCode: 'retention' },
      { candidates: messages, schoolDays: messageRetentionDaysOf(p.school), anonymisedContacts: anonymised },
    );
    const compaction = storeAdmin(store)?.lastCompaction ?? null;
    const check = await checkErasureSettings(store);
    const json = {
      today,
      anonymised: report.anonymised.map((a) => ({ subject: a.subject, id: a.id })),
      notYetDue: report.notYetDue,
      messagesErased: report.messagesErased,
      keys: compaction === null ? null : compaction.rewrap,
      warnings: check.findings.filter((f) => f.level === 'warning'),
      backups: check.backups,
      errors: report.errors,
    };
    ctx.out.result(json, () => {
      ctx.out.line(`anonymised ${json.anonymised.length}; ${json.notYetDue} deleted but not yet due; message content erased: ${json.messagesErased.length}`);
      const k = json.keys;
      if (k !== null) {
        ctx.out.line(
          k.rewrapped
            ? `keys: ${k.keys} re-wrapped under a new key-encryption key (${k.kekId}); ${k.retired} old one(s) destroyed, so copies of erased keys in backups, replicas or old WAL are useless`
            : `keys: NOT re-wrapped: ${k.note}`,
        );
        if (k.rewrapped && k.note !== null) ctx.out.line(`  ${k.note}`);
      }
      if (json.warnings.length > 0) {
        ctx.out.line('\nwhat keeps old bytes after an erasure:');
        for (const w of json.warnings) ctx.out.line(`  - ${w.subject}${w.value === null ? '' : ` (${w.value})`}: ${w.advice}`);
      }
      if (json.anonymised.length > 0 || json.messagesErased.length > 0) {
        ctx.out.line('\nbackups:');
        for (const b of json.backups) ctx.out.line(`  - ${b}`);
      }
      for (const e of json.errors) ctx.out.line(`error: ${e}`);
    });
    if (report.errors.length > 0) throw new CliError(`${report.errors.length} could not be anonymised; run retention again.`);
  },
};

/** `message-retention [DAYS] --by NAME` */
export const messageRetention: Command = {
  name: 'message-retention',
  summary: "How many days a message's subject and body are kept before retention erases them (the school's default)",
  usage: 'contactable message-retention [DAYS --by NAME]   (no DAYS: show it; a message sent with --keep-days keeps its own)',
  options: { by: { type: 'string' } },
  needsStore: true,
  run: async (ctx, args) => {
    const raw = args.positionals[0];
    if (raw === undefined) {
      const days = messageRetentionDaysOf((await ctx.projection()).school);
      ctx.out.result({ days }, () => ctx.out.line(`message content is kept ${days} days, then erased by retention`));
      return;
    }
    const days = Number(raw);
    if (!Number.isInteger(days) || days < 1) throw usageError('DAYS is a whole number of days, at least 1', messageRetention.usage);
    const actor = person(str(args, 'by'), 'Changing the message retention');
    const r = handled(await handleCommand(await ctx.deps(), schoolDecider, schoolStream(ctx.schoolId), { type: 'SetMessageRetention', days }, { schoolId: ctx.schoolId, actor, reasonCode: 'message-retention' }));
    ctx.out.result({ days, changed: r.appended.length > 0 }, () => ctx.out.line(r.appended.length > 0 ? `message content is now kept ${days} days` : `message content was already kept ${days} days`));
  },
};
