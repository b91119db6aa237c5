/** Spaces a provider's calls to a steady rate, shared by every send through that provider (p-throttle). */
import pThrottle from 'p-throttle';
import type { Provider } from './ports.js';

/** Clock and sleep for the retries between attempts (tests pass fakes). */
export interface Timing {
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
}

/** Real time. */
export const realTiming: Timing = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** A limiter: `take()` resolves when the next call may start, at most `perSecond` starts per second; not a number above 0: no limit. */
export const rateLimiter = (perSecond: number): { readonly take: () => Promise<void> } => {
  if (!(perSecond > 0) || !Number.isFinite(perSecond)) return { take: async () => {} };
  // One start per interval, measured call by call (strict), so concurrent callers queue one behind another.
  const take = pThrottle({ limit: 1, interval: 1000 / perSecond, strict: true })(async (): Promise<void> => {});
  return { take: () => take() };
};

/** Wraps a provider so its sends (and lookups) start at most `perSecond` times a second. */
export const withRateLimit = <P extends Provider>(provider: P, perSecond: number): P => {
  const limiter = rateLimiter(perSecond);
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
