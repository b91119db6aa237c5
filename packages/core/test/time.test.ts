/**
 * Honest time: the school's days in its zone (zone.ts), and clocks. No event records a time other than
 * its clock's; a simulated clock is marked on every event it stamps, and events stored before the mark
 * existed still decode (R-AUD-1). Retention counts 14 of the school's days by the clock (R-DEL-2).
 */
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import {
  addLocalDays,
  contactDecider,
  contactStream,
  decodeEvent,
  deleteLeaver,
  dueForAnonymisation,
  endOfLocalDay,
  fixedClock,
  formatLocalTime,
  handleCommand,
  isLocalDate,
  isTimeZone,
  localDayOf,
  localDaysBetween,
  memberDecider,
  memberStream,
  memoryStore,
  offsetClock,
  runRetention,
  schoolDecider,
  sequentialIds,
  simulatedClock,
  startOfLocalDay,
  zoneLabel,
  type EventStore,
} from '../src/index.js';
import { C, importContact } from './fixtures.js';

describe('school time (zone.ts)', () => {
  it('R-DSH-2 an instant at 23:30 UTC on 1 July falls on 2 July in Europe/London, and on 1 July in UTC', () => {
    expect(localDayOf('2026-07-01T23:30:00.000Z')).toBe('2026-07-02');
    expect(localDayOf('2026-07-01T23:30:00.000Z', 'Europe/London')).toBe('2026-07-02');
    expect(localDayOf('2026-07-01T23:30:00.000Z', 'UTC')).toBe('2026-07-01');
    // In winter London is on GMT: the same clock time stays on its UTC day.
    expect(localDayOf('2026-12-01T23:30:00.000Z')).toBe('2026-12-01');
  });

  it('R-DSH-2 school days start at local midnight and last 23 or 25 hours when the clocks change', () => {
    expect(startOfLocalDay('2026-07-02')).toBe('2026-07-01T23:00:00.000Z');
    expect(startOfLocalDay('2026-12-02')).toBe('2026-12-02T00:00:00.000Z');
    expect(endOfLocalDay('2026-07-02')).toBe('2026-07-02T22:59:59.999Z');
    const hours = (day: string): number => (Date.parse(startOfLocalDay(addLocalDays(day, 1))) - Date.parse(startOfLocalDay(day))) / 3_600_000;
    expect(hours('2026-03-29')).toBe(23);
    expect(hours('2026-10-25')).toBe(25);
    expect(hours('2026-07-02')).toBe(24);
  });

  it('R-DSH-2 day arithmetic is calendar arithmetic', () => {
    expect(addLocalDays('2026-02-27', 2)).toBe('2026-03-01');
    expect(addLocalDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(localDaysBetween('2026-09-08', '2026-09-22')).toBe(14);
    expect(localDaysBetween('2026-03-28', '2026-03-30')).toBe(2);
    expect(isLocalDate('2026-02-30')).toBe(false);
    expect(isLocalDate('2026-02-28')).toBe(true);
    expect(isLocalDate('28/02/2026')).toBe(false);
  });

  it("R-AUD-1 printed times are the school's, labelled: 08:31 UTC in September is 09:31 BST; in December it is GMT", () => {
    expect(formatLocalTime('2026-09-08T08:31:00.000Z')).toBe('8 Sep 2026, 09:31 BST');
    expect(formatLocalTime('2026-12-08T08:31:00.000Z')).toBe('8 Dec 2026, 08:31 GMT');
    expect(formatLocalTime('2026-07-01T23:30:00.000Z')).toBe('2 Jul 2026, 00:30 BST');
    expect(zoneLabel('2026-07-01T12:00:00.000Z', 'Europe/Paris')).toBe('CEST');
  });

  it('R-AUD-1 only real IANA zone names are time zones', () => {
    expect(isTimeZone('Europe/London')).toBe(true);
    expect(isTimeZone('America/New_York')).toBe(true);
    expect(isTimeZone('Europe/Lndon')).toBe(false);
    expect(isTimeZone('+01:00')).toBe(false);
    expect(isTimeZone('')).toBe(false);
  });

  it('R-AUD-1 the time zone is a school-stream setting: Europe/London until set; an unknown zone is refused', () => {
    expect(schoolDecider.initialState.timeZone).toBe('Europe/London');
    expect(schoolDecider.decide({ type: 'SetTimeZone', timeZone: 'Europe/Paris' }, schoolDecider.initialState)).toEqual(E.right([{ type: 'TimeZoneChanged', data: { timeZone: 'Europe/Paris' } }]));
    expect(schoolDecider.decide({ type: 'SetTimeZone', timeZone: 'Europe/London' }, schoolDecider.initialState)).toEqual(E.right([]));
    const bad = schoolDecider.decide({ type: 'SetTimeZone', timeZone: 'Mars/Olympus' }, schoolDecider.initialState);
    expect(E.isLeft(bad) && bad.left.message).toMatch(/not a time zone/);
  });
});

const ctx = { schoolId: 'school-1', actor: { kind: 'person' as const, name: 'Office' } };

describe('honest time: events carry their clock', () => {
  it('R-AUD-1 an event on the wall clock has no simulation mark; one under a simulated clock says so, with why and when it really ran', async () => {
    const store = memoryStore();
    await handleCommand({ store, clock: fixedClock('2026-10-01T09:00:00.000Z'), ids: sequentialIds('a') }, contactDecider, contactStream(C), importContact(), ctx);
    const sim = simulatedClock('2026-10-15T09:00:00.000Z', 'retention --today 2026-10-15', '2026-10-01T09:05:00.000Z');
    await handleCommand({ store, clock: sim, ids: sequentialIds('b') }, contactDecider, contactStream(C), { type: 'OptOut', contactId: C, via: 'staff' }, ctx);
    const [real, simulated] = await store.readAll();
    expect(real!.metadata).not.toHaveProperty('simulatedClock');
    expect(simulated!.metadata).toMatchObject({ occurredAt: '2026-10-15T09:00:00.000Z', simulatedClock: { note: 'retention --today 2026-10-15', wallClockAt: '2026-10-01T09:05:00.000Z' } });
    // Both decode: the mark is optional, so events stored before it existed read as before.
    for (const raw of [real!, simulated!]) expect(E.isRight(decodeEvent(raw))).toBe(true);
  });

  it('R-AUD-1 an offset clock runs on the wall clock moved to a later day and marks what it writes', () => {
    const wall = fixedClock('2026-10-01T09:05:00.000Z');
    const later = offsetClock(wall, 14 * 86_400_000, 'delete-leavers --today 2026-10-15');
    expect(later.now()).toBe('2026-10-15T09:05:00.000Z');
    expect(later.simulated).toEqual({ note: 'delete-leavers --today 2026-10-15', wallClockAt: '2026-10-01T09:05:00.000Z' });
  });

  it('R-DEL-2 retention counts 14 school days by its own clock: a minute after a deletion nothing is due, whatever day is asked about', async () => {
    const store: EventStore = memoryStore();
    const at = (iso: string) => ({ store, clock: fixedClock(iso), ids: sequentialIds(iso) });
    // Deleted at 23:30 UTC on 1 July: 2 July in London.
    const m = 'm-1';
    const stream = memberStream(m);
    const put = async (iso: string, cmd: Parameters<typeof memberDecider.decide>[0]) => {
      const r = await handleCommand(at(iso), memberDecider, stream, cmd, ctx);
      if (E.isLeft(r)) throw new Error(r.left.message);
    };
    await put('2026-06-01T08:00:00.000Z', { type: 'AddMember', memberId: m, kind: 'external', name: { given: 'A', family: 'B' } });
    const deleted = await deleteLeaver(at('2026-07-01T23:30:00.000Z'), m, ctx, async () => []);
    expect(E.isRight(deleted)).toBe(true);
    const candidates = [{ subject: 'member' as const, id: m, deletedAt: '2026-07-01T23:30:00.000Z' }];
    const soon = await runRetention(at('2026-07-01T23:31:00.000Z'), candidates, { ...ctx, actor: { kind: 'system', name: 'retention' } });
    expect(soon).toMatchObject({ today: '2026-07-02', anonymised: [], notYetDue: 1 });
    // 15 July in London is 13 days after 2 July: not yet (in UTC it would have been 14).
    expect(dueForAnonymisation('2026-07-01T23:30:00.000Z', '2026-07-15')).toBe(false);
    expect(dueForAnonymisation('2026-07-01T23:30:00.000Z', '2026-07-15', 'UTC')).toBe(true);
    const early = await runRetention(at('2026-07-15T20:00:00.000Z'), candidates, { ...ctx, actor: { kind: 'system', name: 'retention' } });
    expect(early.anonymised).toEqual([]);
    const due = await runRetention(at('2026-07-15T23:10:00.000Z'), candidates, { ...ctx, actor: { kind: 'system', name: 'retention' } });
    expect(due).toMatchObject({ today: '2026-07-16', anonymised: candidates });
  });
});
