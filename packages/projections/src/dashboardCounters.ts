/** The dashboard's counters (R-DSH-1), moved as members and their contacts change. */
import type { MemberRecord } from '@contactable/core';
import { isCountedStudent } from './memberView.js';
import { PRIME_EMAIL, PRIME_SMS } from './primeReach.js';
import { byString } from './json.js';
import type { MemberEntry, Projection, StudentWithout } from './state.js';

/** Flag: a counted student (an on-roll student). */
export const COUNTED = 1;
/** Flag: reachable through a prime parent by email. */
export const EMAIL = 2;
/** Flag: reachable through a prime parent by mobile. */
export const MOBILE = 4;

/** The dashboard flags of one member from its prime reach: counted, reachable by email, by mobile. */
export const studentFlags = (m: MemberRecord | undefined, reach: number): number =>
  m === undefined || !isCountedStudent(m) ? 0 : COUNTED | (reach & PRIME_EMAIL ? EMAIL : 0) | (reach & PRIME_SMS ? MOBILE : 0);

const count = (p: Projection, flags: number, sign: 1 | -1): void => {
  if (!(flags & COUNTED)) return;
  const d = p.dashboard;
  d.total += sign;
  if (flags & EMAIL) d.byEmail += sign;
  if (flags & MOBILE) d.byMobile += sign;
  if (flags & (EMAIL | MOBILE)) d.byEither += sign;
};

/** The order of the list of students without: family name, given name, id. */
export const byName = (a: StudentWithout, b: StudentWithout): number =>
  byString(a.name.family, b.name.family) || byString(a.name.given, b.name.given) || byString(a.memberId, b.memberId);

// The index at which `s` sits, or would sit, in the sorted list.
const searchSorted = (list: ReadonlyArray<StudentWithout>, s: StudentWithout): number => {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (byName(list[mid]!, s) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
};

/** Beyond this many changes since the last look, sorting afresh beats patching the sorted list. */
const PATCH_LIMIT = 64;

const note = (p: Projection, join: boolean, student: StudentWithout): void => {
  const d = p.dashboard;
  p.cache.without = null;
  if (d.withoutSorted === null) return;
  if (d.withoutChanges.length >= PATCH_LIMIT) {
    d.withoutSorted = null;
    d.withoutChanges.length = 0;
  } else d.withoutChanges.push({ join, student });
};

const leave = (p: Projection, held: StudentWithout): void => {
  p.dashboard.without.delete(held.memberId);
  note(p, false, held);
};

const join = (p: Projection, s: StudentWithout): void => {
  p.dashboard.without.set(s.memberId, s);
  note(p, true, s);
};

/** The students without, sorted by name: the list kept from the last look with the changes since patched in, or sorted afresh. */
export const sortedWithout = (p: Projection): ReadonlyArray<StudentWithout> => {
  const d = p.dashboard;
  if (d.withoutSorted === null) d.withoutSorted = [...d.without.values()].sort(byName);
  else {
    const list = d.withoutSorted;
    for (const { join: joining, student } of d.withoutChanges) {
      const i = searchSorted(list, student);
      if (joining) list.splice(i, 0, student);
      else if (list[i] === student) list.splice(i, 1);
    }
  }
  d.withoutChanges.length = 0;
  return d.withoutSorted;
};

/** Recounts one member after it or one of its contacts changed; `reach` is its primeReach. */
export const refreshStudent = (p: Projection, entry: MemberEntry, reach: number): void => {
  const before = entry.flags;
  const after = studentFlags(entry.record, reach);
  const m = entry.record;
  if (before === COUNTED && after === COUNTED) {
    // Still without: only a new name moves them in the list.
    const held = p.dashboard.without.get(m.memberId)!;
    if (held.name !== m.name) {
      leave(p, held);
      join(p, { memberId: m.memberId, name: m.name });
    }
    return;
  }
  if (before === after) return;
  count(p, before, -1);
  count(p, after, 1);
  entry.flags = after;
  if (before === COUNTED) leave(p, p.dashboard.without.get(m.memberId)!);
  if (after === COUNTED) join(p, { memberId: m.memberId, name: m.name });
};
