/** What every command gets: output, the school, the store (opened on first use), the read models and the runtime ports. */
import * as E from 'fp-ts/lib/Either.js';
import {
  STAFF_REASON_CODES,
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
import { isStoreError, openStore, systemClock, uuidV7Ids, type OpenStoreOptions } from '@contactable/adapters-store';
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
export const createContext = (out: Output, storeUrl: string, schoolId: string, storeOptions: OpenStoreOptions = {}): CliContext => {
  let opened: Promise<EventStore> | null = null;
  let projection: Projection | null = null;
  const store = (): Promise<EventStore> => {
    opened ??= openStore(storeUrl, storeOptions).catch((e: unknown) => {
      throw new CliError(isStoreError(e) ? `${e.message}\nCheck --store (a folder, memory:, postgres://..., esdb://...) and --kek-file.` : `could not open the store: ${String(e)}`);
    });
    return opened;
  };
  return {
    out,
    schoolId,
    storeUrl,
    storeOptions,
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

/** Today (YYYY-MM-DD) from --today, or the real clock; a malformed date is an error naming the option. */
export const todayFrom = (value: string | undefined, clock: Clock): string => {
  if (value === undefined) return dateOf(clock.now());
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(value))) throw new CliError(`--today must be a date as YYYY-MM-DD (got "${value}").`, 2);
  return value;
};

/** An instant from an option (a date means its start, UTC); a malformed one is an error naming the option. */
export const instantFrom = (value: string, option: string): string => {
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T23:59:59.999Z` : value);
  if (Number.isNaN(ms)) throw new CliError(`${option} must be an instant (ISO 8601, e.g. 2026-05-03T09:00:00Z) or a date (got "${value}").`, 2);
  return new Date(ms).toISOString();
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
