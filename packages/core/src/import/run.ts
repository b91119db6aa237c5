/**
 * runImport: plan, then apply through the command handler, recording the run in
 * its own stream (`import-<runId>`).
 *
 * - A dry run returns the plan and writes nothing.
 * - A run with no change to make, and no permission failure or warning other than
 *   those the last recorded run already raised, records nothing at all: not even
 *   its import-run events, so the log does not grow on a no-change sync (R-IMP-1).
 *   Its outcome says `recorded: false` with counts of zero.
 * - Otherwise: ImportRunStarted (with settings, permission failures and warnings in
 *   the same batch), one batch per changed stream, then ImportRunFinished with counts.
 * - Command ids are `<runId>/<streamId>@<version>`, so a re-run with the same run id writes
 *   nothing twice; and every decider is idempotent against state, so a re-run under
 *   any run id after a crash converges to the state of one clean run.
 * - Each stream's held state and version go to the handler, which then skips the
 *   read; if another writer got there first (an opt-out during the import, R-OPS-2),
 *   the append conflicts and the handler re-reads and decides again.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { LocalDate } from '../clock.js';
import type { Decider } from '../decider.js';
import { contactDecider } from '../deciders/contact.js';
import { groupDecider } from '../deciders/group.js';
import { importRunDecider } from '../deciders/importRun.js';
import { memberDecider } from '../deciders/member.js';
import type { StoredEvent, UndecodableEvent } from '../events/catalogue.js';
import type { ImportCounts } from '../events/importRun.js';
import type { Actor } from '../events/metadata.js';
import { describeHandleError, handleCommand, type CommandContext, type HandlerDeps } from '../handler.js';
import { importStream, type ImportRunId, type SchoolId } from '../ids.js';
import type { ImportSettings } from '../settings.js';
import { loadHeldState, type HeldState, type HeldStream } from './held.js';
import { plannedCommandCount, planImport, type ImportPlan, type PlannedCommand, type RefreshTarget } from './plan.js';
import { sequenceDecider } from './sequence.js';
import type { MisSnapshot } from './snapshot.js';

/** How to run an import. */
export interface RunImportOptions {
  readonly dryRun?: boolean;
  readonly runId: ImportRunId;
  /** The export format (ctf, sims-csv, oneroster...), recorded with the run. */
  readonly format: string;
  /** The file or folder the export came from, recorded with the run (a name, never contents). */
  readonly sourceName: string;
  readonly schoolId: SchoolId;
  /** What the school holds, when the caller keeps it up to date; otherwise the log is read once. */
  readonly held?: HeldState;
  /** A targeted refresh of one member or contact (R-IMP-12). */
  readonly only?: RefreshTarget;
  /** Who to record as the actor; an import run by default. */
  readonly actor?: Actor;
  /** Streams written at once (default 1). Each stream still gets one batch; only the log's interleaving changes. */
  readonly concurrency?: number;
}

/** A stream whose command the decider refused (e.g. deleted while the import ran); the rest still ran. */
export interface RefusedCommand {
  readonly streamId: string;
  readonly message: string;
}

/** What an import run did. */
export interface ImportOutcome {
  readonly plan: ImportPlan;
  readonly counts: ImportCounts;
  /** Whether the run was recorded in its import-run stream (false for a dry run or a no-change run). */
  readonly recorded: boolean;
  readonly refused: ReadonlyArray<RefusedCommand>;
  /** What the school holds after the run, to hand to the next run in the same process. */
  readonly held: HeldState;
}

/** The store failed part-way; run the import again (it converges). */
export interface ImportInterrupted {
  readonly _tag: 'ImportInterrupted';
  readonly runId: ImportRunId;
  readonly streamId: string;
  readonly message: string;
  readonly cause: unknown;
}

/** Why an import did not run to the end. */
export type ImportRunError = UndecodableEvent | ImportInterrupted;

const zeroCounts: ImportCounts = { membersAdded: 0, membersChanged: 0, leavers: 0, contactsAdded: 0, contactsChanged: 0, groupsChanged: 0, confirmations: 0, eventsAppended: 0 };

const sameIssues = (plan: ImportPlan, held: HeldState): boolean => {
  const last = held.lastImportRun;
  const failures = plan.permissionFailures.map((f) => f.area).sort();
  const warnings = plan.warnings.map((w) => `${w.code}:${w.message}`).sort();
  const lastFailures = [...(last?.permissionFailures ?? [])].sort();
  const lastWarnings = [...(last?.warnings ?? [])].sort();
  return JSON.stringify([failures, warnings]) === JSON.stringify([lastFailures, lastWarnings]);
};

/** True when a run of this plan would record nothing (R-IMP-1). */
export const isNoChange = (plan: ImportPlan, held: HeldState): boolean => plannedCommandCount(plan) === 0 && sameIssues(plan, held);

const memberSequence = sequenceDecider(memberDecider);

// Runs `f` over items with at most `lanes` in flight, in order within each lane.
const inLanes = async <T>(items: ReadonlyArray<T>, lanes: number, f: (item: T) => Promise<void>): Promise<void> => {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) await f(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(lanes, items.length) }, lane));
};

/** Plans an import and, unless it is a dry run or changes nothing, applies and records it. */
export const runImport = async (
  deps: HandlerDeps,
  snapshot: MisSnapshot,
  settings: ImportSettings,
  today: LocalDate,
  options: RunImportOptions,
): Promise<E.Either<ImportRunError, ImportOutcome>> => {
  let held: HeldState;
  if (options.held !== undefined) held = options.held;
  else {
    const loaded = await loadHeldState(deps.store, options.schoolId);
    if (E.isLeft(loaded)) return loaded;
    held = loaded.right;
  }
  const plan = planImport(snapshot, held, settings, today, options.only === undefined ? {} : { only: options.only });
  if (options.dryRun === true || isNoChange(plan, held)) return E.right({ plan, counts: zeroCounts, recorded: false, refused: [], held });

  const runId = options.runId;
  const actor: Actor = options.actor ?? { kind: 'import', runId };
  // The stream's version is part of the command id: a re-run of the same run id on changed data decides
  // new events at a new version and must not be mistaken for a re-sent batch.
  const context = (streamId: string, version = -1): CommandContext => ({
    schoolId: options.schoolId,
    actor,
    reason: options.only === undefined ? 'MIS import' : 'update from MIS',
    commandId: `${runId}/${streamId}@${version}`,
    correlationId: runId,
  });
  const members = new Map(held.members);
  const contacts = new Map(held.contacts);
  const groups = new Map(held.groups);
  const refused: RefusedCommand[] = [];
  const counts = { ...zeroCounts, confirmations: plan.confirmations.length };
  let streamId = importStream(runId);

  const apply = async <C, Ev extends { type: string; data: unknown }, S>(
    decider: Decider<C, Ev, S>,
    planned: PlannedCommand<C>,
    known: Map<string, HeldStream<S>>,
  ): Promise<ReadonlyArray<StoredEvent>> => {
    streamId = planned.streamId;
    const had = known.get(planned.id) ?? { state: decider.initialState, version: -1 };
    const handled = await handleCommand(deps, decider, planned.streamId, planned.command, context(planned.streamId, had.version), { known: had });
    if (E.isLeft(handled)) {
      refused.push({ streamId: planned.streamId, message: describeHandleError(handled.left) });
      return [];
    }
    known.set(planned.id, { state: handled.right.state, version: handled.right.version });
    counts.eventsAppended += handled.right.appended.length;
    return handled.right.appended;
  };

  try {
    await handleCommand(
      deps,
      importRunDecider,
      streamId,
      {
        type: 'StartImportRun',
        runId,
        format: options.format,
        sourceName: options.sourceName,
        settings,
        today,
        firstImport: plan.firstImport,
        permissionFailures: plan.permissionFailures,
        warnings: plan.warnings,
      },
      context(streamId),
    );
    const lanes = Math.max(1, options.concurrency ?? 1);
    await inLanes(plan.contacts, lanes, async (p) => {
      const appended = await apply(contactDecider, p, contacts);
      if (appended.some((e) => e.type === 'ContactImported')) counts.contactsAdded += 1;
      else if (appended.length > 0) counts.contactsChanged += 1;
    });
    await inLanes(plan.members, lanes, async (p) => {
      const appended = await apply(memberSequence, p, members);
      if (appended.some((e) => e.type === 'MemberImported')) counts.membersAdded += 1;
      else if (appended.some((e) => e.type === 'MarkedLeaver')) counts.leavers += 1;
      else if (appended.length > 0) counts.membersChanged += 1;
    });
    await inLanes(plan.groups, lanes, async (p) => {
      const appended = await apply(groupDecider, p, groups);
      if (appended.length > 0) counts.groupsChanged += 1;
    });
    streamId = importStream(runId);
    await handleCommand(deps, importRunDecider, streamId, { type: 'FinishImportRun', runId, counts }, context(`${streamId}/finish`));
  } catch (cause) {
    return E.left({
      _tag: 'ImportInterrupted',
      runId,
      streamId,
      message: `The import stopped while writing ${streamId}; run it again: it picks up where it stopped.`,
      cause,
    });
  }
  const after: HeldState = {
    schoolId: held.schoolId,
    members,
    contacts,
    groups,
    importRunsFinished: held.importRunsFinished + 1,
    lastImportRun: {
      runId,
      permissionFailures: plan.permissionFailures.map((f) => f.area),
      warnings: plan.warnings.map((w) => `${w.code}:${w.message}`),
    },
  };
  return E.right({ plan, counts, recorded: true, refused, held: after });
};
