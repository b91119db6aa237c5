/** Time comes into the core as a value: a Clock port, never the system clock. */

/** An instant as an ISO 8601 string in UTC (e.g. 2026-05-03T09:00:00.000Z). */
export type Instant = string;
/** A calendar date, YYYY-MM-DD. */
export type LocalDate = string;

/**
 * Why a clock is not the wall clock (a demo, a test, a command run for a future day), and the wall
 * clock's instant when it was set up. Every event written under it says so (`metadata.simulatedClock`).
 */
export interface SimulatedClock {
  readonly note: string;
  /** The real instant the simulation began, when the edge knew it. */
  readonly wallClockAt: Instant | null;
}

/** The port through which the edges give the core the current instant. */
export interface Clock {
  readonly now: () => Instant;
  /** Present on a simulated clock: the events it stamps are marked as written under it. */
  readonly simulated?: SimulatedClock;
}

/** A clock that always says the same instant (a test's stand-in for the wall clock, replays). */
export const fixedClock = (at: Instant): Clock => ({ now: () => at });

/** A simulated clock set by hand (the demo's day), marked on every event written under it. */
export const simulatedClock = (start: Instant, note: string, wallClockAt: Instant | null = null): Clock & { readonly set: (at: Instant) => void } => {
  let now = start;
  return { now: () => now, set: (at) => (now = at), simulated: { note, wallClockAt } };
};

/** The wall clock moved on by `offsetMs` (a command run as if on a later day), marked on every event written under it. */
export const offsetClock = (wall: Clock, offsetMs: number, note: string): Clock => {
  const wallClockAt = wall.now();
  return { now: () => new Date(Date.parse(wall.now()) + offsetMs).toISOString(), simulated: { note, wallClockAt } };
};

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

/** The calendar date (UTC) of an instant; the school's day is `localDayOf` (zone.ts). */
export const dateOf = (at: Instant): LocalDate => at.slice(0, 10);

/** Whole days from one date to another (positive when `to` is later). */
export const daysBetween = (from: LocalDate, to: LocalDate): number =>
  Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
