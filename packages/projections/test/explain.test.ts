import { describe, expect, it } from 'vitest';
import type { ContactEvent, StoredEvent } from '@contactable/core';
import { explainContactability, explainFromStore } from '../src/index.js';
import { contactCmd, email, feedback, importContact, mobile, runHistory, type Step } from './history.js';
import { storeWith } from './store.js';

const streamOf = (steps: Step[]) => runHistory(steps).filter((e) => e.streamId === 'contact-c') as StoredEvent<ContactEvent>[];
const explain = (steps: Step[], channel: 'email' | 'sms', at: string) => explainContactability(streamOf(steps), channel, at);
const standing = (x: ReturnType<typeof explain>) => x.reasons.filter((r) => r.standing).map((r) => r.because);

describe('explain (R-AUD-3)', () => {
  it('R-AUD-3 opted out: who, when and the reason they gave', () => {
    const x = explain([importContact('c'), { kind: 'advance', hours: 24 * 4 }, contactCmd({ type: 'OptOut', contactId: 'c', via: 'staff' }, 'asked at reception')], 'email', '2026-09-10T00:00:00Z');
    expect(x.usable).toBe(false);
    expect(x.reasons.find((r) => r.event === 'OptedOut')).toMatchObject({
      at: '2026-09-05T09:00:00.000Z',
      actor: 'J. Smith',
      reason: 'asked at reception',
      because: 'opted out on 5 Sep 2026, recorded by staff, by J. Smith, reason: asked at reception',
      standing: true,
    });
    expect(x.summary).toBe('email not usable: opted out on 5 Sep 2026, recorded by staff, by J. Smith, reason: asked at reception');
  });

  it('R-AUD-3 email blocked after permanent failures on three days, listed', () => {
    const x = explain(
      [importContact('c'), feedback('c', 'perm', 'email', '2026-09-02T10:00:00Z'), feedback('c', 'ok', 'sms', '2026-09-03T10:00:00Z'), feedback('c', 'perm', 'email', '2026-09-05T10:00:00Z'), { kind: 'advance', hours: 24 * 8 }, feedback('c', 'perm', 'email', '2026-09-09T10:00:00Z')],
      'email',
      '2026-09-20T00:00:00Z',
    );
    expect(x.usable).toBe(false);
    expect(standing(x)).toEqual(['email address held since import on 1 Sep 2026', 'email blocked on 9 Sep 2026 after permanent failures on 2, 5 and 9 Sep 2026']);
    expect(x.reasons.find((r) => r.event === 'Blocked')!.actor).toBe('test callback');
    // The other channel is unaffected.
    expect(explain([importContact('c')], 'sms', '2026-09-20T00:00:00Z').usable).toBe(true);
  });

  it('R-AUD-3 no mobile held, and a mobile invalid since an import', () => {
    expect(standing(explain([importContact('c', { mobile: null })], 'sms', '2026-09-02T00:00:00Z'))).toEqual(['no mobile number held since import on 1 Sep 2026']);
    const bad = explain([importContact('c'), { kind: 'advance', hours: 48 }, importContact('c', { mobile: mobile('077009001234567') })], 'sms', '2026-09-10T00:00:00Z');
    expect(bad.summary).toBe('sms not usable: mobile invalid (badly formed mobile number) since import on 3 Sep 2026');
  });

  it('R-AUD-3 usable again: the re-enable and its block are history, not reasons', () => {
    const x = explain(
      [importContact('c'), feedback('c', 'spam', 'email', '2026-09-02T10:00:00Z'), { kind: 'advance', hours: 24 * 3 }, contactCmd({ type: 'ReEnable', contactId: 'c', channel: 'email', confirmedWithContact: true }, 'phoned the parent')],
      'email',
      '2026-09-10T00:00:00Z',
    );
    expect(x.usable).toBe(true);
    expect(x.reasons.map((r) => [r.event, r.standing])).toEqual([
      ['ContactImported', true],
      ['Blocked', false],
      ['ReEnabled', false],
    ]);
    expect(x.reasons[1]!.because).toBe('email blocked on 1 Sep 2026 after the recipient marked an email as spam (test callback, 2 Sep 2026)');
    expect(x.reasons[2]!.because).toBe('email re-enabled on 4 Sep 2026 by J. Smith after checking with the contact, reason: phoned the parent');
    expect(x.summary).toBe('email usable: email address held since import on 1 Sep 2026');
  });

  it('R-AUD-3 a failure block lapses when the MIS brings a new address', () => {
    const x = explain([importContact('c'), ...[1, 2, 3].map((d) => feedback('c', 'perm', 'email', `2026-09-0${d}T10:00:00Z`)), importContact('c', { email: email('fresh@example.org') })], 'email', '2026-09-10T00:00:00Z');
    expect(x.usable).toBe(true);
    expect(x.reasons.map((r) => r.because)).toEqual([
      'email blocked on 1 Sep 2026 after permanent failures on 1, 2 and 3 Sep 2026',
      'email address held since import on 1 Sep 2026',
      'email block lapsed on 1 Sep 2026: the MIS brought a new email address',
    ]);
    expect(JSON.stringify(x)).not.toMatch(/@/);
  });

  it('R-AUD-3 as of an instant before the block, the channel was usable', () => {
    const steps = [importContact('c'), { kind: 'advance', hours: 24 * 5 } as Step, ...[1, 2, 3].map((d) => feedback('c', 'perm', 'email', `2026-09-0${d}T10:00:00Z`))];
    expect(explain(steps, 'email', '2026-09-03T00:00:00Z').usable).toBe(true);
    expect(explain(steps, 'email', '2026-09-07T00:00:00Z').usable).toBe(false);
  });

  it('R-AUD-3 a contact not held, or deleted, says so; the store-backed answer is the same', async () => {
    expect(explain([], 'email', '2026-09-10T00:00:00Z')).toMatchObject({ usable: false, summary: 'email not usable: the contact was not held by this school on 10 Sep 2026' });
    const steps = [importContact('c'), contactCmd({ type: 'DeleteContact', contactId: 'c', cause: 'no-members-left' }, 'last pupil left')];
    const x = explain(steps, 'sms', '2026-09-10T00:00:00Z');
    expect(x.summary).toBe('sms not usable: contact deleted on 1 Sep 2026 by J. Smith, reason: last pupil left');
    const store = await storeWith(runHistory(steps));
    const fromStore = await explainFromStore(store, 'c', 'sms', '2026-09-10T00:00:00Z');
    expect({ ...fromStore, failures: undefined }).toEqual({ ...x, contactId: 'c', failures: undefined });
  });
});

describe('explanations read as the office writes dates', () => {
  it('R-AUD-3 failures on one day are told by their times; on different days by their dates', async () => {
    const { formatDays } = await import('../src/time.js');
    expect(formatDays(['2026-09-08T09:00:00.000Z', '2026-09-08T11:00:00.000Z', '2026-09-08T13:00:00.000Z'])).toBe('10:00, 12:00 and 14:00 BST on 8 Sep 2026');
    // The school's zone decides the day and the clock: in December London is on GMT; 23:30 UTC in summer is the next day.
    expect(formatDays(['2026-12-08T09:00:00.000Z', '2026-12-08T11:00:00.000Z'])).toBe('09:00 and 11:00 GMT on 8 Dec 2026');
    expect(formatDays(['2026-07-01T23:30:00.000Z', '2026-07-02T08:00:00.000Z'])).toBe('00:30 and 09:00 BST on 2 Jul 2026');
    expect(formatDays(['2026-07-01T23:30:00.000Z', '2026-07-02T08:00:00.000Z'], 'UTC')).toBe('1 and 2 Jul 2026');
    // Across the clock change the label is given with each time.
    expect(formatDays(['2026-10-25T00:30:00.000Z', '2026-10-25T09:00:00.000Z'])).toBe('01:30 BST and 09:00 GMT on 25 Oct 2026');
    expect(formatDays(['2026-05-02T09:00:00.000Z', '2026-05-05T09:00:00.000Z', '2026-05-09T09:00:00.000Z'])).toBe('2, 5 and 9 May 2026');
    expect(formatDays(['2026-04-30T09:00:00.000Z', '2026-05-02T09:00:00.000Z'])).toBe('30 Apr 2026 and 2 May 2026');
    expect(formatDays(['2026-05-02T09:00:00.000Z', '2026-05-02T10:00:00.000Z', '2026-05-03T09:00:00.000Z'])).toBe('2 May 2026 10:00 BST, 2 May 2026 11:00 BST and 3 May 2026 10:00 BST');
  });
});
