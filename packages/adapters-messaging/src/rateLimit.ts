/** Spaces a provider's calls to a steady rate, shared by every send through that provider. */
import type { Provider } from './ports.js';

/** Clock and sleep for the limiter (tests pass fakes). */
export interface Timing {
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
}

/** Real time. */
export const realTiming: Timing = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** A limiter: `take()` resolves when the next call may start, at most `perSecond` starts per second. */
export const rateLimiter = (perSecond: number, timing: Timing = realTiming): { readonly take: () => Promise<void> } => {
  if (!(perSecond > 0) || !Number.isFinite(perSecond)) return { take: async () => {} };
  const interval = 1000 / perSecond;
  let next = -Infinity;
  return {
    take: async () => {
      const now = timing.now();
      const at = Math.max(now, next);
      // Reserve the slot before waiting, so concurrent callers queue behind each other.
      next = at + interval;
      if (at > now) await timing.sleep(at - now);
    },
  };
};

/** Wraps a provider so its sends (and lookups) start at most `perSecond` times a second. */
export const withRateLimit = <P extends Provider>(provider: P, perSecond: number, timing: Timing = realTiming): P => {
  const limiter = rateLimiter(perSecond, timing);
  const lookup = provider.lookup;
  return {
    ...provider,
    send: async (m) => {
      await limiter.take();
      return provider.send(m);
    },
    ...(lookup !== undefined
      ? {
          lookup: async (reference: string) => {
            await limiter.take();
            return lookup(reference);
          },
        }
      : {}),
  };
};
