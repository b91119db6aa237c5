import { describe, expect, it } from 'vitest';
import { contactStream, ERASED, memberStream } from '@contactable/core';
import { auditTrailOf, contactView, createRunner, memberRecord, dataIssues, leavers, linkedPeople, listMembers, membersOfContact, project, rebuildFromStore, serialiseProjection } from '../src/index.js';
import { contactCmd, importContact, importStudent, link, memberCmd, runHistory, syncLinks, type Step } from './history.js';
import { appendAll, storeWith } from './store.js';

const given = (...steps: Step[]) => project(runHistory(steps));

const family: Step[] = [
  importContact('mum', { name: { given: 'Ann', family: 'Leaver' } }),
  importStudent('kid', { name: { given: 'Kit', family: 'Leaver' }, misReference: 'UPN-KIT' }),
  importStudent('sib', { name: { given: 'Sam', family: 'Stayer' } }),
  syncLinks('kid', { mum: link() }),
  syncLinks('sib', { mum: link() }),
];

describe('leavers, deletion and anonymisation (R-DEL)', () => {
  it('R-DEL-1 leavers wait for a deliberate deletion; queued, then deleted with their links', () => {
    const steps: Step[] = [...family, memberCmd({ type: 'MarkLeaver', memberId: 'kid', leftOn: '2026-07-20' })];
    let p = given(...steps);
    expect(leavers(p, '2026-09-02').awaitingDeletion).toEqual([{ memberId: 'kid', kind: 'student', name: { given: 'Kit', family: 'Leaver' }, leftOn: '2026-07-20', deletionQueued: false }]);
    steps.push(memberCmd({ type: 'QueueDeletion', memberId: 'kid' }, 'parents asked'));
    p = given(...steps);
    expect(leavers(p, '2026-09-02').awaitingDeletion[0]!.deletionQueued).toBe(true);
    steps.push(memberCmd({ type: 'CompleteDeletion', memberId: 'kid' }));
    p = given(...steps);
    expect(leavers(p, '2026-09-02').awaitingDeletion).toEqual([]);
    expect(membersOfContact(p, 'mum')).toEqual(['sib']);
    expect(linkedPeople(p, 'kid')!.linkedPeople).toEqual([]);
    expect(listMembers(p, { roll: 'deleted' }).map((m) => m.memberId)).toEqual(['kid']);
    // A deleted member raises no issue and is not counted.
    expect(dataIssues(p, { memberId: 'kid' })).toEqual([]);
  });

  it('R-DEL-2 deleted people wait for anonymisation 14 days after deletion, then show XXXX', () => {
    const steps: Step[] = [
      ...family,
      memberCmd({ type: 'MarkLeaver', memberId: 'kid', leftOn: null }),
      memberCmd({ type: 'QueueDeletion', memberId: 'kid' }),
      memberCmd({ type: 'CompleteDeletion', memberId: 'kid' }),
      syncLinks('sib', {}),
      contactCmd({ type: 'DeleteContact', contactId: 'mum', cause: 'no-members-left' }),
    ];
    let p = given(...steps);
    const deletedOn = memberRecord(p, 'kid')!.deletedAt!.slice(0, 10);
    expect(deletedOn).toBe('2026-09-01');
    const waiting = leavers(p, '2026-09-14').awaitingAnonymisation;
    expect(waiting.map((w) => [w.subject, w.id, w.dueOn, w.due])).toEqual([
      ['member', 'kid', '2026-09-15', false],
      ['contact', 'mum', '2026-09-15', false],
    ]);
    expect(leavers(p, '2026-09-15').awaitingAnonymisation.every((w) => w.due)).toBe(true);
    steps.push({ kind: 'advance', hours: 24 * 15 }, memberCmd({ type: 'AnonymiseMember', memberId: 'kid', today: '' }), contactCmd({ type: 'AnonymiseContact', contactId: 'mum', today: '' }));
    p = given(...steps);
    expect(leavers(p, '2026-09-20').awaitingAnonymisation).toEqual([]);
    expect(listMembers(p, { roll: 'deleted' })[0]).toMatchObject({ name: { given: ERASED, family: ERASED }, misReference: ERASED, roll: { status: 'deleted', anonymised: true } });
    expect(contactView(p, 'mum')).toMatchObject({ name: { given: ERASED, family: ERASED }, email: { value: ERASED }, mobile: { value: ERASED } });
  });

  it('R-DEL-3 after erasure no personal value of the person is left in the projection, and a rebuild from the erased log gives the same bytes', async () => {
    const steps: Step[] = [
      ...family,
      memberCmd({ type: 'MarkLeaver', memberId: 'kid', leftOn: null }),
      memberCmd({ type: 'QueueDeletion', memberId: 'kid' }),
      memberCmd({ type: 'CompleteDeletion', memberId: 'kid' }),
      syncLinks('sib', {}),
      contactCmd({ type: 'DeleteContact', contactId: 'mum', cause: 'no-members-left' }),
      { kind: 'advance', hours: 24 * 15 },
      memberCmd({ type: 'AnonymiseMember', memberId: 'kid', today: '' }),
      contactCmd({ type: 'AnonymiseContact', contactId: 'mum', today: '' }),
    ];
    const events = runHistory(steps);
    const anonymisedFrom = events.findIndex((e) => e.type === 'MemberAnonymised');
    const store = await storeWith(events.slice(0, anonymisedFrom));
    // Given a live projection that saw the plain values
    const runner = createRunner({ store });
    await runner.start();
    expect(serialiseProjection(runner.projection)).toMatch(/Kit|UPN-KIT|ann\.parent/);
    // When the anonymisation lands and the store forgets them
    await appendAll(store, events.slice(anonymisedFrom));
    await runner.waitFor(events.length);
    await store.forget(memberStream('kid'));
    await store.forget(contactStream('mum'));
    await runner.stop();
    // Then the live views hold none of it, and a rebuild from the erased log is byte-identical
    const live = serialiseProjection(runner.projection);
    expect(live).not.toMatch(/Kit|UPN-KIT|ann\.parent|Ann|\+447911123456/);
    expect(serialiseProjection(await rebuildFromStore(store))).toBe(live);
    // And the sibling still shows
    expect(live).toMatch(/Stayer/);
  });

  it('R-DEL-4 the audit trail keeps the facts with personal data shown as XXXX', async () => {
    const events = runHistory([...family, memberCmd({ type: 'MarkLeaver', memberId: 'kid', leftOn: '2026-07-20' }, 'left the area')]);
    const store = await storeWith(events);
    const before = await auditTrailOf(store, { memberId: 'kid' });
    expect(before.entries[0]!.summary).toBe('imported from sims as student Kit Leaver, on roll, MIS reference UPN-KIT');
    await store.forget(memberStream('kid'));
    const after = await auditTrailOf(store, { memberId: 'kid' });
    expect(after.entries.map((e) => [e.type, e.actor, e.at, e.reasonCode])).toEqual(before.entries.map((e) => [e.type, e.actor, e.at, e.reasonCode]));
    expect(after.entries[0]!.summary).toBe('imported from sims as student XXXX XXXX, on roll, MIS reference XXXX');
    // The free-text reason is about the person: erased with them (R-DEL-3); the fact and who did it stay.
    expect(before.entries.at(-1)).toMatchObject({ type: 'MarkedLeaver', reason: 'left the area' });
    expect(after.entries.at(-1)).toMatchObject({ type: 'MarkedLeaver', summary: 'marked a leaver (left on 2026-07-20)', reason: 'XXXX', actor: 'import nightly' });
    expect(JSON.stringify(after)).not.toMatch(/Kit|UPN-KIT/);
  });
});
