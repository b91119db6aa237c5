/**
 * What the school holds, as the import sees it: the state and version of every
 * member, contact and group stream, and the last import run recorded. Built by
 * folding the log once; the planner diffs a snapshot against it, and the run
 * hands each stream's state and version to the handler so it need not re-read.
 */
import * as E from 'fp-ts/lib/Either.js';
import { contactDecider, type ContactState } from '../deciders/contact.js';
import { groupDecider, type GroupState } from '../deciders/group.js';
import { memberDecider, type MemberState } from '../deciders/member.js';
import { decodeEvent, type Recorded, type StoredEvent, type UndecodableEvent } from '../events/catalogue.js';
import type { ContactEvent } from '../events/contact.js';
import type { GroupEvent } from '../events/group.js';
import type { MemberEvent } from '../events/member.js';
import { parseStreamId, type ContactId, type GroupId, type MemberId, type SchoolId } from '../ids.js';
import { readAllEvents, type EventStore } from '../store/port.js';

/** A stream's state and its last revision. */
export interface HeldStream<S> {
  readonly state: S;
  readonly version: number;
}

/** The issues the last recorded import run raised, to tell whether a run with no changes has news. */
export interface LastImportRun {
  readonly runId: string;
  readonly permissionFailures: ReadonlyArray<string>;
  readonly warnings: ReadonlyArray<string>;
}

/** Everything one school holds that an import reads. */
export interface HeldState {
  readonly schoolId: SchoolId;
  readonly members: ReadonlyMap<MemberId, HeldStream<MemberState>>;
  readonly contacts: ReadonlyMap<ContactId, HeldStream<ContactState>>;
  readonly groups: ReadonlyMap<GroupId, HeldStream<GroupState>>;
  /** How many import runs finished; none means the next import is the first (R-IMP-2). */
  readonly importRunsFinished: number;
  readonly lastImportRun: LastImportRun | null;
}

/** A school that holds nothing. */
export const emptyHeld = (schoolId: SchoolId): HeldState => ({
  schoolId,
  members: new Map(),
  contacts: new Map(),
  groups: new Map(),
  importRunsFinished: 0,
  lastImportRun: null,
});

interface MutableHeld {
  schoolId: SchoolId;
  members: Map<MemberId, HeldStream<MemberState>>;
  contacts: Map<ContactId, HeldStream<ContactState>>;
  groups: Map<GroupId, HeldStream<GroupState>>;
  importRunsFinished: number;
  lastImportRun: { runId: string; permissionFailures: string[]; warnings: string[] } | null;
}

const mutableCopy = (held: HeldState): MutableHeld => ({
  schoolId: held.schoolId,
  members: new Map(held.members),
  contacts: new Map(held.contacts),
  groups: new Map(held.groups),
  importRunsFinished: held.importRunsFinished,
  lastImportRun:
    held.lastImportRun === null
      ? null
      : { runId: held.lastImportRun.runId, permissionFailures: [...held.lastImportRun.permissionFailures], warnings: [...held.lastImportRun.warnings] },
});

const fold = (h: MutableHeld, e: StoredEvent): void => {
  if (e.metadata.schoolId !== h.schoolId) return;
  const parsed = parseStreamId(e.streamId);
  if (parsed === null) return;
  switch (parsed.category) {
    case 'member': {
      const prev = h.members.get(parsed.id)?.state ?? memberDecider.initialState;
      h.members.set(parsed.id, { state: memberDecider.evolve(prev, e as unknown as Recorded<MemberEvent>), version: e.version });
      return;
    }
    case 'contact': {
      const prev = h.contacts.get(parsed.id)?.state ?? contactDecider.initialState;
      h.contacts.set(parsed.id, { state: contactDecider.evolve(prev, e as unknown as Recorded<ContactEvent>), version: e.version });
      return;
    }
    case 'group': {
      const prev = h.groups.get(parsed.id)?.state ?? groupDecider.initialState;
      h.groups.set(parsed.id, { state: groupDecider.evolve(prev, e as unknown as Recorded<GroupEvent>), version: e.version });
      return;
    }
    case 'import': {
      if (e.type === 'ImportRunStarted') h.lastImportRun = { runId: e.data.runId, permissionFailures: [], warnings: [] };
      else if (e.type === 'ImportPermissionFailed' && h.lastImportRun?.runId === e.data.runId) h.lastImportRun.permissionFailures.push(e.data.area);
      else if (e.type === 'ImportWarningRaised' && h.lastImportRun?.runId === e.data.runId) h.lastImportRun.warnings.push(`${e.data.code}:${e.data.message}`);
      else if (e.type === 'ImportRunFinished') h.importRunsFinished += 1;
      return;
    }
    default:
      return;
  }
};

/** Folds decoded events (in log order) into what a school holds; other schools' events are ignored. */
export const heldStateFrom = (schoolId: SchoolId, events: Iterable<StoredEvent>): HeldState => withEvents(emptyHeld(schoolId), events);

/** What a school holds after more events (the given state is left as it was). */
export const withEvents = (held: HeldState, events: Iterable<StoredEvent>): HeldState => {
  const h = mutableCopy(held);
  for (const e of events) fold(h, e);
  return h;
};

/** Reads the whole log once and folds what one school holds; an event that no longer decodes is an error. */
export const loadHeldState = async (store: EventStore, schoolId: SchoolId): Promise<E.Either<UndecodableEvent, HeldState>> => {
  const h = mutableCopy(emptyHeld(schoolId));
  for await (const raw of readAllEvents(store, 0, 5000)) {
    const decoded = decodeEvent(raw);
    if (E.isLeft(decoded)) return decoded;
    fold(h, decoded.right);
  }
  return E.right(h);
};
