/** Read commands: members, linked-people, dashboard. */
import { blockCauseWords, formatLocalDate, channelWords, memberKindWords, memberLabel, relationshipWords, rollStatusWords, type MemberSummary, type RollStatus } from '@contactable/projections';
import { str, type Command } from '../command.js';
import { fullName, resolveMember, todayFrom } from '../context.js';
import { usageError } from '../errors.js';
import { table } from '../output.js';

const STATUSES = ['on-roll', 'pre-admission', 'leaver', 'excluded', 'deleted'] as const;

const rollWords = rollStatusWords;

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
      ctx.out.line(table(['name', 'MIS reference', 'kind', 'status'], list.map((m) => [fullName(m.name), m.misReference, memberKindWords(m.kind), rollWords(m.roll)])));
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
          ['name', 'link', 'email', 'mobile', 'messages'],
          view.linkedPeople.map((c) => [
            fullName(c.name) ?? 'not held',
            [relationshipWords(c.relationship), `priority ${c.priority}`, c.prime ? 'prime parent' : null, c.parentalResponsibility ? 'parental responsibility' : null].filter(Boolean).join(', '),
            c.email === null ? null : `${c.email.value}${c.email.valid ? '' : ' (badly formed)'}`,
            c.mobile === null ? null : `${c.mobile.value}${c.mobile.valid ? '' : ' (badly formed)'}`,
            [
              c.usableMethods.length === 0 ? 'none can be sent' : `by ${c.usableMethods.map(channelWords).join(' and ')}`,
              c.optedOut ? 'opted out' : null,
              c.blocked.email === null ? null : `email blocked: ${blockCauseWords(c.blocked.email)}`,
              c.blocked.sms === null ? null : `texts blocked: ${blockCauseWords(c.blocked.sms)}`,
            ]
              .filter(Boolean)
              .join('; '),
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
    const views = await ctx.views();
    const d = await views.dashboard(today);
    const named = new Map<string, MemberSummary>();
    for (const w of d.studentsWithContactablePrimeParent.without) {
      const m = await views.member(w.memberId);
      if (m !== null) named.set(w.memberId, m);
    }
    const json = {
      studentsWithContactablePrimeParent: {
        total: d.studentsWithContactablePrimeParent.total,
        byEmail: d.studentsWithContactablePrimeParent.byEmail,
        byMobile: d.studentsWithContactablePrimeParent.byMobile,
        byEither: d.studentsWithContactablePrimeParent.byEither,
        without: d.studentsWithContactablePrimeParent.without.map((s) => ({ memberId: s.memberId, name: fullName(s.name), memberName: fullName(s.name), misReference: named.get(s.memberId)?.misReference ?? null })),
      },
      messagesLast7Days: d.messagesLast7Days.map((m) => ({ date: m.date, email: m.email, sms: m.sms })),
    };
    ctx.out.result(json, () => {
      const s = json.studentsWithContactablePrimeParent;
      const pct = (n: number) => (s.total === 0 ? '-' : `${((100 * n) / s.total).toFixed(1)}%`);
      ctx.out.line(`Students on roll with a contactable prime parent (${today})`);
      ctx.out.line(table(['by', 'students', 'of total'], [['email', s.byEmail, pct(s.byEmail)], ['mobile', s.byMobile, pct(s.byMobile)], ['either', s.byEither, pct(s.byEither)], ['total', s.total, '']]));
      ctx.out.line(`\n${s.without.length} without one${s.without.length > 0 ? `: ${s.without.slice(0, 10).map((w) => (named.has(w.memberId) ? memberLabel(named.get(w.memberId)!) : w.name)).join(', ')}${s.without.length > 10 ? `, and ${s.without.length - 10} more (contactable data-issues --type no-prime-parent)` : ''}` : ''}`);
      ctx.out.line(`\nMessages sent, last 7 days (days in ${zone})`);
      ctx.out.line(table(['day', 'emails', 'texts'], json.messagesLast7Days.map((m) => [formatLocalDate(m.date), m.email, m.sms])));
    });
  },
};
