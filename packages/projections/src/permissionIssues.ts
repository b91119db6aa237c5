/**
 * Permission issues (R-IMP-10): an import area the MIS user may not read. Raised by
 * `ImportPermissionFailed`; resolved when a run that started after the last failure
 * finishes with no failure for that area.
 */
import type { ImportRunEvent, StoredEvent } from '@contactable/core';
import { issueId, sameIssue } from './issueStore.js';
import type { Projection } from './state.js';

/** Folds one import-run event into the permission issues. */
export const applyImportRunEvent = (p: Projection, e: StoredEvent<ImportRunEvent>): void => {
  const runId = e.data.runId;
  let run = p.importRuns.get(runId);
  if (run === undefined) {
    run = { startedAt: e.position, failed: [] };
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
    case 'ImportRunFinished':
      for (const [area, failedAt] of [...p.permissionFailures]) {
        if (run.failed.includes(area) || failedAt >= run.startedAt) continue;
        p.permissionFailures.delete(area);
        if (p.permissionIssues.delete(area)) p.cache.issues = null;
      }
      // A finished run is needed no more; unfinished ones (a crashed run) stay, few as they are.
      p.importRuns.delete(runId);
      return;
    case 'ImportRunStarted':
    case 'ImportWarningRaised':
      return;
  }
};
