/** Messages sent per day and channel (R-DSH-2), counted from `MessageSent` on contact streams. */
import type { Channel, Instant, LocalDate } from '@contactable/core';
import { addDays, dayOf } from './time.js';
import type { Projection } from './state.js';

/** Messages handed to providers on one day (confirmations of new details included). */
export interface DaySent {
  readonly date: LocalDate;
  readonly email: number;
  readonly sms: number;
}

/** Counts one message sent at an instant on a channel. */
export const countMessageSent = (p: Projection, at: Instant, channel: Channel): void => {
  const day = dayOf(at);
  const counts = p.messagesByDay.get(day);
  if (counts === undefined) p.messagesByDay.set(day, { email: channel === 'email' ? 1 : 0, sms: channel === 'sms' ? 1 : 0 });
  else counts[channel] += 1;
};

/** Messages sent on each of the 7 days ending `today` (UTC days), oldest first (R-DSH-2). */
export const messagesSentLast7Days = (p: Projection, today: LocalDate): ReadonlyArray<DaySent> => {
  const days: DaySent[] = [];
  for (let i = 6; i >= 0; i--) {
    const date = addDays(today, -i);
    const c = p.messagesByDay.get(date);
    days.push({ date, email: c?.email ?? 0, sms: c?.sms ?? 0 });
  }
  return days;
};
