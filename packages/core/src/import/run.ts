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
 * - When the store can append to many streams at once (`appendMany`), the run decides each
 *   stream here from the held state, exactly as the handler's first attempt would (same
 *   command ids, so the same event ids, data and metadata), and appends up to `batchStreams`
 *   streams per call, each at its exact expected version: a first import of a big school is
 *   then a few hundred transactions instead of one per stream. A call that meets another
 *   writer writes nothing (all or nothing), and its streams then go through the handler one
 *   by one, which re-reads the stream that moved: the same outcome as the per-stream path.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { LocalDate } from '../clock.js';
import type { Decider } from '../decider.js';
import { contactDecider } from '../deciders/contact.js';
import { groupDecider } from '../deciders/group.js';
import { importRunDecider } from '../deciders/importRun.js';
import { memberDecider } from '../deciders/member.js';
import { type Recorded, type StoredEvent, type UndecodableEvent } from '../events/catalogue.js';
import type { ImportCounts } from '../events/importRun.js';
import type { Actor } from '../events/metadata.js';
import { describeHandleError, handleCommand, metadataFor, newEventsOf, type CommandContext, type HandlerDeps } from '../handler.js';
import { importStream, type ImportRunId, type SchoolId } from '../ids.js';
import { exactVersion, type NewEvent } from '../store/port.js';
import type { ImportSettings } from '../settings.js';
import { loadHeldState, type HeldState, type HeldStream } from './held.js';
import { describeMassChange } from './describe.js';
import { plannedCommandCount, planImport, type ImportPlan, type MassChangeCheck, type PlannedCommand, type RefreshTarget } from './plan.js';
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
  /** Streams written at once (default 1; with `appendMany`, calls in flight at once). Each stream still gets one batch; only the log's interleaving changes. */
  readonly concurrency?: number;
  /**
   * Streams per multi-stream append when the store has `appendMany` (default 500); 0 appends stream
   * by stream. The log comes out the same either way: same events, ids and order per stream.
   */
  readonly batchStreams?: number;
  /**
   * A named person lets an import through the mass-change guard (R-IMP-7): recorded on the run
   * (`massChangeAllowedBy`) and in the reason of every event it writes. Without it such an import is refused.
   */
  readonly allowMassChange?: { readonly by: string };
  /** Told how far the run is: the plan made (`plan`, 1 of 1), then streams written so far of those planned (`write`). */
  readonly onProgress?: (step: ImportStep, done: number, total: number) => void;
}

/** The steps of a run, as progress reports them. */
export type ImportStep = 'plan' | 'write';

/** Streams per `appendMany` call unless `batchStreams` says otherwise. */
export const DEFAULT_BATCH_STREAMS = 500;

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
  /**
   * The highest log position this run wrote (its ImportRunFinished event), to wait on before reading a view
   * (`catchUp` until the view's position reaches it); null when it wrote nothing (dry run, no change).
   */
  readonly lastPosition: number | null;
}

/** The store failed part-way; run the import again (it converges). */
export interface ImportInterrupted {
  readonly _tag: 'ImportInterrupted';
  readonly runId: ImportRunId;
  readonly streamId: string;
  readonly message: string;
  readonly cause: unknown;
}

/** The import would mark too many leavers or unlink too many contacts (the mass-change guard): nothing was written. */
export interface MassChangeRefused {
  readonly _tag: 'MassChangeRefused';
  readonly check: MassChangeCheck;
  readonly message: string;
}

/** Why an import did not run to the end. */
export type ImportRunError = UndecodableEvent | ImportInterrupted | MassChangeRefused;

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
const contactSequence = sequenceDecider(contactDecider);

/** One stream's change decided ahead of a multi-stream append. */
interface Step {
  readonly streamId: string;
  readonly events: ReadonlyArray<NewEvent>;
  /** The stream's version the events were decided at (the expected version). */
  readonly version: number;
  /** Records what was written: the stream's new state and version, and the counts. */
  readonly land: (positions: ReadonlyArray<number>, nextVersion: number) => void;
  /** Writes it through the handler instead (after the multi-stream append met another writer). */
  readonly alone: () => Promise<void>;
}

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
  options.onProgress?.('plan', 1, 1);
  const totalStreams = plannedCommandCount(plan);
  let streamsDone = 0;
  const progressed = (n: number): void => {
    streamsDone += n;
    options.onProgress?.('write', streamsDone, totalStreams);
  };
  if (options.dryRun === true || isNoChange(plan, held)) return E.right({ plan, counts: zeroCounts, recorded: false, refused: [], held, lastPosition: null });
  // The guard, before anything is written (R-IMP-7): a run it refuses leaves the store as it was.
  if (plan.massChange.exceeded && options.allowMassChange === undefined) {
    return E.left({ _tag: 'MassChangeRefused', check: plan.massChange, message: describeMassChange(plan.massChange) });
  }
  const allowedBy = options.allowMassChange?.by.trim() ?? null;

  const runId = options.runId;
  const actor: Actor = options.actor ?? { kind: 'import', runId };
  // The stream's version is part of the command id: a re-run of the same run id on changed data decides
  // new events at a new version and must not be mistaken for a re-sent batch.
  const context = (streamId: string, version = -1): CommandContext => ({
    schoolId: options.schoolId,
    actor,
    // The code says why in the clear (nothing personal in it), so the audit still says it after erasure;
    // who allowed a mass change is a person's name, so it goes in the sealed reason.
    reason: allowedBy === null ? null : `mass change allowed by ${allowedBy}`,
    reasonCode: `${options.only === undefined ? 'MIS import' : 'update from MIS'}${allowedBy === null ? '' : ' - mass change allowed'}`,
    commandId: `${runId}/${streamId}@${version}`,
    correlationId: runId,
  });
  const members = new Map(held.members);
  const contacts = new Map(held.contacts);
  const groups = new Map(held.groups);
  const refused: RefusedCommand[] = [];
  const counts = { ...zeroCounts, confirmations: plan.confirmations.length };
  let streamId = importStream(runId);
  let lastPosition: number | null = null;
  const wrote = (positions: ReadonlyArray<number>): void => {
    for (const p of positions) if (p >= 0 && (lastPosition === null || p > lastPosition)) lastPosition = p;
  };

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
    wrote(handled.right.appended.map((e) => e.position));
    return handled.right.appended;
  };

  /**
   * Decides one stream's change here, as the handler's first attempt would (from the held state, under
   * the same command id and metadata), for a multi-stream append; null when there is nothing to append.
   */
  const prepare = <C, Ev extends { type: string; data: unknown }, S>(
    decider: Decider<C, Ev, S>,
    planned: PlannedCommand<C>,
    known: Map<string, HeldStream<S>>,
    tally: (appended: ReadonlyArray<StoredEvent>) => void,
  ): Step | null => {
    const had = known.get(planned.id) ?? { state: decider.initialState, version: -1 };
    const decided = decider.decide(planned.command, had.state);
    if (E.isLeft(decided)) {
      refused.push({ streamId: planned.streamId, message: describeHandleError(decided.left) });
      return null;
    }
    if (decided.right.length === 0) return null;
    const ctx = context(planned.streamId, had.version);
    const commandId = ctx.commandId!;
    const metadata = metadataFor(deps.clock, ctx, commandId);
    const events = newEventsOf(commandId, decided.right, metadata);
    return {
      streamId: planned.streamId,
      events,
      version: had.version,
      land: (positions, nextVersion) => {
        const stored = events.map(
          (e, i) => ({ id: e.id, streamId: planned.streamId, version: had.version + 1 + i, position: positions[i] ?? -1, type: e.type, data: e.data, metadata }) as StoredEvent,
        );
        const state = stored.reduce((st, e) => decider.evolve(st, e as unknown as Recorded<Ev>), had.state);
        known.set(planned.id, { state, version: nextVersion });
        counts.eventsAppended += stored.length;
        wrote(positions);
        tally(stored);
      },
      alone: async () => tally(await apply(decider, planned, known)),
    };
  };

  const tallyContact = (appended: ReadonlyArray<StoredEvent>): void => {
    if (appended.some((e) => e.type === 'ContactImported')) counts.contactsAdded += 1;
    else if (appended.length > 0) counts.contactsChanged += 1;
  };
  const tallyMember = (appended: ReadonlyArray<StoredEvent>): void => {
    if (appended.some((e) => e.type === 'MemberImported')) counts.membersAdded += 1;
    else if (appended.some((e) => e.type === 'MarkedLeaver')) counts.leavers += 1;
    // Excluded by the settings: counted with the changed (the run's counts have no field of their own for it).
    else if (appended.length > 0) counts.membersChanged += 1;
  };
  const tallyGroup = (appended: ReadonlyArray<StoredEvent>): void => {
    if (appended.length > 0) counts.groupsChanged += 1;
  };

  const appendMany = deps.store.appendMany;
  const batchStreams = Math.max(0, Math.floor(options.batchStreams ?? DEFAULT_BATCH_STREAMS));

  try {
    const started = await handleCommand(
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
        partial: plan.partial,
        massChangeAllowedBy: allowedBy,
        permissionFailures: plan.permissionFailures,
        warnings: plan.warnings,
      },
      context(streamId),
    );
    if (E.isRight(started)) wrote(started.right.appended.map((e) => e.position));
    const lanes = Math.max(1, options.concurrency ?? 1);
    if (appendMany !== undefined && batchStreams > 0) {
      // Same order as the per-stream path: contacts, members, groups; decided a chunk at a time.
      const work: ReadonlyArray<() => Step | null> = [
        ...plan.contacts.map((p) => () => prepare(contactSequence, p, contacts, tallyContact)),
        ...plan.members.map((p) => () => prepare(memberSequence, p, members, tallyMember)),
        ...plan.groups.map((p) => () => prepare(groupDecider, p, groups, tallyGroup)),
      ];
      let next = 0;
      const nextChunk = (): Step[] => {
        const chunk: Step[] = [];
        while (next < work.length && chunk.length < batchStreams) {
          const step = work[next++]!();
          if (step !== null) chunk.push(step);
        }
        return chunk;
      };
      const lane = async (): Promise<void> => {
        for (let chunk = nextChunk(); chunk.length > 0; chunk = nextChunk()) {
          streamId = chunk[0]!.streamId;
          const written = await appendMany(chunk.map((s) => ({ streamId: s.streamId, events: s.events, expected: exactVersion(s.version) })));
          if (E.isRight(written)) {
            chunk.forEach((s, i) => s.land(written.right[i]!.positions, written.right[i]!.nextVersion));
            progressed(chunk.length);
            continue;
          }
          // Someone wrote to one of these streams meanwhile (R-OPS-2): nothing of the chunk was written;
          // the handler takes them one by one and re-reads the one that moved.
          for (const s of chunk) {
            streamId = s.streamId;
            await s.alone();
          }
          progressed(chunk.length);
        }
      };
      await Promise.all(Array.from({ length: lanes }, lane));
    } else {
      await inLanes(plan.contacts, lanes, async (p) => {
        tallyContact(await apply(contactSequence, p, contacts));
        progressed(1);
      });
      await inLanes(plan.members, lanes, async (p) => {
        tallyMember(await apply(memberSequence, p, members));
        progressed(1);
      });
      await inLanes(plan.groups, lanes, async (p) => {
        tallyGroup(await apply(groupDecider, p, groups));
        progressed(1);
      });
    }
    streamId = importStream(runId);
    const finished = await handleCommand(deps, importRunDecider, streamId, { type: 'FinishImportRun', runId, counts }, context(`${streamId}/finish`));
    if (E.isRight(finished)) wrote(finished.right.appended.map((e) => e.position));
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
  return E.right({ plan, counts, recorded: true, refused, held: after, lastPosition });
};
