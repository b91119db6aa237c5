/** Rate limiting per provider, injected fetch, and redaction of provider texts. */
import * as E from 'fp-ts/lib/Either.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { backoffDelay, defaultRetryPolicy, providerError, providerFromUrl, rateLimiter, redact, withRateLimit, type FetchLike } from '@contactable/adapters-messaging';
import { fakeEmail } from './support/fakes.js';

describe('rate limiting', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('R-CON-9: calls through one provider start at most `rate` a second, concurrent callers queueing', async () => {
    // Fake time: five callers arrive together and each starts one slot (100 ms at 10 a second) after the last.
    vi.useFakeTimers({ now: 0 });
    const fake = fakeEmail();
    const startedAt: number[] = [];
    const inner = fake.provider;
    const limited = withRateLimit({ ...inner, send: (m) => (startedAt.push(Date.now()), inner.send(m)) }, 10);
    const all = Promise.all(Array.from({ length: 5 }, (_, i) => limited.send({ to: `p${i}@example.org`, subject: null, body: 'b', messageId: 'm', contactId: `c${i}`, reference: `m:c${i}` })));
    await vi.advanceTimersByTimeAsync(1_000);
    await all;
    expect(startedAt).toEqual([0, 100, 200, 300, 400]);
    expect(fake.sent).toHaveLength(5);
  });

  it('R-CON-9: an unlimited rate never waits', async () => {
    vi.useFakeTimers({ now: 0 });
    const limiter = rateLimiter(Number.POSITIVE_INFINITY);
    for (let i = 0; i < 100; i++) await limiter.take();
    expect(Date.now()).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
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
