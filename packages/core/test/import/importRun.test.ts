/** The import-run decider. */
import { describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import { defaultImportSettings, importRunDecider, type ImportRunCommand } from '@contactable/core';
import { given } from '@contactable/core/testing';

const start: ImportRunCommand = {
  type: 'StartImportRun',
  runId: 'r1',
  format: 'ctf',
  sourceName: 'x.xml',
  settings: defaultImportSettings,
  today: '2026-09-01',
  firstImport: true,
  partial: false,
  massChangeAllowedBy: null,
  permissionFailures: [{ area: 'staff', permissionGroup: 'Personnel officer' }],
  warnings: [{ code: 'mixed-sources', message: 'm' }],
};
const counts = { membersAdded: 1, membersChanged: 0, leavers: 0, contactsAdded: 0, contactsChanged: 0, groupsChanged: 0, confirmations: 0, eventsAppended: 1 };

describe('importRunDecider', () => {
  it('R-IMP-10 starts a run with its permission failures and warnings in one batch', () => {
    const r = given(importRunDecider, []).when(start);
    expect(E.isRight(r) && r.right.map((e) => e.type)).toEqual(['ImportRunStarted', 'ImportPermissionFailed', 'ImportWarningRaised']);
  });
  it('starting or finishing twice records nothing more', () => {
    const started = E.getOrElseW(() => [])(given(importRunDecider, []).when(start));
    expect(given(importRunDecider, started).when(start)).toEqual(E.right([]));
    const finished = [...started, { type: 'ImportRunFinished' as const, data: { runId: 'r1', counts } }];
    expect(given(importRunDecider, finished).when({ type: 'FinishImportRun', runId: 'r1', counts })).toEqual(E.right([]));
  });
  it('refuses to finish a run never started', () => {
    expect(E.isLeft(given(importRunDecider, []).when({ type: 'FinishImportRun', runId: 'r1', counts }))).toBe(true);
  });
});
