/** Sign-in throttling: failures counted per email address and per client address over a window; a success clears the email's count. */

/** A throttle. */
export interface SignInThrottle {
  /** Milliseconds to wait before trying again, or 0 when a try is allowed. */
  readonly waitMs: (email: string, client: string, now: number) => number;
  readonly failed: (email: string, client: string, now: number) => void;
  readonly succeeded: (email: string) => void;
}

/** The limits: this many failures per email, and per client, within the window. */
export interface ThrottleLimits {
  readonly perEmail: number;
  readonly perClient: number;
  readonly windowMs: number;
}

/** Five wrong passwords for one address, or twenty from one client, in fifteen minutes. */
export const DEFAULT_THROTTLE: ThrottleLimits = { perEmail: 5, perClient: 20, windowMs: 15 * 60_000 };

const MAX_KEYS = 10_000;

/** A throttle in memory. */
export const memoryThrottle = (limits: ThrottleLimits = DEFAULT_THROTTLE): SignInThrottle => {
  const failures = new Map<string, number[]>();
  const recent = (key: string, now: number): number[] => {
    const list = (failures.get(key) ?? []).filter((t) => now - t < limits.windowMs);
    if (list.length === 0) failures.delete(key);
    else failures.set(key, list);
    return list;
  };
  const wait = (key: string, max: number, now: number): number => {
    const list = recent(key, now);
    return list.length >= max ? limits.windowMs - (now - list[list.length - max]!) : 0;
  };
  return {
    waitMs: (email, client, now) => Math.max(wait(`e:${email.trim().toLowerCase()}`, limits.perEmail, now), wait(`c:${client}`, limits.perClient, now)),
    failed: (email, client, now) => {
      for (const key of [`e:${email.trim().toLowerCase()}`, `c:${client}`]) {
        // A flood of made-up addresses cannot grow the map without bound.
        if (!failures.has(key) && failures.size >= MAX_KEYS) failures.delete(failures.keys().next().value!);
        failures.set(key, [...recent(key, now), now]);
      }
    },
    succeeded: (email) => void failures.delete(`e:${email.trim().toLowerCase()}`),
  };
};
