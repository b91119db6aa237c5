/**
 * The forgery matrix in CI (forgery.chaos.test.ts runs it on every kind of store): 51 forged callbacks
 * over SendGrid, Twilio, SES/SNS and GOV.UK Notify are refused, each for its own reason and with nothing
 * written; the genuine ones beside them are accepted.
 */
import { describe, expect, it } from 'vitest';
import { memoryStore } from '../../packages/core/src/index.js';
import { runMatrix } from './support/forgeries.js';

describe('forged callbacks (slice)', () => {
  it('R-CON-2 R-CON-3 R-CON-4 R-CON-5 R-AUD-1 every forgery over the four providers is refused for its reason and writes nothing; genuine callbacks are accepted', async () => {
    const outcomes = await runMatrix(memoryStore());
    const forgeries = outcomes.filter((o) => !o.c.genuine);
    expect(forgeries.length).toBeGreaterThanOrEqual(40);
    expect(new Set(forgeries.map((o) => o.c.provider))).toEqual(new Set(['sendgrid', 'twilio', 'ses', 'notify']));
    const wrong = forgeries.filter((o) => o.accepted || o.eventsWritten > 0 || !o.c.reasons.includes(o.reason ?? ''));
    expect(wrong.map((o) => `${o.c.provider}: ${o.c.name} -> ${o.reason ?? 'accepted'} (${o.eventsWritten} written)`)).toEqual([]);
    // Every refusal says what was wrong, and names no address or number.
    for (const o of forgeries) {
      expect(o.message).toMatch(new RegExp(`^${o.c.provider} callback rejected \\(${o.reason}\\): .{10,}`));
      expect(o.message).not.toMatch(/parent@example\.org|447911123456/);
    }
    const genuine = outcomes.filter((o) => o.c.genuine);
    expect(genuine.filter((o) => !o.accepted).map((o) => `${o.c.provider}: ${o.c.name}: ${o.message}`)).toEqual([]);
    expect(genuine.every((o) => o.eventsWritten > 0)).toBe(true);
  });
});
