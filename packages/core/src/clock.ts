/** Time comes into the core as a value: a Clock port, never the system clock. */

/** An instant as an ISO 8601 string in UTC (e.g. 2026-05-03T09:00:00.000Z). */
export type Instant = string;
/** A calendar date, YYYY-MM-DD. */
export type LocalDate = string;

/** The port through which the edges give the core the current instant. */
export interface Clock {
  readonly now: () => Instant;
}

/** A clock that always says the same instant (tests, replays, imports with `--today`). */
export const fixedClock = (at: Instant): Clock => ({ now: () => at });

/** A clock that starts at an instant and moves on by `stepMs` each time it is read. */
export const steppingClock = (start: Instant, stepMs = 1000): Clock => {
  let ms = Date.parse(start);
  return {
    now: () => {
      const at = new Date(ms).toISOString();
      ms += stepMs;
      return at;
    },
  };
};

// Hand-written: two one-line functions over ISO strings, pure and zone-free. date-fns computes in the
// process's time zone and would need @date-fns/utc (a second package) to give the same answers.

/** The calendar date (UTC) of an instant. */
export const dateOf = (at: Instant): LocalDate => at.slice(0, 10);

/** Whole days from one date to another (positive when `to` is later). */
export const daysBetween = (from: LocalDate, to: LocalDate): number =>
  Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
