/** The subject access page and the office's clock: every value escaped, times in the school's zone (Europe/London with BST or GMT by default). */
import { describe, expect, it } from 'vitest';
import type { SubjectAccessReport } from '@contactable/projections';
import { escapeHtml, subjectAccessDocument, subjectAccessHtml } from '../src/commands/subjectAccess.js';
import { schoolTime as londonTime } from '../src/schoolTime.js';

describe('London time', () => {
  it('says BST in summer and GMT in winter, across both changes of the clocks', () => {
    expect(londonTime('2026-09-01T09:00:00Z')).toBe('1 Sep 2026, 10:00 BST');
    expect(londonTime('2026-12-01T09:00:00Z')).toBe('1 Dec 2026, 09:00 GMT');
    // Clocks go forward at 01:00 GMT on the last Sunday of March, back at 01:00 GMT on the last Sunday of October.
    expect(londonTime('2026-03-29T00:59:00Z')).toBe('29 Mar 2026, 00:59 GMT');
    expect(londonTime('2026-03-29T01:00:00Z')).toBe('29 Mar 2026, 02:00 BST');
    expect(londonTime('2026-10-25T00:59:00Z')).toBe('25 Oct 2026, 01:59 BST');
    expect(londonTime('2026-10-25T01:00:00Z')).toBe('25 Oct 2026, 01:00 GMT');
    expect(londonTime('2026-06-30T23:30:00+00:00')).toBe('1 Jul 2026, 00:30 BST');
    expect(londonTime('not a time')).toBe('not a time');
  });
});

describe('the subject access page', () => {
  const evil = `<x-evil onload="alert('1')">&amp;</x-evil>`;
  const entry = { at: '2026-09-01T09:00:00Z', event: evil, actor: evil, reasonCode: evil, reason: evil, summary: evil, streamId: evil, position: 1 };
  const report: SubjectAccessReport = {
    subject: { kind: 'contact', id: evil },
    status: 'active',
    mergedRecords: [evil],
    details: [{ field: evil, value: evil, since: '2026-12-01T09:00:00Z' }],
    links: [{ kind: 'member', id: evil, name: evil, relationship: evil, priority: 1, prime: true, parentalResponsibility: false }],
    consent: [entry],
    deliveries: [entry],
    messages: [{ messageId: evil, requestedAt: '2026-09-01T09:00:00Z', channel: evil, purpose: evil, subject: evil, body: evil, contentErased: false, outcome: evil }],
    dataIssues: [{ type: evil, memberId: evil, contactId: evil, detail: evil, raisedAt: '2026-09-01T09:00:00Z' }],
    otherRecords: [entry],
    auditTrail: [{ position: 1, streamId: evil, version: 0, at: '2026-09-01T09:00:00Z', actor: evil, actorKind: 'person', reason: evil, reasonCode: evil, type: evil, summary: evil, correlationId: evil, simulatedClock: null }],
  };

  it('escapes every value it prints, and prints times in London', () => {
    const doc = subjectAccessDocument(report, { schoolId: evil, generatedAt: '2026-12-01T09:00:00Z', requestedBy: evil });
    const html = subjectAccessHtml(doc);
    expect(html).not.toContain('<x-evil');
    expect(html).not.toContain(`"alert`);
    // Every hostile value made it onto the page, escaped: title, meta, each section's table.
    expect(html.split(escapeHtml(evil)).length - 1).toBeGreaterThanOrEqual(30);
    expect(html).toContain('1 Sep 2026, 10:00 BST');
    expect(html).toContain('1 Dec 2026, 09:00 GMT');
    expect(doc.timeZone).toBe('Europe/London');
    expect(doc.consent[0]!.atLocal).toBe('1 Sep 2026, 10:00 BST');
    expect(doc.details[0]!.sinceLocal).toBe('1 Dec 2026, 09:00 GMT');
    expect(escapeHtml(`a&b<c>"d'e\`f`)).toBe('a&amp;b&lt;c&gt;&quot;d&#39;e&#96;f');
  });

  it("prints times in the school's own zone when it set one, and says which", () => {
    const doc = subjectAccessDocument(report, { schoolId: 's', generatedAt: '2026-12-01T09:00:00Z', requestedBy: 'DPO', timeZone: 'America/New_York' });
    expect(doc.timeZone).toBe('America/New_York');
    expect(doc.consent[0]!.atLocal).toMatch(/^1 Sep 2026, 05:00 /);
    expect(doc.generatedAtLocal).toMatch(/^1 Dec 2026, 04:00 /);
    const html = subjectAccessHtml(doc);
    expect(html).toContain('America/New_York');
    expect(html).not.toContain('BST');
  });
});
