/**
 * Permission issues (R-IMP-10): an import area the MIS user may not read. Raised by
 * `ImportPermissionFailed`; resolved when a run that started after the last failure
 * finishes with no failure for that area. Import warnings (control characters removed,
 * mixed sources) live the same way, one issue per warning code.
 */
import type { ImportRunEvent, StoredEvent } from '@contactable/core';
import { issueId, sameIssue } from './issueStore.js';
import type { Projection } from './state.js';

/** Folds one import-run event into the permission issues. */
export const applyImportRunEvent = (p: Projection, e: StoredEvent<ImportRunEvent>): void => {
  const runId = e.data.runId;
  let run = p.importRuns.get(runId);
  if (run === undefined) {
    run = { startedAt: e.position, failed: [], warned: [] };
    p.importRuns.set(runId, run);
  }
  switch (e.type) {
    case 'ImportPermissionFailed': {
      const { area, permissionGroup } = e.data;
      if (!run.failed.includes(area)) run.failed.push(area);
      p.permissionFailures.set(area, e.position);
      const held = p.permissionIssues.get(area);
      const issue = {
        id: issueId('permissions', null, null, area),
        type: 'permissions' as const,
        memberId: null,
        contactId: null,
        relatedContactId: null,
        detail: `${area} did not import; permission group: ${permissionGroup}`,
        raisedAt: held?.raisedAt ?? e.metadata.occurredAt,
      };
      if (held === undefined || !sameIssue(held, issue)) {
        p.permissionIssues.set(area, issue);
        p.cache.issues = null;
      }
      return;
    }
    case 'ImportWarningRaised': {
      const { code, message } = e.data;
      if (!run.warned.includes(code)) run.warned.push(code);
      p.warningsRaised.set(code, e.position);
      const held = p.importWarnings.get(code);
      const issue = { id: issueId('import-warning', null, null, code), type: 'import-warning' as const, memberId: null, contactId: null, relatedContactId: null, detail: message, raisedAt: held?.raisedAt ?? e.metadata.occurredAt };
      if (held === undefined || !sameIssue(held, issue)) {
        p.importWarnings.set(code, issue);
        p.cache.issues = null;
      }
      return;
    }
    case 'ImportRunFinished':
      for (const [area, failedAt] of [...p.permissionFailures]) {
        if (run.failed.includes(area) || failedAt >= run.startedAt) continue;
        p.permissionFailures.delete(area);
        if (p.permissionIssues.delete(area)) p.cache.issues = null;
      }
      for (const [code, raisedAt] of [...p.warningsRaised]) {
        if (run.warned.includes(code) || raisedAt >= run.startedAt) continue;
        p.warningsRaised.delete(code);
        if (p.importWarnings.delete(code)) p.cache.issues = null;
      }
      // A finished run is needed no more; unfinished ones (a crashed run) stay, few as they are.
      p.importRuns.delete(runId);
      return;
    case 'ImportRunStarted':
      return;
  }
};
