/** What every command gets: output, the school, the store (opened on first use), the read models and the runtime ports. */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import {
  dateOf,
  fixedClock,
  type Actor,
  type Clock,
  type EventStore,
  type HandleError,
  type HandlerDeps,
  type Handled,
} from '@contactable/core';
import { catchUp, createProjection, listMembers, contactsByEmail, type Projection } from '@contactable/projections';
import { isStoreError, openStore, storeKind, systemClock, uuidV7Ids } from '@contactable/adapters-store';
import { CliError } from './errors.js';
import type { Output } from './output.js';

/** The default store: the embedded PGlite folder. */
export const DEFAULT_STORE = './.contactable';

/** A command's world. */
export interface CliContext {
  readonly out: Output;
  readonly schoolId: string;
  readonly storeUrl: string;
  /** The store, opened on first use; an unreachable or bad URL is a CliError naming it (password masked). */
  readonly store: () => Promise<EventStore>;
  /** The handler's ports over the store, with the clock fixed at `at` when given. */
  readonly deps: (at?: string) => Promise<HandlerDeps>;
  /** The read models, caught up with the log. */
  readonly projection: () => Promise<Projection>;
  /** The real clock. */
  readonly clock: Clock;
  /** Releases the store. */
  readonly close: () => Promise<void>;
}

/** Builds the context for one run of the CLI. */
export const createContext = (out: Output, storeUrl: string, schoolId: string): CliContext => {
  let opened: Promise<EventStore> | null = null;
  let projection: Projection | null = null;
  const store = (): Promise<EventStore> => {
    opened ??= Promise.resolve()
      .then(() => checkStoreFolder(storeUrl))
      .then(() => openStore(storeUrl))
      .catch((e: unknown) => {
      if (e instanceof CliError) throw e;
      throw new CliError(isStoreError(e) ? `${e.message}\nCheck --store (a folder, memory:, postgres://..., esdb://...).` : `could not open the store: ${String(e)}`);
    });
    return opened;
  };
  return {
    out,
    schoolId,
    storeUrl,
    clock: systemClock,
    store,
    deps: async (at) => ({ store: await store(), clock: at === undefined ? systemClock : fixedClock(at), ids: uuidV7Ids }),
    projection: async () => {
      projection ??= createProjection({ schoolId });
      await catchUp(await store(), projection);
      return projection;
    },
    close: async () => {
      if (opened !== null) await (await opened).close();
    },
  };
};

/** A person acting through the CLI (`--by`), or an error saying to name them. */
export const person = (by: string | undefined, what: string): Actor => {
  if (by === undefined || by.trim() === '') throw new CliError(`${what} is recorded with who did it: add --by "Your Name".`, 2);
  return { kind: 'person', name: by.trim() };
};

/**
 * The folder of `--store` must be a store or empty: a non-empty folder that is not one (a typo naming
 * the exports folder, a home folder) would have the embedded database written into it. A store's
 * folder holds `pgdata` (PostgreSQL's files, with PG_VERSION); a `lock` alone is a store that never opened.
 */
export const checkStoreFolder = (url: string): void => {
  if (storeKind(url) !== 'pglite') return;
  const folder = /^file:/i.test(url) ? new URL(url).pathname : url;
  if (!existsSync(folder)) return;
  if (!statSync(folder).isDirectory()) throw new CliError(`--store ${folder} is a file, not a folder: give the store's folder (or a new one to create it).`);
  if (existsSync(join(folder, 'pgdata', 'PG_VERSION'))) return;
  const entries = readdirSync(folder).filter((e) => e !== 'lock');
  if (entries.length === 0) return;
  const shown = entries.slice(0, 5).map((e) => (statSync(join(folder, e), { throwIfNoEntry: false })?.isDirectory() === true ? `${e}/` : e));
  throw new CliError(
    `--store ${folder} is a folder that is not a contactable store: it holds ${entries.length} other entr${entries.length === 1 ? 'y' : 'ies'} (${shown.join(', ')}${entries.length > 5 ? ', ...' : ''}) and no store (pgdata/).\n` +
      'Nothing was written. Give the folder of an existing store, or a new or empty folder to create one in.',
  );
};

const isCalendarDate = (y: number, m: number, d: number): boolean => {
  const t = new Date(Date.UTC(y, m - 1, d));
  return y >= 1 && t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
};

/** A date option as YYYY-MM-DD that is a real calendar date (2026-02-30 is not), or a usage error naming the option. */
export const calendarDate = (value: string, option: string): string => {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (m === null || !isCalendarDate(Number(m[1]), Number(m[2]), Number(m[3]))) throw new CliError(`${option} must be a date as YYYY-MM-DD that is on the calendar (got "${value}").`, 2);
  return value;
};

/** Today (YYYY-MM-DD) from --today, or the real clock; a malformed or impossible date is an error naming the option. */
export const todayFrom = (value: string | undefined, clock: Clock): string => (value === undefined ? dateOf(clock.now()) : calendarDate(value, '--today'));

/** An instant from an option (a date means its end, UTC); a malformed or impossible one is an error naming the option. */
export const instantFrom = (value: string, option: string): string => {
  const date = /^(\d{4})-(\d{2})-(\d{2})(?=$|T)/.exec(value);
  const onCalendar = date !== null && isCalendarDate(Number(date[1]), Number(date[2]), Number(date[3]));
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T23:59:59.999Z` : value);
  if (Number.isNaN(ms) || !onCalendar) throw new CliError(`${option} must be an instant (ISO 8601, e.g. 2026-05-03T09:00:00Z) or a date on the calendar (got "${value}").`, 2);
  return new Date(ms).toISOString();
};

/** A whole number option between `min` and `max` (inclusive), or a usage error saying the bounds. */
export const wholeNumber = (value: string | undefined, option: string, min: number, max: number, fallback?: number): number => {
  if (value === undefined && fallback !== undefined) return fallback;
  const n = value !== undefined && /^\d+$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new CliError(`${option} must be a whole number from ${min.toLocaleString('en-GB')} to ${max.toLocaleString('en-GB')} (got "${value ?? ''}").`, 2);
  return n;
};

/** Resolves MEMBER: a member id, or an MIS reference such as a UPN. */
export const resolveMember = (p: Projection, ref: string): string => {
  const all = listMembers(p);
  const byId = all.find((m) => m.memberId === ref);
  if (byId !== undefined) return byId.memberId;
  const byRef = all.filter((m) => m.misReference !== null && m.misReference.toLowerCase() === ref.toLowerCase());
  if (byRef.length === 1) return byRef[0]!.memberId;
  if (byRef.length > 1) throw new CliError(`More than one member has the MIS reference "${ref}"; use the member id.`);
  throw new CliError(`No member with id or MIS reference "${ref}". List them with: contactable members`);
};

/** Resolves CONTACT: a contact id, or an email address a contact holds. */
export const resolveContact = (p: Projection, ref: string): string => {
  if (p.contacts.has(ref)) return ref;
  if (ref.includes('@')) {
    const ids = contactsByEmail(p, ref);
    if (ids.length === 1) return ids[0]!;
    if (ids.length > 1) throw new CliError(`More than one contact holds that email address; use the contact id (see: contactable linked-people MEMBER).`);
  }
  throw new CliError(`No contact with id or email address "${ref}". Find them with: contactable linked-people MEMBER`);
};

/** Unwraps a handled command, or turns its error into a CliError. */
export const handled = <S>(r: E.Either<HandleError, Handled<S>>): Handled<S> => {
  if (E.isLeft(r)) throw new CliError(r.left.message);
  return r.right;
};

/** "Given Family", or XXXX once erased. */
export const fullName = (n: { readonly given: string; readonly family: string } | null): string | null => (n === null ? null : `${n.given} ${n.family}`.trim());
