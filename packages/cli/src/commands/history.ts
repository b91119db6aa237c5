/** Compliance commands: audit (R-AUD-1, R-DEL-4), explain (R-AUD-3) and replay (R-AUD-2, R-AUD-4). */
import { createHash } from 'node:crypto';
import { actorWords, auditTrailOf, compareRowsWithFold, createProjection, catchUp, contactLabel, eventWords, memberLabel, nameIdsIn, officeText, personName, projectionAsOf, rebuildFromStore, serialiseProjection, explainFromStore, allDataIssues } from '@contactable/projections';
import { str, flag, type Command } from '../command.js';
import { instantFrom, resolveContact, resolveMember, timeIn } from '../context.js';
import { CliError, usageError } from '../errors.js';
import { table } from '../output.js';

/** `audit MEMBER|CONTACT [--as-of INSTANT]` */
export const audit: Command = {
  name: 'audit',
  summary: 'Every event of a member or contact: when, who, why, what changed (XXXX once erased)',
  usage: 'contactable audit MEMBER|CONTACT [--as-of INSTANT]',
  options: { 'as-of': { type: 'string' } },
  needsStore: true,
  run: async (ctx, args) => {
    const ref = args.positionals[0];
    if (ref === undefined) throw usageError('name a member (id or MIS reference) or a contact (id or email)', audit.usage);
    const asOfOpt = str(args, 'as-of');
    const zone = await ctx.zone();
    const asOf = asOfOpt === undefined ? undefined : instantFrom(asOfOpt, '--as-of', zone);
    const views = await ctx.views();
    let subject: { memberId: string } | { contactId: string };
    try {
      subject = { memberId: await resolveMember(views, ref) };
    } catch (asMember) {
      try {
        subject = { contactId: await resolveContact(views, ref) };
      } catch (asContact) {
        // Say the more useful of the two: an ambiguity beats a plain "not found".
        const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));
        throw new CliError(message(asMember).startsWith('No member') ? message(asContact) : message(asMember));
      }
    }
    const { entries, failures } = await auditTrailOf(await ctx.store(), subject, asOf === undefined ? {} : { asOf });
    for (const f of failures) ctx.out.note(`warning: ${f.message}`);
    const m = 'memberId' in subject ? await views.member(subject.memberId) : null;
    const c = 'contactId' in subject ? await views.contact(subject.contactId) : null;
    const json = {
      subject: 'memberId' in subject ? { memberId: subject.memberId, memberName: m === null ? null : personName(m.name), misReference: m?.misReference ?? null } : { contactId: subject.contactId, contactName: c === null ? null : personName(c.name) },
      asOf: asOf ?? null,
      entries: entries.map((e) => ({ at: e.at, event: e.type, actor: e.actor, reasonCode: e.reasonCode, reason: e.reason, summary: e.summary, position: e.position, simulatedClock: e.simulatedClock })),
    };
    const named: string[] = [];
    for (const e of entries) named.push(officeText(await nameIdsIn(e.summary, views)));
    // The code says why even after erasure; the free text beside it reads XXXX then.
    const why = (code: string | null, reason: string | null): string | null => (code === null ? reason : reason === null ? code : `${code}: ${reason}`);
    ctx.out.result(json, () => {
      // A time from a simulated clock (a demo, a rehearsal on a later day) says so beside it.
      const when = (e: (typeof entries)[number]): string => `${timeIn(e.at, zone)}${e.simulatedClock === null ? '' : ` (simulated clock: ${e.simulatedClock})`}`;
      ctx.out.line(`Audit trail of ${m !== null ? memberLabel(m) : c !== null ? contactLabel(c) : 'someone no longer held'}${asOf === undefined ? '' : ` as it stood at ${timeIn(asOf, zone)}`}`);
      ctx.out.line();
      ctx.out.line(table(['when', 'what', 'who', 'why', 'what changed'], entries.map((e, i) => [when(e), eventWords(e.type), actorWords(e.actor), why(e.reasonCode, e.reason), named[i]!])));
    });
  },
};

/** `explain CONTACT --channel email|sms --at INSTANT` */
export const explain: Command = {
  name: 'explain',
  summary: 'Could this contact be messaged on this channel at that moment, and why (the chain of events)',
  usage: 'contactable explain CONTACT --channel email|sms [--at INSTANT]   (default: now)',
  options: { channel: { type: 'string' }, at: { type: 'string' } },
  needsStore: true,
  run: async (ctx, args) => {
    const ref = args.positionals[0];
    if (ref === undefined) throw usageError('name the contact (an id or an email address)', explain.usage);
    const channel = str(args, 'channel');
    if (channel !== 'email' && channel !== 'sms') throw usageError('--channel must be email or sms', explain.usage);
    const atOpt = str(args, 'at');
    const zone = await ctx.zone();
    const at = atOpt === undefined ? ctx.clock.now() : instantFrom(atOpt, '--at', zone);
    const views = await ctx.views();
    const contactId = await resolveContact(views, ref);
    const c = await views.contact(contactId);
    const x = await explainFromStore(await ctx.store(), contactId, channel, at, zone);
    const json = { contactId, contactName: c === null ? null : personName(c.name), channel, at, usable: x.usable, summary: x.summary, reasons: x.reasons.map((r) => ({ at: r.at, event: r.event, actor: r.actor, reasonCode: r.reasonCode, because: r.because, standing: r.standing })) };
    ctx.out.result(json, () => {
      ctx.out.line(`${c === null ? 'The contact' : contactLabel(c)}, ${channel === 'email' ? 'email' : 'texts'} at ${timeIn(at, zone)}:`);
      ctx.out.line(`  ${officeText(x.summary)}`);
      for (const r of x.reasons) ctx.out.line(`  ${r.standing ? '*' : '-'} ${r.at === null ? '' : `${timeIn(r.at, zone)}  `}${officeText(r.because)}${r.actor === null ? '' : ` (${actorWords(r.actor)})`}`);
    });
  },
};

const digest = (s: string): string => createHash('sha256').update(s).digest('hex');

/** `replay [--as-of INSTANT] [--verify]` */
export const replay: Command = {
  name: 'replay',
  summary: 'Rebuild every view from the log (as of an instant); --verify checks the kept views against a fresh fold, byte for byte',
  usage: 'contactable replay [--as-of INSTANT] [--verify]',
  options: { 'as-of': { type: 'string' }, verify: { type: 'boolean' } },
  needsStore: true,
  run: async (ctx, args) => {
    const store = await ctx.store();
    const asOfOpt = str(args, 'as-of');
    const zone = await ctx.zone();
    const asOf = asOfOpt === undefined ? null : instantFrom(asOfOpt, '--as-of', zone);
    const started = process.hrtime.bigint();
    const p = asOf === null ? await rebuildFromStore(store, { schoolId: ctx.schoolId }) : await projectionAsOf(store, asOf, { schoolId: ctx.schoolId });
    const serialised = serialiseProjection(p);
    let verified: boolean | null = null;
    const differences: string[] = [];
    if (flag(args, 'verify')) {
      // A second, independent path: small pages applied one event at a time, as a live follower would.
      const again = asOf === null ? createProjection({ schoolId: ctx.schoolId }) : await projectionAsOf(store, asOf, { schoolId: ctx.schoolId, pageSize: 7 });
      if (asOf === null) await catchUp(store, again, { pageSize: 7 });
      if (serialiseProjection(again) !== serialised) differences.push('two folds of the log differ');
      // The views kept in the store (as appends wrote them) against the fold, row by row.
      if (asOf === null && store.readModels !== undefined) differences.push(...(await compareRowsWithFold(store.readModels, ctx.schoolId, p)));
      verified = differences.length === 0;
    } else if (asOf === null && store.readModels !== undefined) {
      // Without --verify, replay rebuilds the kept views from the log.
      await store.readModels.rebuild();
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const json = {
      asOf,
      position: p.position,
      members: p.members.size,
      contacts: [...p.contacts.values()].filter((c) => c.view !== undefined).length,
      dataIssues: allDataIssues(p).length,
      undecodable: p.failures.length,
      sha256: digest(serialised),
      seconds: Number(seconds.toFixed(3)),
      verified,
      ...(differences.length > 0 ? { differences } : {}),
    };
    ctx.out.result(json, () => {
      ctx.out.line(`Rebuilt ${asOf === null ? 'up to now' : `as of ${timeIn(asOf, zone)}`}: position ${json.position}, ${json.members} members, ${json.contacts} contacts, ${json.dataIssues} data issues in ${json.seconds}s`);
      ctx.out.line(`views sha256 ${json.sha256}`);
      if (json.undecodable > 0) ctx.out.line(`${json.undecodable} event(s) did not decode (see replay --json)`);
      if (verified !== null) ctx.out.line(verified ? 'verified: a second fold and the views kept in the store agree, byte for byte' : `MISMATCH:\n  ${differences.join('\n  ')}`);
    });
    if (verified === false) throw new CliError('replay --verify: the views differ from the log; run `contactable replay` to rebuild them, and please report this with the store.');
  },
};
