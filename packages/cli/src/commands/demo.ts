/**
 * `contactable demo`: the main job on the embedded store. Generates a sample school, imports it
 * (CTF XML, as an English MIS exports it), plays a school day of provider callbacks and staff
 * actions, syncs the next day's export (SIMS CSV, with churn), then shows the dashboard, one
 * linked-people view, the data issues and one explanation. Every step goes through the same
 * code a service would run: real parsers, signed callbacks verified, the real store.
 */
import { createHmac, generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import {
  addLocalDays,
  contactDecider,
  contactStream,
  defaultImportSettings,
  endOfLocalDay,
  handleCommand,
  loadHeldState,
  planCounts,
  runImport,
  simulatedClock,
  startOfLocalDay,
  type HandlerDeps,
  type ImportSettings,
  type TimeZone,
} from '@contactable/core';
import { ctfChunks, generateSchool, simsCsvChunks } from '@contactable/adapters-sims';
import { ingestCallback, storeDirectory, type CallbackProvider, type RawCallback, type WebhookConfigs } from '@contactable/adapters-messaging';
import { actorWords, blockCauseWords, catchUp, channelWords, contactView, createProjection, dashboard, dataIssues, explainFromStore, issueTypeWords, linkedPeople, listMembers, memberLabel, membersOfContact, officeText, personName, relationshipWords, type Projection } from '@contactable/projections';
import { str, type Command } from '../command.js';
import type { CliContext } from '../context.js';
import { fullName, timeIn, wholeNumber } from '../context.js';
import { CliError, usageError } from '../errors.js';
import { table } from '../output.js';
import { readExport } from './importing.js';

const DAY0 = '2026-09-07';
const DAY1 = '2026-09-08';
const TWILIO_URL = 'https://school.example/webhooks/twilio';
const SEED = 'contactable-demo';

/** Keys made for this run only: the demo signs its callbacks the way the providers do, and checks them. */
const demoKeys = () => {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const twilioToken = 'demo-twilio-auth-token';
  const webhooks: WebhookConfigs = {
    sendgrid: { publicKey: publicKey.export({ format: 'der', type: 'spki' }).toString('base64') },
    twilio: { authToken: twilioToken },
  };
  const sendgrid = (events: ReadonlyArray<Record<string, unknown>>, at: string): RawCallback => {
    const body = JSON.stringify(events);
    const timestamp = String(Math.floor(Date.parse(at) / 1000));
    const signature = sign('sha256', Buffer.from(timestamp + body), privateKey).toString('base64');
    return { body, headers: { 'X-Twilio-Email-Event-Webhook-Signature': signature, 'X-Twilio-Email-Event-Webhook-Timestamp': timestamp, 'Content-Type': 'application/json' } };
  };
  const twilio = (params: Record<string, string>): RawCallback => {
    const data = TWILIO_URL + Object.keys(params).sort().map((k) => k + params[k]).join('');
    const signature = createHmac('sha1', twilioToken).update(data).digest('base64');
    return { body: new URLSearchParams(params).toString(), headers: { 'X-Twilio-Signature': signature, 'Content-Type': 'application/x-www-form-urlencoded' }, url: TWILIO_URL };
  };
  return { webhooks, sendgrid, twilio };
};

const settings: ImportSettings = { ...defaultImportSettings, preAdmissions: true };

/** An instant at a local time of a school day ("09:00" in the school's zone). */
const localAt = (day: string, hour: number, minute: number, zone: TimeZone): string =>
  new Date(Date.parse(startOfLocalDay(day, zone)) + (hour * 60 + minute) * 60_000).toISOString();

interface Cast {
  readonly bounced: { contactId: string; memberId: string; email: string };
  readonly spam: { contactId: string; email: string };
  readonly stop: { contactId: string; mobile: string };
}

// Three different prime parents, each with a usable email and mobile, chosen deterministically.
const castFrom = (p: Projection): Cast => {
  const seen = new Set<string>();
  const picks: Array<{ contactId: string; memberId: string; email: string; mobile: string }> = [];
  for (const m of listMembers(p, { kind: 'student', roll: 'on-roll' })) {
    for (const c of linkedPeople(p, m.memberId)?.linkedPeople ?? []) {
      if (!c.prime || seen.has(c.contactId) || c.usableMethods.length !== 2 || c.email === null || c.mobile === null) continue;
      seen.add(c.contactId);
      picks.push({ contactId: c.contactId, memberId: m.memberId, email: c.email.value, mobile: c.mobile.value });
      break;
    }
    if (picks.length === 3) break;
  }
  if (picks.length < 3) throw new CliError('the sample school is too small for the demo: use --pupils 50 or more');
  const [a, b, c] = picks as [typeof picks[0], typeof picks[0], typeof picks[0]];
  return { bounced: a, spam: b, stop: c };
};

const step = (ctx: CliContext, text: string): void => {
  if (!ctx.out.json) ctx.out.note(`- ${text}`);
};

/** The most pupils the demo plays with (it imports them twice and prints views of them). */
export const MAX_DEMO_PUPILS = 10_000;

/** `demo [--pupils N]` */
export const demo: Command = {
  name: 'demo',
  summary: 'Generate a sample school, import it, play a day (bounces, spam, STOP, leaver, re-enable, next-day sync) and show the views',
  usage: 'contactable demo [--pupils N] [--store URL]   (default store: the embedded folder ./.contactable)',
  options: { pupils: { type: 'string' } },
  needsStore: true,
  run: async (ctx, args) => {
    const pupils = wholeNumber(str(args, 'pupils'), '--pupils', 50, MAX_DEMO_PUPILS, 300);
    const started = Date.now();
    const store = await ctx.store();
    const schoolId = ctx.schoolId;
    const held = await loadHeldState(store, schoolId);
    if (E.isLeft(held)) throw new CliError(held.left.message);
    const fresh = held.right.members.size === 0;
    const zone = await ctx.zone();
    // The demo plays two school days in a few seconds: on a simulated clock, marked on every event it writes (audit shows it).
    const clock = simulatedClock(localAt(DAY0, 7, 0, zone), 'contactable demo', ctx.clock.now());
    const deps: HandlerDeps = await ctx.deps(clock);
    const keys = demoKeys();
    const work = mkdtempSync(join(tmpdir(), 'contactable-demo-'));
    const timeline: string[] = [];
    try {
      const play = async (): Promise<Cast> => {
        // Day 0: the first import, from a CTF file as SIMS would export it.
        const day0 = generateSchool({ seed: SEED, pupils, day: 0, today: DAY0 });
        const ctfFile = join(work, 'day0.xml');
        writeFileSync(ctfFile, [...ctfChunks(day0.snapshot)].join(''));
        const first = await runImport(deps, await readExport(ctfFile, 'ctf'), settings, DAY0, { runId: `demo-${DAY0}`, format: 'ctf', sourceName: 'day0.xml', schoolId });
        if (E.isLeft(first)) throw new CliError(first.left.message);
        const c0 = planCounts(first.right.plan);
        timeline.push(`${timeIn(localAt(DAY0, 7, 0, zone), zone)} first import (CTF XML): ${c0.membersAdded} members, ${c0.contactsAdded} contacts, ${first.right.counts.eventsAppended} events`);

        await catchUp(store, p);
        const cast = castFrom(p);
        const named = (contactId: string): string => {
          const v = contactView(p, contactId);
          return v === undefined ? 'a contact' : personName(v.name);
        };
        const callbackDeps = { ...deps, schoolId, directory: storeDirectory(store), webhooks: keys.webhooks };
        const callback = async (provider: CallbackProvider, raw: RawCallback, what: string): Promise<void> => {
          const r = await ingestCallback(callbackDeps, provider, raw, { verify: true });
          if (E.isLeft(r)) throw new CliError(`demo callback refused: ${r.left.message}`);
          timeline.push(`${timeIn(clock.now(), zone)} ${what}: ${r.right.written} event(s)`);
        };

        // Day 1, during the day: three permanent bounces block an email (R-CON-3).
        for (const [i, hour] of [9, 11, 13].entries()) {
          const at = localAt(DAY1, hour, 0, zone);
          clock.set(at);
          await callback('sendgrid', keys.sendgrid([{ email: cast.bounced.email, timestamp: Date.parse(at) / 1000, event: 'bounce', type: 'bounce', reason: '550 5.1.1 mailbox unavailable', sg_event_id: `demo-bounce-${i}`, sg_message_id: `demo-msg-${i}` }], at), `SendGrid bounce ${i + 1} of 3 for ${named(cast.bounced.contactId)}`);
        }
        // A spam complaint blocks at once (R-CON-4).
        clock.set(localAt(DAY1, 10, 30, zone));
        await callback('sendgrid', keys.sendgrid([{ email: cast.spam.email, timestamp: Date.parse(clock.now()) / 1000, event: 'spamreport', sg_event_id: 'demo-spam-1', sg_message_id: 'demo-msg-9' }], clock.now()), `SendGrid spam complaint from ${named(cast.spam.contactId)}`);
        // A parent texts STOP (R-CON-2).
        clock.set(localAt(DAY1, 12, 15, zone));
        await callback('twilio', keys.twilio({ AccountSid: 'ACdemo', MessageSid: 'SMdemo-stop-1', SmsStatus: 'received', From: cast.stop.mobile, To: '+447700900000', Body: 'STOP' }), `Twilio: ${named(cast.stop.contactId)} texted STOP`);
        // The office checks with the parent who complained, and re-enables their email (R-CON-7).
        clock.set(localAt(DAY1, 14, 0, zone));
        const reEnabled = await handleCommand(deps, contactDecider, contactStream(cast.spam.contactId), { type: 'ReEnable', contactId: cast.spam.contactId, channel: 'email', confirmedWithContact: true }, { schoolId, actor: { kind: 'person', name: 'J. Smith (office)' }, reason: 'parent confirmed by phone that the complaint was a mistake', commandId: 'demo-re-enable' });
        if (E.isLeft(reEnabled)) throw new CliError(reEnabled.left.message);
        timeline.push(`${timeIn(clock.now(), zone)} J. Smith re-enabled email for ${named(cast.spam.contactId)} after checking with them: ${reEnabled.right.appended.length} event(s)`);

        // Next morning's sync: the day-1 export as SIMS CSV, with leavers, joiners and changed numbers (R-IMP-1, R-IMP-7).
        // It runs on the morning after; `today` names the day the export describes.
        clock.set(localAt(addLocalDays(DAY1, 1), 6, 0, zone));
        const day1 = generateSchool({ seed: SEED, pupils, day: 1, today: DAY0 });
        const simsDir = join(work, 'day1');
        const chunks = simsCsvChunks(day1.snapshot);
        (await import('node:fs')).mkdirSync(simsDir);
        for (const [name, gen] of Object.entries(chunks)) writeFileSync(join(simsDir, `${name}.csv`), [...(gen as () => Iterable<string>)()].join(''));
        const second = await runImport(deps, await readExport(simsDir, 'sims-csv'), settings, DAY1, { runId: `demo-${DAY1}`, format: 'sims-csv', sourceName: 'day1', schoolId });
        if (E.isLeft(second)) throw new CliError(second.left.message);
        const c1 = planCounts(second.right.plan);
        timeline.push(`${timeIn(clock.now(), zone)} next-day sync of the ${DAY1} export (SIMS CSV): ${c1.membersAdded} joined, ${c1.leavers} leaver(s), ${c1.membersChanged} members and ${c1.contactsChanged} contacts changed, ${second.right.counts.eventsAppended} events`);
        return cast;
      };

      const p = createProjection({ schoolId });
      let cast: Pick<Cast, 'bounced'> & { stop: { contactId: string } };
      if (fresh) {
        cast = await play();
      } else {
        // Played before: the log already tells the story; show it as it stands rather than write it again.
        await catchUp(store, p);
        const bounced = dataIssues(p, { type: 'permanent-bounce' })[0];
        if (bounced?.contactId == null) throw new CliError(`school "${schoolId}" in ${ctx.storeUrl} holds data that is not the demo's: use another --store or --school for the demo.`);
        const memberId = membersOfContact(p, bounced.contactId)[0] ?? '';
        cast = { bounced: { contactId: bounced.contactId, memberId, email: '' }, stop: { contactId: bounced.contactId } };
        timeline.push(`The demo was already played into ${ctx.storeUrl}: showing the school as it stands (delete the folder to play it again).`);
      }

      // The views.
      await catchUp(store, p);
      const dash = dashboard(p, DAY1);
      const view = linkedPeople(p, cast.bounced.memberId)!;
      const issues = dataIssues(p);
      const why = await explainFromStore(store, cast.bounced.contactId, 'email', endOfLocalDay(DAY1, zone), zone);
      const leaversNow = listMembers(p, { roll: 'leaver' }).length;
      const json = {
        store: ctx.storeUrl,
        schoolId,
        seconds: Number(((Date.now() - started) / 1000).toFixed(1)),
        timeline,
        dashboard: { total: dash.studentsWithContactablePrimeParent.total, byEmail: dash.studentsWithContactablePrimeParent.byEmail, byMobile: dash.studentsWithContactablePrimeParent.byMobile, byEither: dash.studentsWithContactablePrimeParent.byEither, without: dash.studentsWithContactablePrimeParent.without.length },
        leavers: leaversNow,
        linkedPeople: { memberId: view.member.memberId, name: fullName(view.member.name), contacts: view.linkedPeople.map((c) => ({ contactId: c.contactId, name: fullName(c.name), relationship: c.relationship, prime: c.prime, usableMethods: c.usableMethods, optedOut: c.optedOut, blocked: c.blocked })) },
        dataIssues: issues.map((i) => ({ type: i.type, memberId: i.memberId, contactId: i.contactId, detail: i.detail })),
        explanation: { contactId: cast.bounced.contactId, channel: 'email', usable: why.usable, summary: why.summary, reasons: why.reasons.map((r) => ({ at: r.at, event: r.event, actor: r.actor, because: r.because })) },
      };
      ctx.out.result(json, () => {
        const o = ctx.out;
        o.line(`contactable demo: school "${schoolId}" in ${ctx.storeUrl} (${json.seconds}s)\n`);
        o.line('What happened');
        for (const t of timeline) o.line(`  ${t}`);
        o.line(`  (played on a simulated clock: every event it wrote says so, as contactable audit ${cast.bounced.contactId} shows)`);
        o.line(`\nDashboard on ${DAY1}: ${json.dashboard.byEither} of ${json.dashboard.total} students on roll have a contactable prime parent (email ${json.dashboard.byEmail}, mobile ${json.dashboard.byMobile}); ${json.dashboard.without} without; ${leaversNow} leaver(s) awaiting deletion`);
        o.line(`\nLinked people of ${memberLabel(view.member)}`);
        o.line(table(['name', 'relationship', 'prime', 'can be messaged by', 'opted out', 'blocked'], view.linkedPeople.map((c) => [fullName(c.name), relationshipWords(c.relationship), c.prime ? 'yes' : 'no', c.usableMethods.map(channelWords).join(', ') || 'nothing', c.optedOut ? 'yes' : 'no', [c.blocked.email && `email: ${blockCauseWords(c.blocked.email)}`, c.blocked.sms && `texts: ${blockCauseWords(c.blocked.sms)}`].filter(Boolean).join('; ') || null])));
        const byType = new Map<string, number>();
        for (const i of issues) byType.set(i.type, (byType.get(i.type) ?? 0) + 1);
        o.line(`\nData issues: ${issues.length}`);
        o.line(table(['issue', 'count'], [...byType.entries()].sort().map(([t, n]) => [issueTypeWords(t as never), n])));
        const bounced = contactView(p, cast.bounced.contactId);
        const stopped = contactView(p, cast.stop.contactId);
        o.line(`\nWhy could ${bounced === undefined ? 'the parent' : personName(bounced.name)} not be emailed at the end of ${DAY1}?`);
        o.line(`  ${officeText(why.summary)}`);
        for (const r of why.reasons) o.line(`  ${r.standing ? '*' : '-'} ${r.at === null ? '' : `${timeIn(r.at, zone)}  `}${officeText(r.because)}${r.actor === null ? '' : ` (${actorWords(r.actor)})`}`);
        o.line(`\nNext: contactable dashboard | linked-people ${view.member.misReference ?? view.member.memberId} | data-issues | explain ${stopped?.mobile?.value ?? cast.stop.contactId} --channel sms | audit ${bounced?.email?.value ?? cast.bounced.contactId} | serve`);
      });
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  },
};
