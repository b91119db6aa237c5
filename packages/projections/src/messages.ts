/**
 * Messages sent per day and channel (R-DSH-2), counted from `MessageSent` on contact streams. Counts are
 * kept per quarter hour (UTC) and summed into the school's days when asked, so a day is the school's day
 * in its zone whatever the zone is (every zone's offset is a whole number of quarter hours).
 */
import { DEFAULT_TIME_ZONE, addLocalDays, startOfLocalDay, type Channel, type Instant, type LocalDate, type TimeZone } from '@contactable/core';
import { instantMs } from './time.js';
import type { Projection } from './state.js';

/** Messages handed to providers on one day (confirmations of new details included). */
export interface DaySent {
  readonly date: LocalDate;
  readonly email: number;
  readonly sms: number;
}

/** The length of one counting slot. */
export const SLOT_MS = 15 * 60_000;

/** The slot (quarter hours since the epoch) an instant falls in. */
export const slotOf = (at: Instant): number => Math.floor(instantMs(at) / SLOT_MS);

/** Counts one message sent at an instant on a channel. */
export const countMessageSent = (p: Projection, at: Instant, channel: Channel): void => {
  const slot = slotOf(at);
  const counts = p.messagesBySlot.get(slot);
  if (counts === undefined) p.messagesBySlot.set(slot, { email: channel === 'email' ? 1 : 0, sms: channel === 'sms' ? 1 : 0 });
  else counts[channel] += 1;
};

/** Messages sent on one school day (from its local midnight to the next: 23 or 25 hours when the clocks change). */
export const messagesSentOn = (p: Projection, date: LocalDate, zone: TimeZone = DEFAULT_TIME_ZONE): DaySent => {
  const from = slotOf(startOfLocalDay(date, zone));
  const to = slotOf(startOfLocalDay(addLocalDays(date, 1), zone));
  let email = 0;
  let sms = 0;
  for (let slot = from; slot < to; slot++) {
    const c = p.messagesBySlot.get(slot);
    if (c === undefined) continue;
    email += c.email;
    sms += c.sms;
  }
  return { date, email, sms };
};

/** Messages sent on each of the 7 school days ending `today`, oldest first (R-DSH-2); the zone is the school's. */
export const messagesSentLast7Days = (p: Projection, today: LocalDate, zone: TimeZone = p.school.timeZone): ReadonlyArray<DaySent> => {
  const days: DaySent[] = [];
  for (let i = 6; i >= 0; i--) days.push(messagesSentOn(p, addLocalDays(today, -i), zone));
  return days;
};
