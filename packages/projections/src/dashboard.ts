/**
 * The dashboard (R-DSH-1, R-DSH-2): on-roll students with a contactable prime parent by
 * email, by mobile, by either, out of how many, and those without; messages sent per day
 * and channel over the last 7 days. Pre-admissions and leavers are not counted: the
 * dashboard is about the pupils the school messages today. Counters move as events
 * arrive, so the answer costs nothing at 200k pupils.
 */
import type { LocalDate, MemberId } from '@contactable/core';
import { COUNTED, EMAIL, MOBILE, sortedWithout, studentFlags } from './dashboardCounters.js';
import { byString } from './json.js';
import { messagesSentLast7Days, type DaySent } from './messages.js';
import { primeReach } from './primeReach.js';
import type { Projection, StudentWithout } from './state.js';

/** Students with a contactable prime parent, out of how many (R-DSH-1). */
export interface StudentReach {
  readonly scope: 'on-roll students';
  readonly total: number;
  readonly byEmail: number;
  readonly byMobile: number;
  readonly byEither: number;
  /** Those with no prime parent reachable on either channel, by family name, given name, id. */
  readonly without: ReadonlyArray<StudentWithout>;
}

/** The dashboard for a day. */
export interface DashboardView {
  readonly today: LocalDate;
  readonly studentsWithContactablePrimeParent: StudentReach;
  /** The 7 days ending `today`, oldest first (R-DSH-2). */
  readonly messagesLast7Days: ReadonlyArray<DaySent>;
}

/** The on-roll students with no contactable prime parent, sorted by name (a copy of the list kept sorted, made once per change). */
export const studentsWithout = (p: Projection): ReadonlyArray<StudentWithout> => {
  if (p.cache.without === null) p.cache.without = Object.freeze(sortedWithout(p).slice());
  return p.cache.without;
};

/** Students reachable through a prime parent (R-DSH-1). */
export const studentReach = (p: Projection): StudentReach => {
  const d = p.dashboard;
  return { scope: 'on-roll students', total: d.total, byEmail: d.byEmail, byMobile: d.byMobile, byEither: d.byEither, without: studentsWithout(p) };
};

/** The dashboard as of the projection's position, for the 7 days ending `today` (R-DSH-1, R-DSH-2). */
export const dashboard = (p: Projection, today: LocalDate): DashboardView => ({
  today,
  studentsWithContactablePrimeParent: studentReach(p),
  messagesLast7Days: messagesSentLast7Days(p, today),
});

/** The same counts taken by scanning every member: what the incremental counters must always equal. */
export const studentReachByScan = (p: Projection): Omit<StudentReach, 'without'> & { readonly without: ReadonlyArray<MemberId> } => {
  let total = 0;
  let byEmail = 0;
  let byMobile = 0;
  let byEither = 0;
  const without: MemberId[] = [];
  for (const { record: m } of p.members.values()) {
    const f = studentFlags(m, primeReach(p, m));
    if (!(f & COUNTED)) continue;
    total++;
    if (f & EMAIL) byEmail++;
    if (f & MOBILE) byMobile++;
    if (f & (EMAIL | MOBILE)) byEither++;
    else without.push(m.memberId);
  }
  return { scope: 'on-roll students', total, byEmail, byMobile, byEither, without: without.sort(byString) };
};
