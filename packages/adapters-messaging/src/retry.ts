/**
 * Retries a provider call on retryable errors with bounded exponential backoff (sleep is injected for tests).
 *
 * Hand-written on purpose: the loop's decisions are the domain, not the schedule. A permanent error
 * stops at once; before retrying an ambiguous failure the provider is asked whether it took the message;
 * a Retry-After can lengthen a wait; the outcome is a value with its attempt count. p-retry, the maintained
 * library, covers only the schedule, steers by exceptions, waits on real timers with no sleep to inject,
 * and its current major needs Node 22.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { Accepted, Provider, ProviderError, OutboundMessage } from './ports.js';

/** How hard to retry. */
export interface RetryPolicy {
  /** Attempts in all, the first included (default 5). */
  readonly maxAttempts: number;
  /** The first wait (default 500 ms); each later wait doubles. */
  readonly baseDelayMs: number;
  /** No wait is longer than this, even when the provider asks (default 30 s). */
  readonly maxDelayMs: number;
  /**
   * Retry after a hand-over with no answer (a timeout) even when the provider cannot be asked whether it
   * took the message (SMTP, SendGrid, Twilio): true favours delivery at the risk of a second copy;
   * false (default) never risks one and leaves the recipient in doubt, for staff to decide.
   */
  readonly retryAmbiguous: boolean;
}

/** The default policy: 5 attempts, 0.5 s, 1 s, 2 s, 4 s between them; no blind retry after a hand-over with no answer. */
export const defaultRetryPolicy: RetryPolicy = { maxAttempts: 5, baseDelayMs: 500, maxDelayMs: 30_000, retryAmbiguous: false };

/** The wait before attempt `attempt + 1` (attempt counts from 1): the larger of backoff and Retry-After, capped. */
export const backoffDelay = (policy: RetryPolicy, attempt: number, error: ProviderError): number =>
  Math.min(policy.maxDelayMs, Math.max(policy.baseDelayMs * 2 ** (attempt - 1), error.retryAfterMs ?? 0));

/** What a send with retries came to, and how many attempts it took. */
export interface SendOutcome {
  readonly result: E.Either<ProviderError, Accepted>;
  readonly attempts: number;
}

/**
 * Sends with retries. Permanent errors are returned at once. Before retrying after an ambiguous
 * error (a timeout: the provider may have taken it), a provider that can look up our reference is
 * asked first, so a retry does not send twice. A provider that cannot be asked is retried only when
 * the policy allows it (`retryAmbiguous`): that retry is the one place a duplicate can still happen.
 */
export const sendWithRetry = async (
  provider: Provider,
  message: OutboundMessage,
  policy: RetryPolicy,
  sleep: (ms: number) => Promise<void>,
): Promise<SendOutcome> => {
  let attempt = 1;
  for (;;) {
    const result = await provider.send(message);
    if (E.isRight(result) || result.left.kind === 'permanent' || attempt >= policy.maxAttempts) return { result, attempts: attempt };
    if (result.left.ambiguous && provider.lookup === undefined && !policy.retryAmbiguous) return { result, attempts: attempt };
    await sleep(backoffDelay(policy, attempt, result.left));
    if (result.left.ambiguous && provider.lookup !== undefined) {
      const found = await provider.lookup(message.reference);
      if (E.isRight(found) && found.right !== null) return { result: E.right(found.right), attempts: attempt };
    }
    attempt += 1;
  }
};
