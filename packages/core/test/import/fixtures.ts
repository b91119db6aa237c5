/** Small hand-made snapshots and a store harness for the import tests. */
import * as E from 'fp-ts/lib/Either.js';
import * as E2 from 'fp-ts/lib/Either.js';
import {
  contactDecider,
  groupDecider,
  memberDecider,
  sequenceDecider,
  withEvents,
  type Decider,
  type ImportPlan,
  decodeEvent,
  defaultImportSettings,
  fixedClock,
  heldStateFrom,
  memoryStore,
  readAllEvents,
  runImport,
  sequentialIds,
  type EventStore,
  type HeldState,
  type ImportSettings,
  type MisContact,
  type MisLink,
  type MisMember,
  type MisSnapshot,
  type StandardApplicationStatus,
  type StoredEvent,
} from '@contactable/core';

export const SCHOOL = 'school-1';
export const TODAY = '2026-09-01';

export const pupil = (id: string, roll: MisMember['roll'] = { status: 'on-roll', admissionDate: null }, extra: Partial<MisMember> = {}): MisMember => ({
  externalId: id,
  kind: 'student',
  name: { given: `Given${id}`, family: `Family${id}` },
  misReference: `UPN${id}`,
  roll,
  parentsRefusedSharing: false,
  ...extra,
});

export const applicant = (id: string, standardStatus: StandardApplicationStatus, intake: string, status: string = standardStatus): MisMember =>
  pupil(id, { status: 'applicant', application: { status, standardStatus }, intakeAdmissionDate: intake });

export const contact = (id: string, emails: MisContact['emails'] = [{ value: `${id}@example.org`, location: 'Home' }], phones: MisContact['phones'] = [{ value: '07123 456789', location: 'Mobile' }]): MisContact => ({
  externalId: id,
  name: { given: `Given${id}`, family: `Family${id}` },
  emails,
  phones,
});

export const link = (member: string, contactId: string, priority = 1, parentalResponsibility = true, relationship = 'Mother'): MisLink => ({
  memberExternalId: member,
  contactExternalId: contactId,
  relationship,
  priority,
  parentalResponsibility,
});

export const snapshot = (parts: Partial<MisSnapshot> = {}): MisSnapshot => ({
  source: { system: 'sims', schoolRef: null, schoolName: null, region: 'GB' },
  areas: ['contacts', 'groups', 'members', 'staff'],
  permissionFailures: [],
  members: [],
  contacts: [],
  links: [],
  groups: [],
  ...parts,
});

export const settings = (over: Partial<ImportSettings> = {}): ImportSettings => ({ ...defaultImportSettings, ...over });

/** Every event in a store, decoded. */
export const allEvents = async (store: EventStore): Promise<StoredEvent[]> => {
  const out: StoredEvent[] = [];
  for await (const raw of readAllEvents(store)) {
    const d = decodeEvent(raw);
    if (E.isLeft(d)) throw new Error(d.left.message);
    out.push(d.right);
  }
  return out;
};

/** What a store holds for the school. */
export const heldOf = async (store: EventStore): Promise<HeldState> => heldStateFrom(SCHOOL, await allEvents(store));

/** A store, handler deps and a `run` that imports a snapshot and fails the test on an error value. */
export const harness = (store: EventStore = memoryStore()) => {
  const deps = { store, clock: fixedClock('2026-09-01T06:00:00.000Z'), ids: sequentialIds('test') };
  let n = 0;
  const run = async (snap: MisSnapshot, s: ImportSettings = settings(), today = TODAY, extra: { dryRun?: boolean; only?: { member: string } | { contact: string } } = {}) => {
    const r = await runImport(deps, snap, s, today, { runId: `run-${++n}`, format: 'test', sourceName: 'test', schoolId: SCHOOL, ...extra });
    if (E.isLeft(r)) throw new Error(r.left.message);
    return r.right;
  };
  return { store, deps, run };
};

/** The number of events in a store. */
export const eventCount = async (store: EventStore): Promise<number> => (await allEvents(store)).length;

/** Member and contact states keyed by stream, for comparing two stores. */
export const entityStates = (held: HeldState): string =>
  JSON.stringify(
    {
      members: [...held.members].map(([id, s]) => [id, s.state]).sort(),
      contacts: [...held.contacts].map(([id, s]) => [id, { ...s.state, feedbackSeen: undefined }]).sort(),
      groups: [...held.groups].map(([id, s]) => [id, s.state]).sort(),
    },
    (_k, v: unknown) => (v instanceof Set ? [...v] : v),
  );

/** Applies a plan purely, as the import run would (one batch per stream): each stream's commands decided against what is held, their events folded in. */
export const applyPure = (held: HeldState, plan: ImportPlan): HeldState => {
  const events: StoredEvent[] = [];
  const one = <C, S>(decider: Decider<C, { type: string; data: unknown }, S>, streamId: string, command: C, state: S | undefined, version: number): void => {
    const decided = decider.decide(command, state ?? decider.initialState);
    if (E2.isLeft(decided)) throw new Error(decided.left.message);
    decided.right.forEach((e, i) =>
      events.push({ ...e, id: `${streamId}/${version + 1 + i}`, streamId, version: version + 1 + i, position: events.length + 1, metadata: { occurredAt: '2026-09-01T06:00:00.000Z', actor: { kind: 'import', runId: 'r' }, reason: null, correlationId: 'r', causationId: null, schoolId: SCHOOL } } as StoredEvent),
    );
  };
  for (const p of plan.contacts) one(sequenceDecider(contactDecider) as never, p.streamId, p.command, held.contacts.get(p.id)?.state, held.contacts.get(p.id)?.version ?? -1);
  for (const p of plan.members) one(sequenceDecider(memberDecider) as never, p.streamId, p.command, held.members.get(p.id)?.state, held.members.get(p.id)?.version ?? -1);
  for (const p of plan.groups) one(groupDecider as never, p.streamId, p.command, held.groups.get(p.id)?.state, held.groups.get(p.id)?.version ?? -1);
  return withEvents(held, events);
};
