/**
 * The store's integrity checks, each a small function over a DoctorContext. `contactable doctor` runs
 * them all; a check that does not apply to a store says so instead of finding anything. To add one (read
 * models out of step, once they are persisted), write a DoctorCheck and put it in `doctorChecks`.
 * Findings name streams, positions, checkpoints and processes, never a personal value.
 */
import * as E from 'fp-ts/lib/Either.js';
import { decodeEvent, readAllEvents, type EventStore } from '@contactable/core';
import type { LockStatus, StoreInspection } from '@contactable/adapters-store';

/** What the checks may look at. */
export interface DoctorContext {
  readonly store: EventStore;
  /** The store's own tables, where it has them (PGlite, PostgreSQL); null otherwise. */
  readonly inspection: StoreInspection | null;
  /** An embedded folder's lock as found before the store was opened; null for other stores. */
  readonly lock: LockStatus | null;
}

/** Something wrong, where, and what to do about it. */
export interface Finding {
  readonly problem: string;
  /** A stream and position, a checkpoint, a folder: never a personal value. */
  readonly where: string | null;
  readonly fix: string;
}

/** What one check came to: findings, or a note that it does not apply here. */
export interface CheckResult {
  readonly findings: ReadonlyArray<Finding>;
  /** Why the check could not look (null when it did), e.g. a store without a key table. */
  readonly skipped: string | null;
  /** What it looked at, e.g. "12,345 events". */
  readonly looked: string | null;
}

/** One check. */
export interface DoctorCheck {
  readonly id: string;
  readonly title: string;
  readonly run: (ctx: DoctorContext) => Promise<CheckResult>;
}

const looked = (findings: ReadonlyArray<Finding>, what: string | null): CheckResult => ({ findings, skipped: null, looked: what });
const skipped = (why: string): CheckResult => ({ findings: [], skipped: why, looked: null });

// A damaged log can hold thousands of bad events: list the first ones, count the rest.
const MAX_LISTED = 100;

/** Every event in the log decodes (known type, known schema version, data and metadata as their codecs say, personal data intact). */
export const undecodableEvents: DoctorCheck = {
  id: 'undecodable-events',
  title: 'every event decodes',
  run: async ({ store }) => {
    const findings: Finding[] = [];
    let n = 0;
    let bad = 0;
    for await (const raw of readAllEvents(store)) {
      n += 1;
      const d = decodeEvent(raw);
      if (E.isRight(d)) continue;
      bad += 1;
      if (findings.length < MAX_LISTED) {
        findings.push({
          problem: d.left.message,
          where: `${raw.streamId}@${raw.version} (position ${raw.position})`,
          fix: 'restore the event from a backup, or add an upcaster for its schema version; views skip it meanwhile',
        });
      }
    }
    if (bad > findings.length) findings.push({ problem: `${bad - findings.length} more events do not decode`, where: null, fix: 'see the ones listed' });
    return looked(findings, `${n} events`);
  },
};

/** Sealed personal data has its key unless the person was anonymised; every key seals some data. */
export const personalDataKeys: DoctorCheck = {
  id: 'personal-data-keys',
  title: 'personal data and its keys line up',
  run: async ({ inspection }) => {
    if (inspection === null) return skipped('this store keeps no key table of its own here');
    const { sealedWithoutKey, keysWithoutData } = await inspection.keys();
    const findings: Finding[] = [];
    for (const s of sealedWithoutKey) {
      if (s.anonymised) continue; // destroyed on purpose by retention (R-DEL-3)
      findings.push(
        s.deleted
          ? {
              problem: `${s.events} event(s) hold personal data whose key was destroyed, but the anonymisation was not recorded (retention stopped half-way)`,
              where: `${s.subject} (from position ${s.firstPosition})`,
              fix: 'run contactable retention again: it records what was done',
            }
          : {
              problem: `${s.events} event(s) hold personal data whose key is missing, and nobody was anonymised: that data can no longer be read`,
              where: `${s.subject} (from position ${s.firstPosition})`,
              fix: 'restore the key table (subject_keys) from a backup taken with the log; until then these fields read XXXX',
            },
      );
    }
    for (const k of keysWithoutData) {
      findings.push({
        problem: 'a key is held that no stored event was sealed with (a write that stopped after making the key)',
        where: `${k.subject} (key ${k.keyId})`,
        fix: 're-run the import or command that was interrupted; the next write for this subject uses the key',
      });
    }
    return looked(findings, `${sealedWithoutKey.length + keysWithoutData.length === 0 ? 'every' : 'each'} sealed subject and key`);
  },
};

/** No checkpoint is ahead of the log (a restored or truncated log behind its readers). */
export const checkpointsInStep: DoctorCheck = {
  id: 'checkpoints',
  title: 'checkpoints are in step with the log',
  run: async ({ inspection }) => {
    if (inspection === null) return skipped('this store cannot list its checkpoints');
    const head = await inspection.head();
    const findings: Finding[] = [];
    const all = await inspection.checkpoints();
    for (const c of all) {
      if (c.position > head || c.position < 0) {
        findings.push({
          problem: `checkpoint "${c.name}" is at position ${c.position}, but the log ends at ${head}: events it has read are gone (a log restored from an older backup?)`,
          where: `checkpoint ${c.name}`,
          fix: 'find out what happened to the log, then rebuild the read models from it (contactable replay) so the checkpoint starts again',
        });
      }
    }
    return looked(findings, `${all.length} checkpoint(s), log head at ${head}`);
  },
};

/** The embedded folder's lock is not left by a process that is gone. */
export const folderLock: DoctorCheck = {
  id: 'folder-lock',
  title: 'no lock left by a dead process',
  run: async ({ lock }) => {
    if (lock === null) return skipped('not an embedded store folder');
    if (lock.state !== 'stale') return looked([], 'the folder lock');
    const h = lock.holder;
    return looked(
      [
        {
          problem: `the folder's lock names process ${h.pid}${h.since !== null ? ` (since ${h.since})` : ''}, which is no longer running: it stopped without closing the store (a crash or kill -9)`,
          where: 'the lock file of the store folder',
          fix: 'nothing to clear: the next open takes over. Check what that process was doing and run it again (an import or retention converges; a send resumes with its --message-id)',
        },
      ],
      'the folder lock',
    );
  },
};

/** The checks doctor runs, in order. Read models out of step will go here once they are persisted. */
export const doctorChecks: ReadonlyArray<DoctorCheck> = [folderLock, undecodableEvents, personalDataKeys, checkpointsInStep];

/** What doctor found. */
export interface DoctorReport {
  readonly ok: boolean;
  readonly problems: number;
  readonly checks: ReadonlyArray<{ readonly id: string; readonly title: string; readonly status: 'ok' | 'problems' | 'skipped'; readonly looked: string | null; readonly skipped: string | null; readonly findings: ReadonlyArray<Finding> }>;
}

/** Runs the checks; a check that throws is itself a finding. */
export const runDoctor = async (ctx: DoctorContext, checks: ReadonlyArray<DoctorCheck> = doctorChecks): Promise<DoctorReport> => {
  const results: Array<DoctorReport['checks'][number]> = [];
  for (const c of checks) {
    let r: CheckResult;
    try {
      r = await c.run(ctx);
    } catch (e) {
      r = looked([{ problem: `the check could not finish: ${e instanceof Error ? e.message : String(e)}`, where: null, fix: 'fix what the message says, then run doctor again' }], null);
    }
    results.push({ id: c.id, title: c.title, status: r.skipped !== null ? 'skipped' : r.findings.length > 0 ? 'problems' : 'ok', looked: r.looked, skipped: r.skipped, findings: r.findings });
  }
  const problems = results.reduce((n, r) => n + r.findings.length, 0);
  return { ok: problems === 0, problems, checks: results };
};
