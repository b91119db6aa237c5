/** A school in a memory store, built through the core's deciders, for messaging tests and the benchmark. */
import * as E from 'fp-ts/lib/Either.js';
import {
  contactDecider,
  contactStream,
  emailDetail,
  groupDecider,
  groupStream,
  handleCommand,
  memberDecider,
  memberStream,
  memoryStore,
  mobileDetail,
  sequentialIds,
  steppingClock,
  type ContactCommand,
  type Detail,
  type EventStore,
  type HandlerDeps,
  type Link,
} from '@contactable/core';

/** The school every test writes for. */
export const SCHOOL = 'school-1';

/** Handler deps over a fresh memory store with a stepping clock and repeatable ids. */
export const makeDeps = (store: EventStore = memoryStore(), start = '2026-09-01T08:00:00.000Z'): HandlerDeps => ({
  store,
  clock: steppingClock(start, 1000),
  ids: sequentialIds('test'),
});

const must = async <T>(p: Promise<E.Either<{ message: string }, T>>): Promise<T> => {
  const r = await p;
  if (E.isLeft(r)) throw new Error(r.left.message);
  return r.right;
};

/** A contact to import. */
export interface ContactSpec {
  readonly id: string;
  readonly email?: string | Detail | null;
  readonly mobile?: string | Detail | null;
}

const asDetail = (v: string | Detail | null | undefined, kind: 'email' | 'mobile'): Detail | null =>
  v === undefined || v === null ? null : typeof v === 'string' ? (kind === 'email' ? emailDetail(v, 'Home') : mobileDetail(v, 'Mobile')) : v;

/** Imports a contact from the MIS. */
export const importContact = (deps: HandlerDeps, c: ContactSpec): Promise<unknown> =>
  contactCommand(deps, {
    type: 'ImportContact',
    contactId: c.id,
    source: { kind: 'mis', system: 'sims', externalId: c.id },
    name: { given: 'Pat', family: c.id },
    email: asDetail(c.email, 'email'),
    mobile: asDetail(c.mobile, 'mobile'),
  });

/** Runs a contact command as the office. */
export const contactCommand = (deps: HandlerDeps, cmd: ContactCommand, commandId?: string): Promise<unknown> =>
  must(handleCommand(deps, contactDecider, contactStream(cmd.contactId), cmd, { schoolId: SCHOOL, actor: { kind: 'person', name: 'Office' }, ...(commandId !== undefined ? { commandId } : {}) }));

/** Opts a contact out by hand. */
export const optOut = (deps: HandlerDeps, contactId: string): Promise<unknown> => contactCommand(deps, { type: 'OptOut', contactId, via: 'staff' });

/** Blocks a contact's email with a spam complaint (R-CON-4). */
export const blockEmail = (deps: HandlerDeps, contactId: string, address: string): Promise<unknown> =>
  contactCommand(deps, { type: 'RecordSpamComplaint', contactId, address, provider: 'test', feedbackId: `spam-${contactId}`, providerMessageId: null, observedAt: '2026-08-01T00:00:00.000Z' });

/** Blocks a contact's texts with three permanent failures (R-CON-5). */
export const blockSms = async (deps: HandlerDeps, contactId: string, number: string): Promise<void> => {
  for (let i = 0; i < 3; i++) {
    await contactCommand(deps, { type: 'RecordDeliveryFailure', contactId, channel: 'sms', address: number, permanent: true, detail: null, provider: 'test', feedbackId: `f-${contactId}-${i}`, providerMessageId: null, observedAt: `2026-08-0${i + 1}T00:00:00.000Z` });
  }
};

/** A link, prime or not, with or without parental responsibility. */
export const link = (prime: boolean, parentalResponsibility = true, priority = 1): Link => ({
  relationship: 'Mother',
  priority: priority as Link['priority'],
  parentalResponsibility,
  prime,
  source: 'mis',
});

/** Imports a student and links contacts to them. */
export const importMember = async (deps: HandlerDeps, memberId: string, links: Readonly<Record<string, Link>>): Promise<void> => {
  const ctx = { schoolId: SCHOOL, actor: { kind: 'import' as const, runId: 'run-1' } };
  await must(handleCommand(deps, memberDecider, memberStream(memberId), {
    type: 'ImportMember', memberId, source: { kind: 'mis', system: 'sims', externalId: memberId }, kind: 'student', name: { given: 'Kid', family: memberId }, misReference: null, enrolment: { status: 'on-roll' }, stale: false,
  }, ctx));
  await must(handleCommand(deps, memberDecider, memberStream(memberId), { type: 'SyncLinks', memberId, links }, ctx));
};

/** Creates a group with members and contacts. */
export const createGroup = async (deps: HandlerDeps, groupId: string, members: ReadonlyArray<{ kind: 'member' | 'contact'; id: string }>): Promise<void> => {
  const ctx = { schoolId: SCHOOL, actor: { kind: 'person' as const, name: 'Office' } };
  await must(handleCommand(deps, groupDecider, groupStream(groupId), { type: 'CreateGroup', groupId, name: groupId, groupKind: 'custom' }, ctx));
  await must(handleCommand(deps, groupDecider, groupStream(groupId), { type: 'AddToGroup', groupId, members }, ctx));
};

/** Every event in the store, counted. */
export const eventCount = async (store: EventStore): Promise<number> => (await store.readAll()).length;

/** The events of one stream, decoded only as far as type and data. */
export const streamEvents = async (store: EventStore, streamId: string): Promise<ReadonlyArray<{ type: string; data: Record<string, unknown>; metadata: Record<string, unknown> }>> =>
  (await store.readStream(streamId)).map((e) => ({ type: e.type, data: e.data as Record<string, unknown>, metadata: e.metadata as unknown as Record<string, unknown> }));
