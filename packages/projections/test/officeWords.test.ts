import { describe, expect, it } from 'vitest';
import { eventWords, formatDayOf, formatInstant, formatLocalDate, localDateOf, nextTimeOfDay, officeText, relationshipWords, zoneLabel } from '../src/index.js';

describe('times in the school zone', () => {
  it('labels London times BST in summer and GMT in winter', () => {
    expect(formatInstant('2026-09-08T13:05:00.000Z')).toBe('8 Sep 2026, 14:05 BST');
    expect(formatInstant('2026-12-08T13:05:00.000Z')).toBe('8 Dec 2026, 13:05 GMT');
    expect(zoneLabel('2026-03-29T00:59:00Z')).toBe('GMT');
    expect(zoneLabel('2026-03-29T01:00:00Z')).toBe('BST');
  });

  it('takes the zone as a parameter', () => {
    expect(formatInstant('2026-09-08T13:05:00.000Z', 'Europe/Paris')).toBe('8 Sep 2026, 15:05 CEST');
    expect(formatDayOf('2026-09-08T23:30:00.000Z')).toBe('9 Sep 2026');
    expect(localDateOf('2026-09-08T23:30:00.000Z')).toBe('2026-09-09');
    expect(localDateOf('2026-09-08T23:30:00.000Z', 'UTC')).toBe('2026-09-08');
    expect(formatLocalDate('2026-09-08')).toBe('Tue 8 Sep 2026');
  });

  it('R-OPS-1 finds the next local time of day, across the clock changes', () => {
    // 02:00 local on a summer day is 01:00 UTC.
    expect(new Date(nextTimeOfDay('02:00', Date.parse('2026-07-01T12:00:00Z'))).toISOString()).toBe('2026-07-02T01:00:00.000Z');
    expect(new Date(nextTimeOfDay('02:00', Date.parse('2026-07-01T00:30:00Z'))).toISOString()).toBe('2026-07-01T01:00:00.000Z');
    // In winter it is 02:00 UTC; the night the clocks go back keeps 02:00 local.
    expect(new Date(nextTimeOfDay('02:00', Date.parse('2026-12-01T12:00:00Z'))).toISOString()).toBe('2026-12-02T02:00:00.000Z');
    expect(new Date(nextTimeOfDay('02:00', Date.parse('2026-10-24T12:00:00Z'))).toISOString()).toBe('2026-10-25T02:00:00.000Z');
    expect(() => nextTimeOfDay('2am', 0)).toThrow(/HH:MM/);
  });
});

describe('codes in words', () => {
  it('says relationship codes and event types in words, and keeps rule ids out of office text', () => {
    expect(['PAM', 'paf', 'CAR', 'Mother', ''].map(relationshipWords)).toEqual(['Mother', 'Father', 'Carer', 'Mother', 'Contact']);
    expect(eventWords('OptedOut')).toBe('Opted out');
    expect(eventWords('SomethingNewHappened')).toBe('Something new happened');
    expect(officeText('update them in the MIS, not the address book (R-IMP-11).')).toBe('update them in the MIS, not the address book.');
    expect(officeText('email blocked on 2026-09-08 (permanent-bounce)')).toBe('email blocked on 2026-09-08 (emails to this address failed three times)');
  });
});
