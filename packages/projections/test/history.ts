/**
 * Histories for the projection tests, made with the core's own deciders: a list of steps
 * across several members, contacts, the school and import runs, run into stored events
 * with positions, versions and metadata, as a store would hand them back.
 */
import * as E from 'fp-ts/lib/Either.js';
import fc from 'fast-check';
import {
  contactDecider,
  defaultImportSettings,
  emailDetail,
  memberDecider,
  mobileDetail,
  schoolDecider,
  type Actor,
  type ContactCommand,
  type ContactState,
  type DataArea,
  type DataIssueFilter,
  type Enrolment,
  type Link,
  type MemberCommand,
  type MemberState,
  type SchoolCommand,
  type SchoolState,
  type StoredEvent,
} from '@contactable/core';
import { arbContactCommand } from '@contactable/core/testing';

/** The school of every test history. */
export const SCHOOL = 'school-1';
/** The members of generated histories. */
export const MEMBERS = ['m1', 'm2', 'm3'] as const;
/** The contacts of generated histories. */
export const CONTACTS = ['c1', 'c2', 'c3', 'c4'] as const;

/** One thing that happens in a history. */
export type Step =
  | { readonly kind: 'member'; readonly command: MemberCommand; readonly reason?: string }
  | { readonly kind: 'contact'; readonly command: ContactCommand; readonly actor?: Actor; readonly reason?: string }
  | { readonly kind: 'school'; readonly command: SchoolCommand }
  | {
      readonly kind: 'import-run';
      readonly runId: string;
      readonly failed: ReadonlyArray<readonly [DataArea, string]>;
      readonly finished: boolean;
      /** Warnings the run raised: code and message. */
      readonly warnings?: ReadonlyArray<readonly [string, string]>;
    }
  | { readonly kind: 'advance'; readonly hours: number }
  /** Three permanent failures to whatever the contact holds now on a channel (a block, R-CON-3, R-CON-5). */
  | { readonly kind: 'burst'; readonly contactId: string; readonly channel: 'email' | 'sms' };

const OFFICE: Actor = { kind: 'person', name: 'J. Smith' };
const IMPORT: Actor = { kind: 'import', runId: 'nightly' };
const PROVIDER: Actor = { kind: 'provider', provider: 'test', verified: true };

const contactActor = (c: ContactCommand): Actor => {
  switch (c.type) {
    case 'ImportContact':
      return IMPORT;
    case 'RecordDeliverySuccess':
    case 'RecordDeliveryFailure':
    case 'RecordSpamComplaint':
    case 'RecordMessageSent':
      return PROVIDER;
    default:
      return OFFICE;
  }
};

const memberActor = (c: MemberCommand): Actor => (c.type === 'ImportMember' || c.type === 'SyncLinks' || c.type === 'MarkLeaver' ? IMPORT : OFFICE);

/** Runs steps into stored events, one hour apart unless told otherwise, from `start`. */
export const runHistory = (steps: ReadonlyArray<Step>, options: { readonly start?: string; readonly schoolId?: string } = {}): StoredEvent[] => {
  const schoolId = options.schoolId ?? SCHOOL;
  let ms = Date.parse(options.start ?? '2026-09-01T08:00:00.000Z');
  const members = new Map<string, MemberState>();
  const contacts = new Map<string, ContactState>();
  let school: SchoolState = schoolDecider.initialState;
  const versions = new Map<string, number>();
  const out: StoredEvent[] = [];
  const push = (streamId: string, type: string, data: unknown, actor: Actor, reason: string | null = null): StoredEvent => {
    const version = (versions.get(streamId) ?? -1) + 1;
    versions.set(streamId, version);
    const e = {
      id: `e${out.length + 1}`,
      streamId,
      version,
      position: out.length + 1,
      type,
      data,
      metadata: { occurredAt: new Date(ms).toISOString(), actor, reason, correlationId: `k${out.length}`, causationId: null, schoolId },
    } as StoredEvent;
    out.push(e);
    return e;
  };
  const today = (): string => new Date(ms).toISOString().slice(0, 10);
  for (const step of steps) {
    switch (step.kind) {
      case 'advance':
        ms += step.hours * 3_600_000;
        continue;
      case 'member': {
        const cmd: MemberCommand = step.command.type === 'AnonymiseMember' ? { ...step.command, today: today() } : step.command;
        const id = cmd.memberId;
        let state = members.get(id) ?? memberDecider.initialState;
        const decided = memberDecider.decide(cmd, state);
        if (E.isRight(decided)) {
          for (const ev of decided.right) {
            const e = push(`member-${id}`, ev.type, ev.data, memberActor(cmd), step.reason ?? null);
            state = memberDecider.evolve(state, e as never);
          }
        }
        members.set(id, state);
        break;
      }
      case 'contact': {
        const cmd: ContactCommand = step.command.type === 'AnonymiseContact' ? { ...step.command, today: today() } : step.command;
        const id = cmd.contactId;
        let state = contacts.get(id) ?? contactDecider.initialState;
        const decided = contactDecider.decide(cmd, state);
        if (E.isRight(decided)) {
          for (const ev of decided.right) {
            const e = push(`contact-${id}`, ev.type, ev.data, step.actor ?? contactActor(cmd), step.reason ?? null);
            state = contactDecider.evolve(state, e as never);
          }
        }
        contacts.set(id, state);
        break;
      }
      case 'school': {
        const decided = schoolDecider.decide(step.command, school);
        if (E.isRight(decided)) {
          for (const ev of decided.right) {
            const e = push(`school-${schoolId}`, ev.type, ev.data, OFFICE);
            school = schoolDecider.evolve(school, e as never);
          }
        }
        break;
      }
      case 'burst': {
        const held = contacts.get(step.contactId);
        if (held === undefined || held.status !== 'active') break;
        const detail = step.channel === 'email' ? held.email : held.mobile;
        if (detail === null) break;
        let state: ContactState = held;
        for (let i = 0; i < 3; i++) {
          const cmd: ContactCommand = {
            type: 'RecordDeliveryFailure', contactId: step.contactId, channel: step.channel, address: detail.value, permanent: true, detail: null,
            provider: 'test', feedbackId: `burst-${out.length}-${i}`, providerMessageId: null, observedAt: new Date(ms + i * 60_000).toISOString(),
          };
          const decided = contactDecider.decide(cmd, state);
          if (E.isLeft(decided)) break;
          for (const ev of decided.right) state = contactDecider.evolve(state, push(`contact-${step.contactId}`, ev.type, ev.data, PROVIDER) as never);
        }
        contacts.set(step.contactId, state);
        break;
      }
      case 'import-run': {
        const stream = `import-${step.runId}`;
        const actor: Actor = { kind: 'import', runId: step.runId };
        push(stream, 'ImportRunStarted', { runId: step.runId, format: 'sims-csv', sourceName: 'SIMS', settings: defaultImportSettings, today: today(), firstImport: false, partial: false, massChangeAllowedBy: null }, actor);
        for (const [area, permissionGroup] of step.failed) push(stream, 'ImportPermissionFailed', { runId: step.runId, area, permissionGroup }, actor);
        for (const [code, message] of step.warnings ?? []) push(stream, 'ImportWarningRaised', { runId: step.runId, code, message }, actor);
        if (step.finished) {
          const counts = { membersAdded: 0, membersChanged: 0, leavers: 0, contactsAdded: 0, contactsChanged: 0, groupsChanged: 0, confirmations: 0, eventsAppended: 0 };
          push(stream, 'ImportRunFinished', { runId: step.runId, counts }, actor);
        }
        break;
      }
    }
    ms += 3_600_000;
  }
  return out;
};

/** Builders for example tests. */
export const email = (v = 'ann.parent@example.org') => emailDetail(v, 'Home');
/** A mobile detail (E.164 when valid). */
export const mobile = (v = '07911 123456') => mobileDetail(v, 'Mobile');

/** An MIS import of a contact. */
export const importContact = (contactId: string, over: Partial<Extract<ContactCommand, { type: 'ImportContact' }>> = {}): Step => ({
  kind: 'contact',
  command: { type: 'ImportContact', contactId, source: { kind: 'mis', system: 'sims', externalId: contactId }, name: { given: 'Ann', family: 'Parent' }, email: email(), mobile: mobile(), ...over },
});

/** An MIS import of a student, on roll unless told otherwise. */
export const importStudent = (memberId: string, over: Partial<Extract<MemberCommand, { type: 'ImportMember' }>> = {}): Step => ({
  kind: 'member',
  command: { type: 'ImportMember', memberId, source: { kind: 'mis', system: 'sims', externalId: memberId }, kind: 'student', name: { given: 'Cai', family: 'Pupil' }, misReference: 'A123456789012', enrolment: { status: 'on-roll' }, stale: false, ...over },
});

/** A link as the MIS brings it. */
export const link = (over: Partial<Link> = {}): Link => ({ relationship: 'Mother', priority: 1 as Link['priority'], parentalResponsibility: true, prime: true, source: 'mis', ...over });

/** The MIS links of a member. */
export const syncLinks = (memberId: string, links: Record<string, Link>): Step => ({ kind: 'member', command: { type: 'SyncLinks', memberId, links } });

/** A contact command by a person, with an optional reason. */
export const contactCmd = (command: ContactCommand, reason?: string, actor?: Actor): Step => ({ kind: 'contact', command, ...(reason === undefined ? {} : { reason }), ...(actor === undefined ? {} : { actor }) });

/** A member command. */
export const memberCmd = (command: MemberCommand, reason?: string): Step => ({ kind: 'member', command, ...(reason === undefined ? {} : { reason }) });

let feedbackN = 0;
/** A provider callback about a delivery. */
export const feedback = (
  contactId: string,
  kind: 'ok' | 'perm' | 'temp' | 'spam',
  channel: 'email' | 'sms',
  observedAt: string,
  address = channel === 'email' ? email().value : mobile().value,
): Step => {
  const base = { contactId, address, provider: 'test', feedbackId: `fb-${feedbackN++}`, providerMessageId: null, observedAt };
  if (kind === 'spam') return contactCmd({ type: 'RecordSpamComplaint', ...base });
  if (kind === 'ok') return contactCmd({ type: 'RecordDeliverySuccess', ...base, channel });
  return contactCmd({ type: 'RecordDeliveryFailure', ...base, channel, permanent: kind === 'perm', detail: null });
};

/** A message handed to a provider for a contact. */
export const sent = (contactId: string, channel: 'email' | 'sms', messageId = 'msg-1'): Step =>
  contactCmd({ type: 'RecordMessageSent', contactId, messageId, channel, address: channel === 'email' ? email().value : mobile().value, provider: 'test', providerMessageId: `p-${messageId}-${contactId}`, purpose: 'message' });

// ---- arbitraries ------------------------------------------------------------------------

const arbLink: fc.Arbitrary<Link> = fc.record({
  relationship: fc.constantFrom('Mother', 'Father', 'Carer'),
  priority: fc.integer({ min: 1, max: 3 }) as fc.Arbitrary<Link['priority']>,
  parentalResponsibility: fc.boolean(),
  prime: fc.boolean(),
  source: fc.constant('mis' as const),
});

const arbEnrolment: fc.Arbitrary<Enrolment> = fc.oneof(
  { weight: 4, arbitrary: fc.constant({ status: 'on-roll' as const }) },
  { weight: 1, arbitrary: fc.record({ status: fc.constant('pre-admission' as const), applicationStatus: fc.constantFrom('applied' as const, 'offered' as const), admissionDate: fc.constantFrom('2026-09-03', '2027-09-02') }) },
  { weight: 1, arbitrary: fc.constant({ status: 'leaver' as const, leftOn: '2026-07-20' }) },
);

const arbMemberCommand = (memberId: string): fc.Arbitrary<MemberCommand> =>
  fc.oneof(
    {
      weight: 4,
      arbitrary: fc.record({ kind: fc.constantFrom('student' as const, 'student' as const, 'staff' as const), name: fc.record({ given: fc.constantFrom('Cai', 'Dee'), family: fc.constantFrom('Ng', 'Khan') }), enrolment: arbEnrolment, stale: fc.boolean() }).map(
        (r): MemberCommand => ({ type: 'ImportMember', memberId, source: { kind: 'mis', system: 'sims', externalId: memberId }, misReference: `UPN-${memberId}`, ...r }),
      ),
    },
    { weight: 4, arbitrary: fc.dictionary(fc.constantFrom(...CONTACTS), arbLink, { maxKeys: 3 }).map((links): MemberCommand => ({ type: 'SyncLinks', memberId, links })) },
    { weight: 1, arbitrary: fc.record({ contactId: fc.constantFrom(...CONTACTS), link: arbLink.map((l) => ({ ...l, source: 'address-book' as const })) }).map((r): MemberCommand => ({ type: 'LinkContact', memberId, ...r })) },
    { weight: 1, arbitrary: fc.constantFrom('pre-admissions-off' as const, 'exception' as const).map((because): MemberCommand => ({ type: 'ExcludeMember', memberId, because })) },
    { weight: 1, arbitrary: fc.constant<MemberCommand>({ type: 'QueueDeletion', memberId }) },
    { weight: 1, arbitrary: fc.constant<MemberCommand>({ type: 'CompleteDeletion', memberId }) },
    { weight: 1, arbitrary: fc.constant<MemberCommand>({ type: 'AnonymiseMember', memberId, today: '' }) },
  );

const arbContactStep = (contactId: string): fc.Arbitrary<ContactCommand> =>
  fc.oneof(
    { weight: 8, arbitrary: arbContactCommand(contactId) },
    { weight: 2, arbitrary: fc.record({ channel: fc.constantFrom('email' as const, 'sms' as const), messageId: fc.constantFrom('msg-1', 'msg-2', 'msg-3') }).map((r): ContactCommand => ({ type: 'RecordMessageSent', contactId, ...r, address: 'x', provider: 'test', providerMessageId: `p-${r.messageId}`, purpose: 'message' })) },
    { weight: 1, arbitrary: fc.constant<ContactCommand>({ type: 'DeleteContact', contactId, cause: 'no-members-left' }) },
    { weight: 1, arbitrary: fc.constant<ContactCommand>({ type: 'AnonymiseContact', contactId, today: '' }) },
    { weight: 1, arbitrary: fc.record({ mobile: fc.constantFrom(mobile('07912 345678'), mobile('077009001234567'), null) }).map((r): ContactCommand => ({ type: 'EditContact', contactId, ...r })) },
    // The core's pool of mobiles are Ofcom drama numbers, which libphonenumber holds invalid: bring valid ones too.
    {
      weight: 2,
      arbitrary: fc.record({ email: fc.constantFrom(email(), email('bob@example.net'), null), mobile: fc.constantFrom(mobile(), mobile('07912 345678')) }).map(
        (r): ContactCommand => ({ type: 'ImportContact', contactId, source: { kind: 'mis', system: 'sims', externalId: contactId }, name: { given: 'Ann', family: 'Parent' }, ...r }),
      ),
    },
  );

const AREAS: ReadonlyArray<DataArea> = ['members', 'contacts', 'medical-conditions'];

const arbFilter: fc.Arbitrary<DataIssueFilter> = fc.record(
  { type: fc.constantFrom('permanent-bounce' as const, 'no-prime-parent' as const, 'invalid-mobile' as const), memberId: fc.constantFrom(...MEMBERS), contactId: fc.constantFrom(...CONTACTS), from: fc.constant('2026-09-02') },
  { requiredKeys: [] },
);

/** A data-issues filter over the ids and days of generated histories. */
export const arbIssueFilter: fc.Arbitrary<DataIssueFilter> = fc.record(
  {
    type: fc.constantFrom('permanent-bounce' as const, 'spam' as const, 'no-prime-parent' as const, 'no-usable-method' as const, 'invalid-mobile' as const, 'permissions' as const),
    memberId: fc.constantFrom(...MEMBERS),
    contactId: fc.constantFrom(...CONTACTS),
    from: fc.constantFrom('2026-09-01', '2026-09-05'),
    to: fc.constantFrom('2026-09-03', '2026-09-30'),
  },
  { requiredKeys: [] },
);

/** One step of a generated history. */
export const arbStep: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...MEMBERS).chain(arbMemberCommand).map((command): Step => ({ kind: 'member', command })) },
  { weight: 10, arbitrary: fc.constantFrom(...CONTACTS).chain(arbContactStep).map((command): Step => ({ kind: 'contact', command, ...(command.type === 'OptOut' ? { reason: 'asked by phone' } : {}) })) },
  { weight: 1, arbitrary: fc.record({ name: fc.constantFrom('bounces', 'mine'), filter: arbFilter }).map((r): Step => ({ kind: 'school', command: { type: 'SaveDataIssueFilter', ...r } })) },
  { weight: 1, arbitrary: fc.constantFrom('bounces', 'mine').map((name): Step => ({ kind: 'school', command: { type: 'RemoveDataIssueFilter', name } })) },
  { weight: 1, arbitrary: fc.constantFrom('Europe/London', 'UTC', 'America/New_York').map((timeZone): Step => ({ kind: 'school', command: { type: 'SetTimeZone', timeZone } })) },
  {
    weight: 1,
    arbitrary: fc
      .record({
        run: fc.integer({ min: 1, max: 1000 }),
        failed: fc.subarray([...AREAS]),
        group: fc.constantFrom('Admissions officer', 'Class teacher'),
        finished: fc.boolean(),
        warned: fc.subarray(['control-characters-removed', 'mixed-sources']),
        fields: fc.integer({ min: 1, max: 3 }),
      })
      .map(
        (r): Step => ({
          kind: 'import-run',
          runId: `run-${r.run}`,
          failed: r.failed.map((a) => [a, r.group] as const),
          finished: r.finished,
          warnings: r.warned.map((code) => [code, `${code}: ${r.fields} field(s), students.csv row ${r.fields}`] as const),
        }),
      ),
  },
  { weight: 2, arbitrary: fc.integer({ min: 1, max: 120 }).map((hours): Step => ({ kind: 'advance', hours })) },
  { weight: 1, arbitrary: fc.integer({ min: 300, max: 500 }).map((hours): Step => ({ kind: 'advance', hours })) },
  { weight: 2, arbitrary: fc.record({ contactId: fc.constantFrom(...CONTACTS), channel: fc.constantFrom('email' as const, 'sms' as const) }).map((r): Step => ({ kind: 'burst', ...r })) },
  {
    weight: 2,
    arbitrary: fc.record({ contactId: fc.constantFrom(...CONTACTS), channel: fc.constantFrom('email' as const, 'sms' as const) }).map(
      (r): Step => ({ kind: 'contact', command: { type: 'ReEnable', ...r, confirmedWithContact: true }, reason: 'checked by phone' }),
    ),
  },
);

/** A member leaves, is chosen for deletion and deleted (R-DEL-1), as several steps. */
const arbDeletion: fc.Arbitrary<Step[]> = fc.constantFrom(...MEMBERS).map((memberId) => [
  { kind: 'member', command: { type: 'MarkLeaver', memberId, leftOn: '2026-09-10' } },
  { kind: 'member', command: { type: 'QueueDeletion', memberId } },
  { kind: 'member', command: { type: 'CompleteDeletion', memberId } },
]);

const imports: ReadonlyArray<Step> = [
  ...CONTACTS.map((c) => importContact(c)),
  ...MEMBERS.map((m) => importStudent(m)),
  // Siblings m1 and m2 share c1; m3 has c3; c4 starts unlinked.
  syncLinks('m1', { c1: link(), c2: link({ relationship: 'Father', priority: 2 as Link['priority'], prime: false }) }),
  syncLinks('m2', { c1: link() }),
  syncLinks('m3', { c3: link({ relationship: 'Carer', parentalResponsibility: false }) }),
];

/** A history: everyone imported, then any steps across members, contacts, the school and import runs. */
export const arbHistory = (maxSteps = 60): fc.Arbitrary<StoredEvent[]> =>
  fc
    .array(fc.oneof({ weight: 40, arbitrary: arbStep.map((s) => [s]) }, { weight: 1, arbitrary: arbDeletion }), { minLength: 5, maxLength: maxSteps, size: 'max' })
    .map((steps) => runHistory([...imports, ...steps.flat()]));
