/**
 * Leavers, their deliberate deletion (R-DEL-1), members excluded by the settings (their own list and
 * rule), and anonymisation 14 days after deletion (R-DEL-2, R-DEL-3). Write commands run on the wall
 * clock; a later day only with --simulated-clock, marked on every event they write.
 */
import * as E from 'fp-ts/lib/Either.js';
import {
  decodeEvent,
  deleteLeaver,
  formatDate,
  handleCommand,
  messageRetentionDaysOf,
  readAllEvents,
  runRetention,
  schoolDecider,
  schoolStream,
  type LeaverDeleted,
  type MessageRetentionCandidate,
} from '@contactable/core';
import { checkErasureSettings, storeAdmin } from '@contactable/adapters-store';
import { memberKindWords, memberLabel, personName } from '@contactable/projections';
import { flag, str, type Command } from '../command.js';
import { fullName, handled, person, reasonCodeFrom, resolveMember, timeIn, todayFrom, writeClock, type CliContext } from '../context.js';
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
    const views = await ctx.views();
    const v = await views.leavers(today);
    const refs = new Map<string, string | null>();
    for (const l of [...v.awaitingDeletion, ...v.excludedBySettings]) refs.set(l.memberId, (await views.member(l.memberId))?.misReference ?? null);
    const byName = <T extends { readonly name: { readonly given: string; readonly family: string } }>(a: T, b: T): number => `${a.name.family} ${a.name.given}`.localeCompare(`${b.name.family} ${b.name.given}`);
    const json = {
      awaitingDeletion: [...v.awaitingDeletion].sort(byName).map((l) => ({ memberId: l.memberId, name: fullName(l.name), memberName: fullName(l.name), misReference: refs.get(l.memberId) ?? null, kind: l.kind, leftOn: l.leftOn, deletionQueued: l.deletionQueued })),
      excludedBySettings: [...v.excludedBySettings].sort(byName).map((x) => ({ memberId: x.memberId, name: fullName(x.name), misReference: refs.get(x.memberId) ?? null, kind: x.kind, because: x.because, since: x.since, deletionDue: x.deletionDue, deletionQueued: x.deletionQueued })),
      awaitingAnonymisation: [...v.awaitingAnonymisation].sort(byName).map((a) => ({ subject: a.subject, id: a.id, name: personName(a.name), deletedAt: a.deletedAt, dueOn: a.dueOn, due: a.due })),
    };
    ctx.out.result(json, () => {
      ctx.out.line(`Leavers awaiting deletion: ${json.awaitingDeletion.length}`);
      if (json.awaitingDeletion.length > 0) ctx.out.line(table(['name', 'MIS reference', 'kind', 'left on', 'deletion queued'], json.awaitingDeletion.map((l) => [l.name, l.misReference, memberKindWords(l.kind), l.leftOn === null ? null : formatDate(l.leftOn), l.deletionQueued ? 'yes' : 'no'])));
      ctx.out.line(`\nNot imported: excluded by settings: ${json.excludedBySettings.length} (never messaged; delete them, or change the settings to bring them back)`);
      if (json.excludedBySettings.length > 0) {
        ctx.out.line(table(['name', 'MIS reference', 'kind', 'why', 'since', 'deletion'], json.excludedBySettings.map((x) => [x.name, x.misReference, memberKindWords(x.kind), EXCLUDED_WORDS[x.because], timeIn(x.since, zone), x.deletionQueued ? 'queued' : x.deletionDue ? 'due now' : 'when you choose'])));
      }
      ctx.out.line(`\nDeleted, awaiting anonymisation: ${json.awaitingAnonymisation.length}`);
      if (json.awaitingAnonymisation.length > 0) ctx.out.line(table(['name', 'who', 'deleted', 'anonymised from', 'due now'], json.awaitingAnonymisation.map((a) => [a.name, a.subject === 'member' ? 'member' : 'linked person', timeIn(a.deletedAt, zone), formatDate(a.dueOn), a.due ? 'yes' : 'no'])));
    });
  },
};

/** `delete-leavers MEMBER... --by NAME [--today D --simulated-clock]` */
export const deleteLeavers: Command = {
  name: 'delete-leavers',
  summary: 'Delete chosen leavers (or members excluded by the settings): removes them and their links, and contacts left with no member',
  usage:
    'contactable delete-leavers MEMBER... --by NAME [--reason-code CODE] [--reason TEXT] [--today YYYY-MM-DD --simulated-clock]\n' +
    '  --today D --simulated-clock   rehearse on a later day: every event written is marked as under a simulated clock',
  options: { by: { type: 'string' }, reason: { type: 'string' }, 'reason-code': { type: 'string' }, today: { type: 'string' }, 'simulated-clock': { type: 'boolean' } },
  needsStore: true,
  run: async (ctx, args) => {
    if (args.positionals.length === 0) throw usageError('name the leavers to delete (ids or MIS references; see: contactable leavers)', deleteLeavers.usage);
    const actor = person(str(args, 'by'), 'Deleting leavers');
    const reasonCode = reasonCodeFrom(str(args, 'reason-code'), 'deleting-leavers');
    const { clock } = writeClock(ctx, str(args, 'today'), flag(args, 'simulated-clock'), await ctx.zone(), 'delete-leavers');
    const views = await ctx.views();
    const memberIds: string[] = [];
    for (const ref of args.positionals) memberIds.push(await resolveMember(views, ref));
    const deps = await ctx.deps(clock);
    const done: LeaverDeleted[] = [];
    for (const memberId of memberIds) {
      const r = await deleteLeaver(deps, memberId, { schoolId: ctx.schoolId, actor, reason: str(args, 'reason') ?? null, reasonCode }, async (contactId) => {
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
    const json = { deleted: done.map((d) => ({ memberId: d.memberId, memberName: names.get(d.memberId)?.name ?? null, misReference: names.get(d.memberId)?.misReference ?? null, unlinked: d.unlinked, contactsRemoved: d.contactsRemoved })), simulatedClock: clock.simulated?.note ?? null };
    ctx.out.result(json, () => {
      if (clock.simulated !== undefined) ctx.out.line(`Simulated clock (${clock.simulated.note}): every event written says so.`);
      for (const d of done) ctx.out.line(`deleted ${names.get(d.memberId)?.label}: ${d.unlinked.length} link(s) removed, ${d.contactsRemoved.length} linked person(s) removed from the school`);
      ctx.out.line('Personal data is anonymised 14 days after deletion: run `contactable retention` daily.');
    });
  },
};

// The events retention needs beyond the leavers view; others are skipped before decoding.
const RETENTION_EVENTS: ReadonlySet<string> = new Set([
  'MessageRequested',
  'RecipientsResolved',
  'MessageContentErased',
  'ContactAnonymised',
  'ContactMergedInto',
]);

/**
 * What retention needs beyond the leavers view, in one pass over the log: the messages whose content
 * is still held, the contacts already anonymised, the contacts joined into each one (the same person's
 * earlier records, erased with it).
 */
const retentionState = async (
  ctx: CliContext,
): Promise<{ readonly messages: MessageRetentionCandidate[]; readonly anonymised: Set<string>; readonly mergedInto: Map<string, string[]> }> => {
  const requested = new Map<string, { requestedAt: string; retentionDays: number | null; recipients: ReadonlyArray<string> }>();
  const erased = new Set<string>();
  const anonymised = new Set<string>();
  const into = new Map<string, string>();
  for await (const raw of readAllEvents(await ctx.store())) {
    if (!RETENTION_EVENTS.has(raw.type)) continue;
    const d = decodeEvent(raw);
    if (E.isLeft(d) || d.right.metadata.schoolId !== ctx.schoolId) continue;
    const e = d.right;
    if (e.type === 'MessageRequested') requested.set(e.data.messageId, { requestedAt: e.metadata.occurredAt, retentionDays: e.data.retentionDays ?? null, recipients: [] });
    else if (e.type === 'RecipientsResolved') {
      const m = requested.get(e.data.messageId);
      if (m !== undefined) m.recipients = e.data.recipients;
    } else if (e.type === 'MessageContentErased') erased.add(e.data.messageId);
    else if (e.type === 'ContactAnonymised') anonymised.add(e.data.contactId);
    else if (e.type === 'ContactMergedInto') into.set(e.data.contactId, e.data.into);
  }
  const mergedInto = new Map<string, string[]>();
  for (const id of into.keys()) {
    let at = into.get(id)!;
    for (let hops = 0; hops < 64 && into.has(at); hops++) at = into.get(at)!;
    mergedInto.set(at, [...(mergedInto.get(at) ?? []), id]);
  }
  const messages = [...requested].filter(([id]) => !erased.has(id)).map(([messageId, m]) => ({ messageId, ...m }));
  return { messages, anonymised, mergedInto };
};

/** `retention [--today D --simulated-clock]` */
export const retention: Command = {
  name: 'retention',
  summary: 'Anonymise people deleted 14+ days ago, erase message content past its retention, destroy their keys and re-wrap the rest',
  usage:
    'contactable retention [--today YYYY-MM-DD --simulated-clock]\n' +
    '  --today D --simulated-clock   rehearse on a later day: every event written is marked as under a simulated clock',
  options: { today: { type: 'string' }, 'simulated-clock': { type: 'boolean' } },
  needsStore: true,
  run: async (ctx, args) => {
    const zone = await ctx.zone();
    const { clock, today } = writeClock(ctx, str(args, 'today'), flag(args, 'simulated-clock'), zone, 'retention');
    const { messages, anonymised, mergedInto } = await retentionState(ctx);
    const views = await ctx.views();
    const v = await views.leavers(today);
    const schoolDays = messageRetentionDaysOf(await views.school());
    const store = await ctx.store();
    const report = await runRetention(
      await ctx.deps(clock),
      v.awaitingAnonymisation.map((a) => ({ subject: a.subject, id: a.id, deletedAt: a.deletedAt, ...(a.subject === 'contact' && mergedInto.has(a.id) ? { mergedContacts: mergedInto.get(a.id)! } : {}) })),
      { schoolId: ctx.schoolId, actor: { kind: 'system', name: 'retention' }, reasonCode: 'retention' },
      zone,
      { candidates: messages, schoolDays, anonymisedContacts: anonymised },
    );
    const compaction = storeAdmin(store)?.lastCompaction ?? null;
    const check = await checkErasureSettings(store);
    const json = {
      today: report.today,
      anonymised: report.anonymised.map((a) => ({ subject: a.subject, id: a.id })),
      notYetDue: report.notYetDue,
      messagesErased: report.messagesErased,
      keys: compaction === null ? null : compaction.rewrap,
      warnings: check.findings.filter((f) => f.level === 'warning'),
      backups: check.backups,
      errors: report.errors,
      simulatedClock: clock.simulated?.note ?? null,
    };
    ctx.out.result(json, () => {
      if (clock.simulated !== undefined) ctx.out.line(`Simulated clock (${clock.simulated.note}): every event written says so.`);
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
      const days = messageRetentionDaysOf(await (await ctx.views()).school());
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
