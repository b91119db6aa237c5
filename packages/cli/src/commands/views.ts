/** Read commands: members, linked-people, dashboard. */
import type { MemberSummary, RollStatus } from '@contactable/projections';
import { str, type Command } from '../command.js';
import { fullName, resolveMember, todayFrom } from '../context.js';
import { usageError } from '../errors.js';
import { table } from '../output.js';

const STATUSES = ['on-roll', 'pre-admission', 'leaver', 'excluded', 'deleted'] as const;

const rollWords = (r: RollStatus): string => {
  switch (r.status) {
    case 'on-roll':
      return 'on roll';
    case 'pre-admission':
      return `pre-admission (${r.applicationStatus}, admission ${r.admissionDate})`;
    case 'leaver':
      return r.deletionQueued ? 'leaver (deletion queued)' : `leaver${r.leftOn === null ? '' : ` since ${r.leftOn}`}`;
    case 'excluded':
      return `not imported: excluded by settings (${r.because === 'pre-admissions-off' ? 'pre-admissions off' : r.because === 'exception' ? 'in the exceptions' : 'parents refused sharing'})${r.deletionQueued ? ', deletion queued' : ''}`;
    case 'deleted':
      return r.anonymised ? 'deleted (anonymised)' : 'deleted';
  }
};

/** The stable JSON of a member. */
export const memberJson = (m: MemberSummary) => ({
  memberId: m.memberId,
  misReference: m.misReference,
  name: fullName(m.name),
  kind: m.kind,
  source: m.source,
  status: m.roll.status,
  ...(m.roll.status === 'pre-admission' ? { applicationStatus: m.roll.applicationStatus, admissionDate: m.roll.admissionDate } : {}),
  ...(m.roll.status === 'leaver' ? { leftOn: m.roll.leftOn, deletionQueued: m.roll.deletionQueued } : {}),
  ...(m.roll.status === 'excluded' ? { excludedBecause: m.roll.because, excludedSince: m.roll.since, deletionQueued: m.roll.deletionQueued } : {}),
});

/** `members [--status S] [--kind K]` */
export const members: Command = {
  name: 'members',
  summary: 'List members with their kind and roll status',
  usage: 'contactable members [--status on-roll|pre-admission|leaver|excluded|deleted] [--kind student|staff|external] [--search TEXT]',
  options: { status: { type: 'string' }, kind: { type: 'string' }, search: { type: 'string' } },
  needsStore: true,
  run: async (ctx, args) => {
    const status = str(args, 'status');
    if (status !== undefined && !(STATUSES as ReadonlyArray<string>).includes(status)) throw usageError(`--status must be one of ${STATUSES.join(', ')}`, members.usage);
    const kind = str(args, 'kind');
    if (kind !== undefined && !['student', 'staff', 'external'].includes(kind)) throw usageError('--kind must be student, staff or external', members.usage);
    const search = str(args, 'search');
    const list = await (await ctx.views()).members({ ...(status !== undefined ? { roll: status as RollStatus['status'] } : {}), ...(kind !== undefined ? { kind: kind as 'student' } : {}), ...(search !== undefined ? { search } : {}) });
    ctx.out.result({ members: list.map(memberJson) }, () => {
      ctx.out.line(table(['member', 'MIS ref', 'name', 'kind', 'status'], list.map((m) => [m.memberId, m.misReference, fullName(m.name), m.kind, rollWords(m.roll)])));
      ctx.out.line(`\n${list.length} member(s)`);
    });
  },
};

/** `linked-people MEMBER` */
export const linkedPeopleCommand: Command = {
  name: 'linked-people',
  summary: "A member's linked people: relationship, priority, prime, responsibility, details, usable methods",
  usage: 'contactable linked-people MEMBER   (MEMBER: the member id or an MIS reference such as a UPN)',
  options: {},
  needsStore: true,
  run: async (ctx, args) => {
    const ref = args.positionals[0];
    if (ref === undefined) throw usageError('name the member', linkedPeopleCommand.usage);
    const views = await ctx.views();
    const view = (await views.linkedPeople(await resolveMember(views, ref)))!;
    const member = view.member;
    const json = {
      member: { memberId: member.memberId, misReference: member.misReference, name: fullName(member.name), status: member.roll.status },
      linkedPeople: view.linkedPeople.map((c) => ({
        contactId: c.contactId,
        name: fullName(c.name),
        relationship: c.relationship,
        priority: c.priority,
        prime: c.prime,
        parentalResponsibility: c.parentalResponsibility,
        email: c.email?.value ?? null,
        mobile: c.mobile?.value ?? null,
        usableMethods: c.usableMethods,
        optedOut: c.optedOut,
        blocked: c.blocked,
      })),
    };
    ctx.out.result(json, () => {
      ctx.out.line(`${json.member.name} (${json.member.misReference ?? 'no MIS reference'}), ${rollWords(member.roll)}`);
      ctx.out.line();
      ctx.out.line(
        table(
          ['contact', 'name', 'relationship', 'pri', 'prime', 'PR', 'email', 'mobile', 'usable', 'opted out', 'blocked'],
          view.linkedPeople.map((c) => [
            c.contactId,
            fullName(c.name),
            c.relationship,
            c.priority,
            c.prime ? 'yes' : 'no',
            c.parentalResponsibility ? 'yes' : 'no',
            c.email === null ? null : `${c.email.value}${c.email.valid ? '' : ' (invalid)'}`,
            c.mobile === null ? null : `${c.mobile.value}${c.mobile.valid ? '' : ' (invalid)'}`,
            c.usableMethods.join(', ') || 'none',
            c.optedOut ? 'yes' : 'no',
            [c.blocked.email && `email: ${c.blocked.email}`, c.blocked.sms && `sms: ${c.blocked.sms}`].filter(Boolean).join('; ') || null,
          ]),
        ),
      );
    });
  },
};

/** `dashboard [--today D]` */
export const dashboardCommand: Command = {
  name: 'dashboard',
  summary: 'Students with a contactable prime parent, and messages sent in the last 7 days',
  usage: 'contactable dashboard [--today YYYY-MM-DD]',
  options: { today: { type: 'string' } },
  needsStore: true,
  run: async (ctx, args) => {
    const zone = await ctx.zone();
    const today = todayFrom(str(args, 'today'), ctx.clock, zone);
    const d = await (await ctx.views()).dashboard(today);
    const json = {
      studentsWithContactablePrimeParent: {
        total: d.studentsWithContactablePrimeParent.total,
        byEmail: d.studentsWithContactablePrimeParent.byEmail,
        byMobile: d.studentsWithContactablePrimeParent.byMobile,
        byEither: d.studentsWithContactablePrimeParent.byEither,
        without: d.studentsWithContactablePrimeParent.without.map((s) => ({ memberId: s.memberId, name: fullName(s.name) })),
      },
      messagesLast7Days: d.messagesLast7Days.map((m) => ({ date: m.date, email: m.email, sms: m.sms })),
    };
    ctx.out.result(json, () => {
      const s = json.studentsWithContactablePrimeParent;
      const pct = (n: number) => (s.total === 0 ? '-' : `${((100 * n) / s.total).toFixed(1)}%`);
      ctx.out.line(`Students on roll with a contactable prime parent (${today})`);
      ctx.out.line(table(['by', 'students', 'of total'], [['email', s.byEmail, pct(s.byEmail)], ['mobile', s.byMobile, pct(s.byMobile)], ['either', s.byEither, pct(s.byEither)], ['total', s.total, '']]));
      ctx.out.line(`\n${s.without.length} without one${s.without.length > 0 ? `: ${s.without.slice(0, 10).map((w) => w.name).join(', ')}${s.without.length > 10 ? ', ...' : ''}` : ''}`);
      ctx.out.line(`\nMessages sent, last 7 days (days in ${zone})`);
      ctx.out.line(table(['date', 'email', 'sms'], json.messagesLast7Days.map((m) => [m.date, m.email, m.sms])));
    });
  },
};
