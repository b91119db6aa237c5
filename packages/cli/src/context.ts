/** What every command gets: output, the school, the store (opened on first use), the read models and the runtime ports. */
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
import { catchUp, createProjection, projectionViews, type ContactSummary, type Found, type MemberSummary, type Projection, type Views } from '@contactable/projections';
import { isStoreError, openStore, systemClock, uuidV7Ids } from '@contactable/adapters-store';
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
  /** The read side (each answer caught up with the log). */
  readonly views: () => Promise<Views>;
  /** The real clock. */
  readonly clock: Clock;
  /** Releases the store. */
  readonly close: () => Promise<void>;
}

/** Builds the context for one run of the CLI. */
export const createContext = (out: Output, storeUrl: string, schoolId: string): CliContext => {
  let opened: Promise<EventStore> | null = null;
  let projection: Projection | null = null;
  let views: Views | null = null;
  const store = (): Promise<EventStore> => {
    opened ??= openStore(storeUrl).catch((e: unknown) => {
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
    views: async () => {
      if (views === null) {
        const s = await store();
        const p = (projection ??= createProjection({ schoolId }));
        views = projectionViews(p, async () => {
          await catchUp(s, p);
        });
      }
      return views;
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

const fullNameOf = (n: { readonly given: string; readonly family: string }): string => `${n.given} ${n.family}`.trim();

/** A member as an office names them: "Ada Okafor (K801200011002)". */
export const memberLabel = (m: Pick<MemberSummary, 'name' | 'misReference'>): string => `${fullNameOf(m.name)}${m.misReference === null ? '' : ` (${m.misReference})`}`;

/** A contact as an office names them: "Ngozi Okafor, Mother of Ada Okafor (K801200011002)". */
export const contactLabel = (c: Pick<ContactSummary, 'name' | 'members'>): string => {
  const of = c.members.slice(0, 3).map((m) => `${m.relationship || 'contact'} of ${memberLabel(m)}`);
  return `${fullNameOf(c.name)}${of.length === 0 ? '' : `, ${of.join('; ')}${c.members.length > 3 ? `; and ${c.members.length - 3} more` : ''}`}`;
};

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
