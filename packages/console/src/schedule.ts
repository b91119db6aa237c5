/**
 * The nightly sync, run by the console when the school set an export and a time (Settings): every
 * day at that time on the school's clock, never two at once, re-read whenever the settings change.
 * Every write goes through the core's command handler, so staff working meanwhile lose nothing.
 */
import { basename } from 'node:path';
import { runImport, type Clock, type HandlerDeps } from '@contactable/core';
import { localDateOf, nextTimeOfDay, type Views } from '@contactable/projections';
import { ExportError, readExport } from './exportFile.js';
import { errorName, type Logger } from './log.js';

/** What one run of the sync did. */
export type SyncResult =
  | { readonly status: 'skipped'; readonly reason: string }
  | { readonly status: 'failed'; readonly error: string; readonly at: string }
  | { readonly status: 'done'; readonly runId: string; readonly recorded: boolean; readonly eventsAppended: number; readonly refused: number; readonly at: string; readonly seconds: number };

/** The scheduler. */
export interface Scheduler {
  /** Reads the schedule and arms the timer. */
  readonly start: () => Promise<void>;
  /** Re-reads the schedule (after the settings changed). */
  readonly reschedule: () => Promise<void>;
  /** Runs the sync now, unless one is running. */
  readonly runNow: () => Promise<SyncResult>;
  /** When the next run is due (ms), or null. */
  readonly nextRun: () => number | null;
  /** The last run's result, if any. */
  readonly last: () => SyncResult | null;
  /** Disarms, and waits for a running sync. */
  readonly close: () => Promise<void>;
}

/** Describes a result in a line for staff. */
export const describeSync = (r: SyncResult): string => {
  switch (r.status) {
    case 'skipped':
      return `skipped: ${r.reason}`;
    case 'failed':
      return `failed: ${r.error}`;
    case 'done':
      return r.recorded ? `${r.eventsAppended} changes recorded in ${r.seconds} s${r.refused > 0 ? `, ${r.refused} refused` : ''}` : 'nothing had changed, nothing recorded';
  }
};

/** Makes the scheduler. */
export const createScheduler = (o: { readonly deps: HandlerDeps; readonly views: Views; readonly schoolId: string; readonly zone: string; readonly clock: Clock; readonly logger: Logger }): Scheduler => {
  let timer: NodeJS.Timeout | null = null;
  let due: number | null = null;
  let running: Promise<SyncResult> | null = null;
  let last: SyncResult | null = null;
  let closed = false;

  const sync = async (): Promise<SyncResult> => {
    const started = Date.now();
    const at = o.clock.now();
    const fail = (error: string): SyncResult => {
      o.logger.error(`sync failed: ${error}`);
      return { status: 'failed', error, at };
    };
    try {
      const school = await o.views.school();
      const path = school.sync?.exportPath ?? null;
      if (path === null) return fail('no export is set (Settings)');
      const content = await readExport(path, basename(path), school.settings.limits ?? {});
      if (content.kind !== 'mis') return fail('the scheduled sync reads an MIS export, not an address-book CSV');
      const runId = `sync-${o.deps.ids.next()}`;
      const r = await runImport(o.deps, content.snapshot, school.settings, localDateOf(at, o.zone), { runId, format: content.format, sourceName: basename(path), schoolId: o.schoolId });
      if (r._tag === 'Left') return fail(`${r.left.message} (the next sync carries on where it stopped)`);
      const seconds = Number(((Date.now() - started) / 1000).toFixed(2));
      const c = r.right.counts;
      o.logger.info(r.right.recorded ? `sync ${runId} (${content.format}): ${c.eventsAppended} events, ${r.right.refused.length} refused, ${seconds} s` : `sync ${runId} (${content.format}): no change, nothing recorded, ${seconds} s`);
      return { status: 'done', runId, recorded: r.right.recorded, eventsAppended: c.eventsAppended, refused: r.right.refused.length, at, seconds };
    } catch (e) {
      // Our own messages hold no personal values; anything else is named only.
      return fail(e instanceof ExportError ? e.message : errorName(e));
    }
  };

  const runNow = (): Promise<SyncResult> => {
    if (running !== null) return Promise.resolve({ status: 'skipped', reason: 'a sync is already running' });
    if (closed) return Promise.resolve({ status: 'skipped', reason: 'the console is stopping' });
    const current = sync().then((r) => {
      last = r;
      return r;
    });
    running = current.finally(() => {
      running = null;
    });
    return running;
  };

  const arm = async (): Promise<void> => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    due = null;
    if (closed) return;
    const s = (await o.views.school()).sync;
    if (s === undefined || s.at === null || s.exportPath === null) return;
    const at = nextTimeOfDay(s.at, Date.parse(o.clock.now()), o.zone);
    due = at;
    // Timers cannot wait longer than about 24.8 days; a day is well within.
    timer = setTimeout(() => {
      timer = null;
      void runNow().finally(() => void arm().catch((e: unknown) => o.logger.error(`sync schedule: ${errorName(e)}`)));
    }, Math.max(0, at - Date.parse(o.clock.now())));
    timer.unref();
  };

  return {
    start: arm,
    reschedule: arm,
    runNow,
    nextRun: () => due,
    last: () => last,
    close: async () => {
      closed = true;
      if (timer !== null) clearTimeout(timer);
      timer = null;
      if (running !== null) await running;
    },
  };
};
