/** The pages that only read: dashboard, data issues, members, a member, a contact, groups, audit and explain (and their JSON). */
import type { Hono } from 'hono';
import { DataIssueFilter, type Channel } from '@contactable/core';
import { ISSUE_TYPES, auditTrailOf, contactLabel, explainFromStore, formatInstant, fromLocalInput, localDateOf, memberLabel, nameIdsIn, personName, toLocalInput, type AuditEntry, type MemberSummary, type RollStatus } from '@contactable/projections';
import { html, memberHref, type Html } from '../html.js';
import { problemPage, renderPage, sessionOf, wantsJson, type AppEnv, type ConsoleEnv } from '../env.js';
import { WITHOUT_SHOWN, dashboardPage } from '../pages/dashboard.js';
import { dataIssuesPage, type IssueFilterForm } from '../pages/dataIssues.js';
import { groupPage, groupsPage, sentPage } from '../pages/groups.js';
import { auditPage, explainPage } from '../pages/history.js';
import { contactPage, memberPage, membersPage, newMemberPage, type CardContact } from '../pages/people.js';
import type { SendReport } from '@contactable/adapters-messaging';
import { groupByRef, memberByRef, resolveContactText, resolveMemberText } from './resolve.js';

const ROLL: ReadonlyArray<RollStatus['status']> = ['on-roll', 'pre-admission', 'leaver', 'deleted'];
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The JSON of a member, as the CLI gives it. */
const memberJson = (m: MemberSummary) => ({ memberId: m.memberId, misReference: m.misReference, name: personName(m.name), kind: m.kind, status: m.roll.status });

/** Registers the read-only pages. */
export const registerReads = (app: Hono<AppEnv>, env: ConsoleEnv): void => {
  const v = env.views;

  app.get('/', async (c) => {
    const today = localDateOf(env.clock.now(), env.zone);
    const d = await v.dashboard(today);
    const shown: MemberSummary[] = [];
    for (const w of d.studentsWithContactablePrimeParent.without.slice(0, WITHOUT_SHOWN)) {
      const m = await v.member(w.memberId);
      if (m !== null) shown.push(m);
    }
    if (wantsJson(c)) {
      const s = d.studentsWithContactablePrimeParent;
      return c.json({
        studentsWithContactablePrimeParent: { total: s.total, byEmail: s.byEmail, byMobile: s.byMobile, byEither: s.byEither, without: shown.map((m) => ({ memberId: m.memberId, name: personName(m.name), memberName: personName(m.name), misReference: m.misReference })) },
        messagesLast7Days: d.messagesLast7Days.map((m) => ({ date: m.date, email: m.email, sms: m.sms })),
      });
    }
    return renderPage(c, env, { title: 'Dashboard', active: 'dashboard', body: (ctx) => dashboardPage(ctx, d, shown) });
  });

  app.get('/data-issues', async (c) => {
    const q = (k: string): string => (c.req.query(k) ?? '').trim();
    const form: IssueFilterForm = { type: q('type'), member: q('member'), contact: q('contact'), from: q('from'), to: q('to'), saved: q('filter') };
    const notes: Array<Html | string> = [];
    let filter: DataIssueFilter = {};
    if (form.saved !== '') {
      const saved = (await v.savedFilters()).find((f) => f.name === form.saved);
      if (saved === undefined) notes.push(`No saved filter is called "${form.saved}".`);
      else filter = { ...saved.filter };
    }
    if (form.type !== '') {
      if ((ISSUE_TYPES as ReadonlyArray<string>).includes(form.type)) filter = { ...filter, type: form.type as DataIssueFilter['type'] };
      else notes.push('That type of issue is not one this list knows.');
    }
    if (form.member !== '') {
      const r = await resolveMemberText(v, form.member);
      if (r.kind === 'one') filter = { ...filter, memberId: r.value.memberId };
      else if (r.kind === 'none') notes.push(`No member has the name or MIS reference "${form.member}".`);
      else notes.push(html`"${form.member}" could be any of ${r.candidates.length} members: ${r.candidates.slice(0, 10).map((m, i) => html`${i === 0 ? '' : ', '}<a href="/data-issues?member=${encodeURIComponent(m.misReference ?? m.memberId)}">${memberLabel(m)}</a>`)}`);
    }
    if (form.contact !== '') {
      const r = await resolveContactText(v, form.contact);
      if (r.kind === 'one') filter = { ...filter, contactId: r.value.contactId };
      else if (r.kind === 'none') notes.push(`No linked person has the name, email address or mobile number "${form.contact}".`);
      else notes.push(html`"${form.contact}" could be any of ${r.candidates.length} people: ${r.candidates.slice(0, 10).map((x, i) => html`${i === 0 ? '' : '; '}<a href="/data-issues?contact=${encodeURIComponent(x.contactId)}">${contactLabel(x)}</a>`)}`);
    }
    for (const k of ['from', 'to'] as const) {
      if (form[k] === '') continue;
      if (DATE.test(form[k])) filter = { ...filter, [k]: form[k] };
      else notes.push(`"${form[k]}" is not a date.`);
    }
    const rows = await v.dataIssues(filter);
    if (wantsJson(c)) return c.json(rows.map((i) => ({ type: i.type, memberId: i.memberId, contactId: i.contactId, relatedContactId: i.relatedContactId, detail: i.detail, raisedAt: i.raisedAt, memberName: i.memberName, misReference: i.misReference, contactName: i.contactName, relatedContactName: i.relatedContactName })));
    const saved = await v.savedFilters();
    const url = new URL(c.req.url);
    return renderPage(c, env, { title: 'Data issues', active: 'data-issues', body: (ctx) => dataIssuesPage(ctx, { form, filter, rows, saved, notes, backTo: `${url.pathname}${url.search}` }) });
  });

  app.get('/members', async (c) => {
    const search = (c.req.query('q') ?? '').trim();
    const status = (c.req.query('status') ?? '').trim();
    const roll = (ROLL as ReadonlyArray<string>).includes(status) ? (status as RollStatus['status']) : undefined;
    const limit = 200;
    const list = await v.members({ ...(search !== '' ? { search } : {}), ...(roll !== undefined ? { roll } : {}), limit });
    if (wantsJson(c)) return c.json({ members: list.map(memberJson) });
    return renderPage(c, env, { title: 'Members', active: 'members', body: (ctx) => membersPage(ctx, { q: search, status: roll ?? '', list, limited: list.length === limit }) });
  });

  app.get('/members/new', (c) => {
    if (!sessionOf(c) || sessionOf(c).user.role === 'compliance') return problemPage(c, env, 403, 'Not allowed', 'Your role (compliance) can read everything but change nothing.');
    return renderPage(c, env, { title: 'Add a member', active: 'members', body: (ctx) => newMemberPage(ctx) });
  });

  app.get('/members/:ref', async (c) => {
    const m = await memberByRef(v, c.req.param('ref'));
    if (m === null) return problemPage(c, env, 404, 'No such member', 'No member has that MIS reference. Find them on the members page.');
    const view = (await v.linkedPeople(m.memberId))!;
    const cards: CardContact[] = [];
    for (const l of view.linkedPeople) {
      const contact = await v.contact(l.contactId);
      if (contact !== null) cards.push({ contact, link: l, member: view.member });
    }
    if (wantsJson(c)) {
      return c.json({
        member: { memberId: m.memberId, misReference: m.misReference, name: personName(m.name), status: m.roll.status },
        linkedPeople: view.linkedPeople.map((l) => ({ contactId: l.contactId, name: l.name === null ? null : personName(l.name), contactName: l.name === null ? null : personName(l.name), relationship: l.relationship, priority: l.priority, prime: l.prime, parentalResponsibility: l.parentalResponsibility, email: l.email?.value ?? null, mobile: l.mobile?.value ?? null, usableMethods: l.usableMethods, optedOut: l.optedOut, blocked: l.blocked })),
      });
    }
    return renderPage(c, env, { title: memberLabel(m), active: 'members', body: (ctx) => memberPage(ctx, { view, cards, back: memberHref(m) }) });
  });

  app.get('/contacts/:id', async (c) => {
    const contact = await v.contact(c.req.param('id'));
    if (contact === null) return problemPage(c, env, 404, 'No such person', 'The school holds nobody with that link. Find them from a member\'s page.');
    if (wantsJson(c)) return c.json({ contactId: contact.contactId, contactName: personName(contact.name), email: contact.email?.value ?? null, mobile: contact.mobile?.value ?? null, usableMethods: contact.usableMethods, optedOut: contact.optedOut, blocked: contact.blocked, members: contact.members.map((m) => ({ memberId: m.memberId, memberName: personName(m.name), misReference: m.misReference, relationship: m.relationship })) });
    return renderPage(c, env, { title: personName(contact.name), active: 'members', body: (ctx) => contactPage(ctx, contact) });
  });

  app.get('/groups', async (c) => {
    const groups = await v.groups();
    if (wantsJson(c)) return c.json({ groups: groups.map((g) => ({ groupId: g.groupId, name: g.name, kind: g.kind, source: g.source, size: g.size })) });
    return renderPage(c, env, { title: 'Groups', active: 'groups', body: (ctx) => groupsPage(ctx, groups) });
  });

  app.get('/groups/:id', async (c) => {
    const found = await groupByRef(v, c.req.param('id'));
    const g = found === null ? null : await v.group(found.groupId);
    if (g === null) return problemPage(c, env, 404, 'No such group', 'No group has that name. See the groups page.');
    if (wantsJson(c)) return c.json({ groupId: g.groupId, name: g.name, kind: g.kind, source: g.source, people: g.people.map((p) => ({ kind: p.kind, id: p.id, name: p.name === null ? null : personName(p.name), misReference: p.misReference })) });
    return renderPage(c, env, { title: g.name, active: 'groups', body: (ctx) => groupPage(ctx, g, { canSend: env.providerUrl !== null, back: `/groups/${encodeURIComponent(g.groupId)}` }) });
  });

  app.get('/groups/:id/sent/:messageId', async (c) => {
    const report = sessionOf(c).results.get(`send:${c.req.param('messageId')}`) as SendReport | undefined;
    const g = await v.group(c.req.param('id'));
    if (report === undefined || g === null) return problemPage(c, env, 404, 'No such report', 'This report was shown to whoever sent the message, in their session.');
    const names = new Map<string, string>();
    for (const id of [...report.skipped.flatMap((s) => [s.contactId, s.memberId]), ...report.failed.map((f) => f.contactId)]) {
      if (id === null || names.has(id)) continue;
      const contact = await v.contact(id);
      if (contact !== null) names.set(id, contactLabel(contact));
      else {
        const m = await v.member(id);
        if (m !== null) names.set(id, `${memberLabel(m)}: no prime parent`);
      }
    }
    return renderPage(c, env, { title: `Sent to ${g.name}`, active: 'groups', body: () => sentPage(g, report, names) });
  });

  app.get('/audit/:ref', async (c) => {
    const ref = c.req.param('ref');
    const m = await memberByRef(v, ref);
    const contact = m === null ? await v.contact(ref) : null;
    if (m === null && contact === null) return problemPage(c, env, 404, 'No such person', 'No member or linked person has that reference.');
    const asOfText = (c.req.query('asOf') ?? '').trim();
    const asOf = asOfText === '' || Number.isNaN(Date.parse(asOfText)) ? null : new Date(Date.parse(asOfText)).toISOString();
    const { entries } = await auditTrailOf(env.store, m !== null ? { memberId: m.memberId } : { contactId: contact!.contactId }, asOf === null ? {} : { asOf });
    const named: Array<AuditEntry & { named: string }> = [];
    for (const e of entries) named.push({ ...e, named: await nameIdsIn(e.summary, v) });
    const who = m !== null ? memberLabel(m) : contactLabel(contact!);
    if (wantsJson(c)) return c.json({ subject: m !== null ? { memberId: m.memberId, memberName: personName(m.name), misReference: m.misReference } : { contactId: contact!.contactId, contactName: personName(contact!.name) }, asOf, entries: named.map((e) => ({ at: e.at, event: e.type, actor: e.actor, reasonCode: e.reasonCode, reason: e.reason, summary: e.summary, position: e.position })) });
    return renderPage(c, env, { title: `Audit trail: ${who}`, printable: true, body: (ctx) => auditPage(ctx, { who, entries: named, asOf, printedAt: formatInstant(env.clock.now(), env.zone) }) });
  });

  app.get('/explain/:ref', async (c) => {
    const contact = await v.contact(c.req.param('ref'));
    if (contact === null) return problemPage(c, env, 404, 'No such person', 'No linked person has that reference.');
    const channel: Channel = c.req.query('channel') === 'sms' ? 'sms' : 'email';
    const atText = (c.req.query('at') ?? '').trim();
    const at = fromLocalInput(atText, env.zone) ?? env.clock.now();
    const x = await explainFromStore(env.store, contact.contactId, channel, at);
    const who = contactLabel(contact);
    if (wantsJson(c)) return c.json({ contactId: contact.contactId, contactName: personName(contact.name), channel, at, usable: x.usable, summary: x.summary, reasons: x.reasons.map((r) => ({ at: r.at, event: r.event, actor: r.actor, reasonCode: r.reasonCode, because: r.because, standing: r.standing })) });
    return renderPage(c, env, { title: `Explain: ${who}`, printable: true, body: (ctx) => explainPage(ctx, { who, x, channel, atText: toLocalInput(at, env.zone), printedAt: formatInstant(env.clock.now(), env.zone) }) });
  });
};
