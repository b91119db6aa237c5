/**
 * Example (b): "what did we hold on that day, and why was this parent not messaged?"
 *
 * Replays the log as of an instant (R-AUD-2) and writes a report: the dashboard of that day, the
 * open data issues, and for every prime contact who could not be messaged on a channel, the chain
 * of events that made it so (R-AUD-3). Personal data erased since shows as XXXX (R-DEL-4).
 *
 *   node --import tsx examples/compliance-replay/report.ts --store ./.contactable --as-of 2026-10-01T12:00:00Z --out report.md
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CHANNELS, localDayOf, type EventStore } from '@contactable/core';
import { openStore } from '@contactable/adapters-store';
import { allDataIssues, dashboard, explainFromStore, linkedPeople, listMembers, projectionAsOf } from '@contactable/projections';

/** One unreachable prime contact on one channel, with why. */
export interface Unreachable {
  readonly memberId: string;
  readonly contactId: string;
  readonly channel: 'email' | 'sms';
  readonly summary: string;
  readonly chain: ReadonlyArray<string>;
}

/** The report's content. */
export interface AsOfReport {
  readonly asOf: string;
  readonly students: { readonly total: number; readonly byEmail: number; readonly byMobile: number; readonly byEither: number };
  readonly openIssues: Readonly<Record<string, number>>;
  readonly unreachable: ReadonlyArray<Unreachable>;
}

/** Builds the report from any store, as of an instant. */
export const buildReport = async (store: EventStore, asOf: string, schoolId: string | null = null): Promise<AsOfReport> => {
  const p = await projectionAsOf(store, asOf, { schoolId });
  const d = dashboard(p, localDayOf(asOf, p.school.timeZone));
  const openIssues: Record<string, number> = {};
  for (const i of allDataIssues(p)) openIssues[i.type] = (openIssues[i.type] ?? 0) + 1;
  const unreachable: Unreachable[] = [];
  for (const m of listMembers(p, { kind: 'student', roll: 'on-roll' })) {
    for (const c of linkedPeople(p, m.memberId)?.linkedPeople ?? []) {
      if (!c.prime || c.status !== 'active') continue;
      for (const channel of CHANNELS) {
        if (c.usableMethods.includes(channel)) continue;
        const x = await explainFromStore(store, c.contactId, channel, asOf, p.school.timeZone);
        unreachable.push({ memberId: m.memberId, contactId: c.contactId, channel, summary: x.summary, chain: x.reasons.map((r) => `${r.at === null ? '' : localDayOf(r.at, p.school.timeZone)} ${r.because}${r.actor === null ? '' : ` (${r.actor})`}`.trim()) });
      }
    }
  }
  return { asOf, students: { total: d.studentsWithContactablePrimeParent.total, byEmail: d.studentsWithContactablePrimeParent.byEmail, byMobile: d.studentsWithContactablePrimeParent.byMobile, byEither: d.studentsWithContactablePrimeParent.byEither }, openIssues, unreachable };
};

/** Renders the report as Markdown. */
export const renderReport = (r: AsOfReport): string =>
  [
    `# Contact data as of ${r.asOf}`,
    '',
    `Students on roll: ${r.students.total}; with a contactable prime parent by email ${r.students.byEmail}, by mobile ${r.students.byMobile}, by either ${r.students.byEither}.`,
    '',
    '## Open data issues',
    '',
    ...(Object.keys(r.openIssues).length === 0 ? ['None.'] : Object.entries(r.openIssues).sort().map(([t, n]) => `- ${t}: ${n}`)),
    '',
    '## Prime contacts who could not be messaged, and why',
    '',
    ...r.unreachable.flatMap((u) => [`### contact ${u.contactId} (member ${u.memberId}), ${u.channel}`, '', u.summary, '', ...u.chain.map((s) => `- ${s}`), '']),
  ].join('\n');

const main = async (): Promise<void> => {
  const { values } = parseArgs({ options: { store: { type: 'string' }, 'as-of': { type: 'string' }, out: { type: 'string' }, school: { type: 'string' } } });
  const asOf = values['as-of'] ?? new Date().toISOString();
  if (Number.isNaN(Date.parse(asOf))) throw new Error(`--as-of must be an ISO 8601 instant (got "${asOf}")`);
  const store = await openStore(values.store ?? './.contactable');
  try {
    const md = renderReport(await buildReport(store, new Date(asOf).toISOString(), values.school ?? null));
    if (values.out === undefined) process.stdout.write(md);
    else writeFileSync(values.out, md);
  } finally {
    await store.close();
  }
};

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === resolve(process.argv[1])) await main();
