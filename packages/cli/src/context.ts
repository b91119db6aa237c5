/** What every command gets: output, the school, the store (opened on first use), the read models and the runtime ports. */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as E from 'fp-ts/lib/Either.js';
import {
  STAFF_REASON_CODES,
  DEFAULT_TIME_ZONE,
  endOfLocalDay,
  isLocalDate,
  localDayOf,
  localDaysBetween,
  offsetClock,
  startOfLocalDay,
  type Actor,
  type Clock,
  type EventStore,
  type HandleError,
  type HandlerDeps,
  type Handled,
  type TimeZone,
} from '@contactable/core';
import { catchUp, catchUpViews, contactLabel, createProjection, formatInstant, memberLabel, projectionViews, rowViews, type ContactSummary, type Found, type Projection, type Views } from '@contactable/projections';
import { isStoreError, openStore, storeKind, systemClock, uuidV7Ids, type OpenStoreOptions } from '@contactable/adapters-store';
import { CliError } from './errors.js';
import type { Output } from './output.js';

/** The default store: the embedded PGlite folder. */
export const DEFAULT_STORE = './.contactable';

/** A command's world. */
export interface CliContext {
  readonly out: Output;
  readonly schoolId: string;
  readonly storeUrl: string;
  /** What opening the store takes besides its URL (the key-encryption key file). */
  readonly storeOptions: OpenStoreOptions;
  /** The store, opened on first use; an unreachable or bad URL is a CliError naming it (password masked). */
  readonly store: () => Promise<EventStore>;
  /** The handler's ports over the store, on the wall clock unless a (simulated) clock is given. */
  readonly deps: (clock?: Clock) => Promise<HandlerDeps>;
  /** The read models, caught up with the log. */
  readonly projection: () => Promise<Projection>;
  /** The read side (each answer caught up with the log). */
  readonly views: () => Promise<Views>;
  /** The real clock. */
  readonly clock: Clock;
  /** The school's time zone (its school-stream setting; Europe/London until set). */
  readonly zone: () => Promise<TimeZone>;
  /** Releases the store. */
  readonly close: () => Promise<void>;
}

/** Builds the context for one run of the CLI (`open` opens the store: tests give their own). */
export const createContext = (
  out: Output,
  storeUrl: string,
  schoolId: string,
  viewsUrl?: string,
  storeOptions: OpenStoreOptions = {},
  open: (url: string, options: OpenStoreOptions) => Promise<EventStore> = openStore,
): CliContext => {
  let opened: Promise<EventStore> | null = null;
  let viewsStore: Promise<EventStore> | null = null;
  const openViewsStore = (url: string): Promise<EventStore> => {
    viewsStore ??= openStore(url).catch((e: unknown) => {
      throw new CliError(isStoreError(e) ? `${e.message}\nCheck --views (a folder or postgres://...).` : `could not open the views store: ${String(e)}`);
    });
    return viewsStore;
  };
  let projection: Projection | null = null;
  let views: Views | null = null;
  const store = (): Promise<EventStore> => {
    opened ??= Promise.resolve()
      .then(() => checkStoreFolder(storeUrl))
      .then(() => open(storeUrl, storeOptions))
      .catch((e: unknown) => {
      if (e instanceof CliError) throw e;
      throw new CliError(isStoreError(e) ? `${e.message}\nCheck --store (a folder, memory:, postgres://..., esdb://...) and --kek-file.` : `could not open the store: ${String(e)}`);
    });
    return opened;
  };
  const contextViews = async (): Promise<Views> => {
    if (views === null) {
      const s = await store();
      if (s.readModels !== undefined) views = rowViews(s.readModels, schoolId);
      else if (viewsUrl !== undefined) {
        // The log keeps no read models (EventStoreDB): they live in another store and follow the log.
        const kept = await openViewsStore(viewsUrl);
        const rows = kept.readModels;
        if (rows?.follow === undefined) throw new CliError(`--views ${viewsUrl} must name a PGlite folder or a postgres:// database: the read models are kept there.`);
        views = rowViews(rows, schoolId, async () => {
          await catchUpViews(s, rows);
        });
      } else {
        // A store that keeps no read models (EventStoreDB): a fold of the log, caught up before each answer.
        const p = (projection ??= createProjection({ schoolId }));
        views = projectionViews(p, async () => {
          await catchUp(s, p);
        });
      }
    }
    return views;
  };
  return {
    out,
    schoolId,
    storeUrl,
    storeOptions,
    clock: systemClock,
    store,
    deps: async (clock) => ({ store: await store(), clock: clock ?? systemClock, ids: uuidV7Ids }),
    zone: async () => (await (await contextViews()).school()).timeZone,
    projection: async () => {
      projection ??= createProjection({ schoolId });
      await catchUp(await store(), projection);
      return projection;
    },
    views: contextViews,
    close: async () => {
      if (viewsStore !== null) await (await viewsStore).close();
      if (opened !== null) await (await opened).close();
    },
  };
};

/** Who an account change is recorded as: the person named with `--by`, else the command line itself. */
export const byOrCli = (by: string | undefined): Actor => (by === undefined || by.trim() === '' ? { kind: 'system', name: 'contactable CLI' } : { kind: 'person', name: by.trim() });

/** A person acting through the CLI (`--by`), or an error saying to name them. */
export const person = (by: string | undefined, what: string): Actor => {
  if (by === undefined || by.trim() === '') throw new CliError(`${what} is recorded with who did it: add --by "Your Name".`, 2);
  return { kind: 'person', name: by.trim() };
};

/**
 * The reason code of a staff action (`--reason-code`), from the list the command offers, else the
 * command's own; codes are stored in the clear, so they are chosen, never typed free.
 */
export const reasonCodeFrom = (value: string | undefined, fallback: string): string => {
  if (value === undefined) return fallback;
  if (STAFF_REASON_CODES[value] === undefined) {
    throw new CliError(
      `--reason-code must be one of:\n${Object.entries(STAFF_REASON_CODES).map(([code, meaning]) => `  ${code.padEnd(24)} ${meaning}`).join('\n')}\nPut the details in --reason (it is sealed and erased with the person).`,
      2,
    );
  }
  return value;
};

/**
 * The folder of `--store` must be a store or empty: a non-empty folder that is not one (a typo naming
 * the exports folder, a home folder) would have the embedded database written into it. A store's
 * folder holds `pgdata` (PostgreSQL's files, with PG_VERSION); a `lock` or `waiting-PID` notes alone are a store not yet made.
 */
export const checkStoreFolder = (url: string): void => {
  if (storeKind(url) !== 'pglite') return;
  const folder = /^file:/i.test(url) ? fileURLToPath(url) : url;
  if (!existsSync(folder)) return;
  if (!statSync(folder).isDirectory()) throw new CliError(`--store ${folder} is a file, not a folder: give the store's folder (or a new one to create it).`);
  if (existsSync(join(folder, 'pgdata', 'PG_VERSION'))) return;
  // The store's own machinery may come before its data: the lock, notes of processes waiting their turn,
  // and a creation stopped part-way (its marker and unfinished data, started again at the next open).
  const creating = existsSync(join(folder, 'creating'));
  const entries = readdirSync(folder).filter((e) => !/^(lock|lock\.break|lock\..*\.tmp|creating|waiting-\d+)$/.test(e) && !(creating && e === 'pgdata'));
  if (entries.length === 0) return;
  const shown = entries.slice(0, 5).map((e) => (statSync(join(folder, e), { throwIfNoEntry: false })?.isDirectory() === true ? `${e}/` : e));
  throw new CliError(
    `--store ${folder} is a folder that is not a contactable store: it holds ${entries.length} other entr${entries.length === 1 ? 'y' : 'ies'} (${shown.join(', ')}${entries.length > 5 ? ', ...' : ''}) and no store (pgdata/).\n` +
      'Nothing was written. Give the folder of an existing store, or a new or empty folder to create one in.',
  );
};

/** A date option as YYYY-MM-DD that is a real calendar date (2026-02-30 is not), or a usage error naming the option. */
export const dateOption = (value: string, option: string): string => {
  if (!isLocalDate(value)) throw new CliError(`${option} must be a date as YYYY-MM-DD that is on the calendar (got "${value}").`, 2);
  return value;
};

/** Today (YYYY-MM-DD) from --today, or the real clock's day in the school's zone; a malformed date is an error naming the option. */
export const todayFrom = (value: string | undefined, clock: Clock, zone: TimeZone = DEFAULT_TIME_ZONE): string =>
  value === undefined ? localDayOf(clock.now(), zone) : dateOption(value, '--today');

/**
 * The clock a write command runs on, and its day. Events record when they happen, so a write is never
 * back-dated: --today must be today, or a later day with --simulated-clock, which runs the command on
 * the wall clock moved on to that day and marks every event it writes as written under a simulated clock.
 */
export const writeClock = (ctx: CliContext, today: string | undefined, simulate: boolean, zone: TimeZone, command: string): { readonly clock: Clock; readonly today: string } => {
  const real = localDayOf(ctx.clock.now(), zone);
  if (today === undefined) {
    if (simulate) throw new CliError('--simulated-clock runs the command as if on a later day: give the day with --today YYYY-MM-DD.', 2);
    return { clock: ctx.clock, today: real };
  }
  const day = dateOption(today, '--today');
  const ahead = localDaysBetween(real, day);
  if (ahead === 0 && !simulate) return { clock: ctx.clock, today: real };
  if (ahead < 0) throw new CliError(`--today ${day} is in the past (today is ${real} in ${zone}); ${command} records when it happens and cannot be back-dated. Nothing was written.`, 2);
  if (!simulate) {
    throw new CliError(
      `--today ${day} is ${ahead} day(s) ahead of today (${real} in ${zone}); ${command} would record that day as now. Nothing was written. ` +
        'To rehearse it (a demo, a test store), add --simulated-clock: every event it writes is then marked as written under a simulated clock.',
      2,
    );
  }
  // Midnight to midnight, so the simulated clock shows the same time of day on that day (whatever clock changes lie between).
  const offset = Date.parse(startOfLocalDay(day, zone)) - Date.parse(startOfLocalDay(real, zone));
  return { clock: offsetClock(ctx.clock, offset, `${command} --today ${day}`), today: day };
};

/** An instant from an option (a date means the end of that school day, in the zone); a malformed or impossible one is an error naming the option. */
export const instantFrom = (value: string, option: string, zone: TimeZone = DEFAULT_TIME_ZONE): string => {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return endOfLocalDay(dateOption(value, option), zone);
  const ms = Date.parse(value);
  if (Number.isNaN(ms) || !isLocalDate(value.slice(0, 10))) throw new CliError(`${option} must be an instant (ISO 8601, e.g. 2026-05-03T09:00:00Z) or a date on the calendar (got "${value}").`, 2);
  return new Date(ms).toISOString();
};

/** An instant as the office reads it, in the school's zone and labelled: "8 Sep 2026, 09:31 BST". */
export const timeIn = (at: string, zone: TimeZone): string => formatInstant(at, zone);

/** A whole number option between `min` and `max` (inclusive), or a usage error saying the bounds. */
export const wholeNumber = (value: string | undefined, option: string, min: number, max: number, fallback?: number): number => {
  if (value === undefined && fallback !== undefined) return fallback;
  const n = value !== undefined && /^\d+$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new CliError(`${option} must be a whole number from ${min.toLocaleString('en-GB')} to ${max.toLocaleString('en-GB')} (got "${value ?? ''}").`, 2);
  return n;
};

/** How members and contacts are named to an office (the projections' words, for the commands). */
export { contactLabel, memberLabel };

const MAX_CANDIDATES = 10;
const candidates = <T>(found: ReadonlyArray<Found<T>>, label: (t: T) => string): string =>
  found
    .slice(0, MAX_CANDIDATES)
    .map((f) => `  ${label(f.value)}`)
    .join('\n') + (found.length > MAX_CANDIDATES ? `\n  and ${found.length - MAX_CANDIDATES} more` : '');

/**
 * Resolves MEMBER: our id, an MIS reference (UPN, application reference, staff code), the export's own
 * id (a OneRoster sourcedId), or an exact name. A name several members share lists them; none is picked.
 */
export const resolveMember = async (views: Views, ref: string): Promise<string> => {
  const found = await views.findMembers(ref);
  if (found.length === 1) return found[0]!.value.memberId;
  if (found.length > 1) throw new CliError(`"${ref}" could be any of these members; use their MIS reference:\n${candidates(found, memberLabel)}`);
  throw new CliError(`No member with id, MIS reference, export id or name "${ref}". Search with: contactable members --search TEXT`);
};

/**
 * Resolves CONTACT to every contact it names: our id, an email address or mobile number (every contact
 * still holding it), the export's own id, or an exact name (several people sharing a name are refused
 * with the list, never picked from).
 */
export const resolveContacts = async (views: Views, ref: string): Promise<ReadonlyArray<ContactSummary>> => {
  const found = await views.findContacts(ref);
  if (found.length === 0) throw new CliError(`No contact with id, email address, mobile number, export id or name "${ref}". Find them with: contactable linked-people MEMBER`);
  if (found.length > 1 && found[0]!.by === 'name') {
    throw new CliError(`"${ref}" could be any of these contacts; use their email address or mobile number:\n${candidates(found, contactLabel)}`);
  }
  return found.map((f) => f.value);
};

/** Resolves CONTACT to exactly one contact; an address several contacts hold lists them. */
export const resolveContact = async (views: Views, ref: string): Promise<string> => {
  const all = await resolveContacts(views, ref);
  if (all.length === 1) return all[0]!.contactId;
  throw new CliError(`"${ref}" is held by ${all.length} contacts; name one of them (contactable contacts merge joins records of one person):\n${candidates(all.map((value) => ({ by: 'id' as const, value })), contactLabel)}`);
};

/** Unwraps a handled command, or turns its error into a CliError. */
export const handled = <S>(r: E.Either<HandleError, Handled<S>>): Handled<S> => {
  if (E.isLeft(r)) throw new CliError(r.left.message);
  return r.right;
};

/** "Given Family", or XXXX once erased. */
export const fullName = (n: { readonly given: string; readonly family: string } | null): string | null => (n === null ? null : `${n.given} ${n.family}`.trim());
