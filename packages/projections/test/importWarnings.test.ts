/** Import warnings (control characters removed, mixed sources) in the data-issues list: raised by a run, resolved by a later one without them. */
import { describe, expect, it } from 'vitest';
import { dataIssues, project, restoreProjection, serialiseProjection } from '../src/index.js';
import { runHistory, type Step } from './history.js';

const given = (...steps: Step[]) => project(runHistory(steps));
const removed = (fields: number): readonly [string, string] => ['control-characters-removed', `control characters (other than tab and newline) were removed from ${fields} field(s): students.csv, row 3, line 4, field Legal Surname`];

describe('import warnings as data issues', () => {
  it('R-DSH-3 a run that removed control characters raises an import-warning issue naming rows and fields; the next run without it resolves it', () => {
    const steps: Step[] = [{ kind: 'import-run', runId: 'r1', failed: [], finished: true, warnings: [removed(1)] }];
    expect(dataIssues(given(...steps))).toEqual([
      { id: 'import-warning/-/-/control-characters-removed', type: 'import-warning', memberId: null, contactId: null, relatedContactId: null, detail: removed(1)[1], raisedAt: '2026-09-01T08:00:00.000Z' },
    ]);
    expect(dataIssues(given(...steps), { type: 'import-warning' })).toHaveLength(1);
    // A later run with the same warning keeps the issue (with its first time) and the latest message.
    steps.push({ kind: 'import-run', runId: 'r2', failed: [], finished: true, warnings: [removed(2)] });
    expect(dataIssues(given(...steps)).map((i) => [i.detail, i.raisedAt])).toEqual([[removed(2)[1], '2026-09-01T08:00:00.000Z']]);
    // An unfinished run resolves nothing; a finished one without the warning does.
    steps.push({ kind: 'import-run', runId: 'r3', failed: [], finished: false });
    expect(dataIssues(given(...steps))).toHaveLength(1);
    steps.push({ kind: 'import-run', runId: 'r4', failed: [], finished: true });
    expect(dataIssues(given(...steps))).toEqual([]);
  });

  it('R-AUD-4 a projection restored from a snapshot keeps the open warning, byte for byte', () => {
    const events = runHistory([{ kind: 'import-run', runId: 'r1', failed: [], finished: true, warnings: [removed(1)] }]);
    const p = project(events);
    const restored = restoreProjection(serialiseProjection(p));
    expect(serialiseProjection(restored)).toBe(serialiseProjection(p));
    expect(dataIssues(restored).map((i) => i.type)).toEqual(['import-warning']);
    // A snapshot written before warnings were issues (no warningsRaised) still restores.
    const old = JSON.parse(serialiseProjection(p)) as Record<string, unknown>;
    delete old['warningsRaised'];
    old['issues'] = {};
    expect(dataIssues(restoreProjection(JSON.stringify(old)))).toEqual([]);
  });
});
