/** Small hand-made snapshots and a store harness for the import tests. */
import * as E from 'fp-ts/lib/Either.js';
import {
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
