/**
 * An import run's stream (`import-<runId>`): started with its settings and issues,
 * then finished with its counts (R-IMP-1, R-IMP-10, R-IMP-11). Both commands are
 * idempotent, so a run re-sent with the same run id records nothing twice.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { LocalDate } from '../clock.js';
import type { Decider } from '../decider.js';
import { domainError, type DomainError } from '../errors.js';
import type { Recorded } from '../events/catalogue.js';
import type { DataArea, ImportCounts, ImportRunEvent } from '../events/importRun.js';
import type { ImportRunId } from '../ids.js';
import type { ImportSettings } from '../settings.js';

/** An import run's state. */
export type ImportRunState =
  | { readonly status: 'absent' }
  | {
      readonly status: 'started' | 'finished';
      readonly runId: ImportRunId;
      readonly today: LocalDate;
      readonly permissionFailures: ReadonlyArray<DataArea>;
      readonly warnings: ReadonlyArray<string>;
      readonly counts: ImportCounts | null;
    };

/** The import-run commands. */
export type ImportRunCommand =
  | {
      readonly type: 'StartImportRun';
      readonly runId: ImportRunId;
      readonly format: string;
      readonly sourceName: string;
      readonly settings: ImportSettings;
      readonly today: LocalDate;
      readonly firstImport: boolean;
      /** The export holds only some people (R-IMP-7: it marks no leaver). */
      readonly partial: boolean;
      /** Who let a mass change through the guard, or null. */
      readonly massChangeAllowedBy: string | null;
      readonly permissionFailures: ReadonlyArray<{ readonly area: DataArea; readonly permissionGroup: string }>;
      readonly warnings: ReadonlyArray<{ readonly code: string; readonly message: string }>;
    }
  | { readonly type: 'FinishImportRun'; readonly runId: ImportRunId; readonly counts: ImportCounts };

/** Folds one event into an import run's state. */
export const evolveImportRun = (state: ImportRunState, event: Recorded<ImportRunEvent>): ImportRunState => {
  switch (event.type) {
    case 'ImportRunStarted':
      return { status: 'started', runId: event.data.runId, today: event.data.today, permissionFailures: [], warnings: [], counts: null };
    case 'ImportPermissionFailed':
      return state.status === 'absent' ? state : { ...state, permissionFailures: [...state.permissionFailures, event.data.area] };
    case 'ImportWarningRaised':
      return state.status === 'absent' ? state : { ...state, warnings: [...state.warnings, event.data.code] };
    case 'ImportRunFinished':
      return state.status === 'absent' ? state : { ...state, status: 'finished', counts: event.data.counts };
  }
};

/** Decides what an import-run command records. */
export const decideImportRun = (cmd: ImportRunCommand, state: ImportRunState): E.Either<DomainError, ReadonlyArray<ImportRunEvent>> => {
  switch (cmd.type) {
    case 'StartImportRun':
      if (state.status !== 'absent') return E.right([]);
      return E.right([
        { type: 'ImportRunStarted', data: { runId: cmd.runId, format: cmd.format, sourceName: cmd.sourceName, settings: cmd.settings, today: cmd.today, firstImport: cmd.firstImport, partial: cmd.partial, massChangeAllowedBy: cmd.massChangeAllowedBy } },
        ...cmd.permissionFailures.map((f): ImportRunEvent => ({ type: 'ImportPermissionFailed', data: { runId: cmd.runId, area: f.area, permissionGroup: f.permissionGroup } })),
        ...cmd.warnings.map((w): ImportRunEvent => ({ type: 'ImportWarningRaised', data: { runId: cmd.runId, code: w.code, message: w.message } })),
      ]);
    case 'FinishImportRun':
      if (state.status === 'absent') return E.left(domainError('not-found', `Import run ${cmd.runId} was never started.`));
      return E.right(state.status === 'finished' ? [] : [{ type: 'ImportRunFinished', data: { runId: cmd.runId, counts: cmd.counts } }]);
  }
};

/** The import-run decider. */
export const importRunDecider: Decider<ImportRunCommand, ImportRunEvent, ImportRunState> = {
  decide: decideImportRun,
  evolve: evolveImportRun,
  initialState: { status: 'absent' },
};
