/** Rate limiting per provider, injected fetch, and redaction of provider texts. */
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { backoffDelay, defaultRetryPolicy, providerError, providerFromUrl, rateLimiter, redact, withRateLimit, type FetchLike, type Timing } from '@contactable/adapters-messaging';
import { fakeEmail } from './support/fakes.js';

const fakeTiming = (): Timing & { readonly at: () => number } => {
  let now = 0;
  return { now: () => now, sleep: async (ms) => void (now += ms), at: () => now };
};

describe('rate limiting', () => {
  it('R-CON-9: calls through one provider start at most `rate` a second, concurrent callers queueing', async () => {
    // Time stands still while five callers arrive together: each is told to wait one slot longer.
    const waits: number[] = [];
    const timing: Timing = { now: () => 0, sleep: async (ms) => void waits.push(ms) };
    const fake = fakeEmail();
    const limited = withRateLimit(fake.provider, 10, timing);
    await Promise.all(Array.from({ length: 5 }, (_, i) => limited.send({ to: `p${i}@example.org`, subject: null, body: 'b', messageId: 'm', contactId: `c${i}`, reference: `m:c${i}` })));
    expect(waits).toEqual([100, 200, 300, 400]);
    expect(fake.sent).toHaveLength(5);
  });

  it('R-CON-9: an unlimited rate never waits', async () => {
    const timing = fakeTiming();
    const limiter = rateLimiter(Number.POSITIVE_INFINITY, timing);
    for (let i = 0; i < 100; i++) await limiter.take();
    expect(timing.at()).toBe(0);
  });

  it('R-CON-9: backoff doubles, honours Retry-After, and is capped', () => {
    const err = providerError('x', 'retryable', 'e');
    expect([1, 2, 3, 4].map((n) => backoffDelay(defaultRetryPolicy, n, err))).toEqual([500, 1000, 2000, 4000]);
    expect(backoffDelay(defaultRetryPolicy, 1, { ...err, retryAfterMs: 7000 })).toBe(7000);
    expect(backoffDelay(defaultRetryPolicy, 12, err)).toBe(30_000);
  });

  it('R-CON-9: the HTTP providers use an injected fetch', async () => {
    const calls: string[] = [];
    const fetch: FetchLike = async (url) => {
      calls.push(url);
      return new Response('', { status: 202, headers: { 'x-message-id': 'via-injected' } });
    };
    const set = providerFromUrl('sendgrid://KEY@api.sendgrid.com?from=office@school.example', { fetch });
    if (E.isLeft(set)) throw new Error(set.left.message);
    expect(await set.right.email!.send({ to: 'a@example.org', subject: 's', body: 'b', messageId: 'm', contactId: 'c', reference: 'm:c' })).toEqual(E.right({ providerMessageId: 'via-injected' }));
    expect(calls).toEqual(['https://api.sendgrid.com/v3/mail/send']);
  });
});

describe('redaction', () => {
  it('R-DEL-3: provider texts lose addresses and numbers, keep SMTP codes', () => {
    expect(redact('550 5.1.1 <jane@example.com>: Recipient address rejected')).toBe('550 5.1.1 <[address]>: Recipient address rejected');
    expect(redact("The 'To' number +44 7911 123456 is not a valid phone number.")).toBe("The 'To' number [number] is not a valid phone number.");
    expect(redact('bad@@example.org is invalid')).toBe('[address] is invalid');
  });
});
