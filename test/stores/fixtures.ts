/** Events of the core's real shapes, made by its deciders, for the store suites and the benchmark. */
import {
  contactDecider,
  contactStream,
  emailDetail,
  eventIdFor,
  importStream,
  memberDecider,
  memberStream,
  mobileDetail,
  nameId,
  schemaVersionOf,
  type ContactCommand,
  type Decider,
  type Link,
  type MemberCommand,
  type NewEvent,
} from '../../packages/core/src/index.js';
import { metadataAt, runCommands } from '../../packages/core/src/testing/index.js';

/** A person's personal data as the suites write it (and then look for on disk). */
export interface Person {
  readonly given: string;
  readonly family: string;
  readonly email: string;
  /** A UK mobile in national form; stored in E.164. */
  readonly mobile: string;
}

/** One stream's events, ready to append. */
export interface StreamBatch {
  readonly streamId: string;
  readonly events: ReadonlyArray<NewEvent>;
}

const START = Date.parse('2026-09-01T08:00:00.000Z');

/** Metadata at the n-th second of the test day. */
export const metaAt = (n: number) => metadataAt(new Date(START + n * 1000).toISOString());

/** Wraps decided events as new events with ids derived from the stream (repeatable). */
export const asNewEvents = (
  streamId: string,
  decided: ReadonlyArray<{ readonly type: string; readonly data: unknown; readonly metadata?: unknown }>,
  seed = streamId,
  firstIndex = 0,
): NewEvent[] =>
  decided.map((e, i) => ({
    id: eventIdFor(seed, firstIndex + i),
    type: e.type,
    schemaVersion: schemaVersionOf(e.type),
    data: e.data,
    metadata: (e.metadata as NewEvent['metadata'] | undefined) ?? metaAt(i),
  }));

const decided = <C, Ev extends { type: string; data: unknown }, S>(
  decider: Decider<C, Ev, S>,
  commands: ReadonlyArray<C>,
): ReadonlyArray<{ type: string; data: unknown; metadata: unknown }> => {
  const run = runCommands(decider, commands);
  const refused = run.outcomes.find((o) => o._tag === 'Left');
  if (refused !== undefined && refused._tag === 'Left') throw new Error(`fixture command refused: ${JSON.stringify(refused.left)}`);
  return run.events;
};

/** A contact added by hand, then messaged by email: personal data in several event types. */
export const contactHistory = (contactId: string, person: Person, messages = 1): StreamBatch => {
  const email = emailDetail(person.email, 'Home');
  const mobile = mobileDetail(person.mobile, 'Mobile');
  const commands: ContactCommand[] = [
    { type: 'AddContact', contactId, name: { given: person.given, family: person.family }, email, mobile },
  ];
  for (let i = 0; i < messages; i++) {
    commands.push({
      type: 'RecordMessageSent',
      contactId,
      messageId: nameId(`msg/${contactId}/${i}`),
      channel: i % 2 === 0 ? 'email' : 'sms',
      address: i % 2 === 0 ? email.value : mobile.value,
      provider: i % 2 === 0 ? 'sendgrid' : 'twilio',
      providerMessageId: `pm-${i}`,
      purpose: 'message',
    });
  }
  commands.push({ type: 'OptOut', contactId, via: 'staff' });
  const streamId = contactStream(contactId);
  return { streamId, events: asNewEvents(streamId, decided(contactDecider, commands)) };
};

/** A member imported from the MIS and linked to contacts. */
export const memberHistory = (memberId: string, person: Pick<Person, 'given' | 'family'>, misReference: string, contactIds: ReadonlyArray<string>): StreamBatch => {
  const commands: MemberCommand[] = [
    {
      type: 'ImportMember',
      memberId,
      source: { kind: 'mis', system: 'sims', externalId: `ext-${memberId}` },
      kind: 'student',
      name: { given: person.given, family: person.family },
      misReference,
      enrolment: { status: 'on-roll' },
      stale: false,
    },
    ...contactIds.map(
      (contactId, i): MemberCommand => ({
        type: 'LinkContact',
        memberId,
        contactId,
        link: { relationship: i === 0 ? 'mother' : 'father', priority: (i + 1) as Link['priority'], parentalResponsibility: true, prime: i === 0, source: 'mis' },
      }),
    ),
  ];
  const streamId = memberStream(memberId);
  return { streamId, events: asNewEvents(streamId, decided(memberDecider, commands)) };
};

/** One message recorded against a contact (for writers that each add one). */
export const messageSentCommand = (contactId: string, messageId: string, address: string): ContactCommand => ({
  type: 'RecordMessageSent',
  contactId,
  messageId,
  channel: 'email',
  address,
  provider: 'sendgrid',
  providerMessageId: `pm-${messageId}`,
  purpose: 'message',
});

/** An import-run warning whose message is NOT personal data: stored as written (the scans' canary). */
export const importWarning = (runId: string, message: string, id = nameId(`warning/${runId}/${message}`)): StreamBatch => ({
  streamId: importStream(runId),
  events: [{ id, type: 'ImportWarningRaised', schemaVersion: schemaVersionOf('ImportWarningRaised'), data: { runId, code: 'canary', message }, metadata: metaAt(0) }],
});

/** A small event with no personal data, for ordering tests: one `OptedOut` on a contact stream. */
export const plainEvent = (id: string, contactId = 'plain'): NewEvent => ({
  id,
  type: 'OptedOut',
  schemaVersion: schemaVersionOf('OptedOut'),
  data: { contactId, via: 'staff' },
  metadata: metaAt(0),
});

const GIVEN = ['Ann', 'Bob', 'Cai', 'Dee', 'Eli', 'Fay', 'Gus', 'Hana'];
const FAMILY = ['Smith', 'Jones', 'Khan', 'Ng', 'Okafor', 'Patel', 'Quinn', 'Roberts'];

/**
 * A school's log of about `count` events of real shapes: per family a member (imported, linked to two
 * contacts) and two contacts (added, messaged, delivered), plus a few import-run events. Another
 * `seed` gives the same shapes under other ids.
 */
export const schoolLog = (count: number, seed = 'bench'): StreamBatch[] => {
  const out: StreamBatch[] = [];
  let events = 0;
  for (let f = 0; events < count; f++) {
    const given = GIVEN[f % GIVEN.length]!;
    const family = `${FAMILY[f % FAMILY.length]!}${f}`;
    const contacts = [nameId(`${seed}/contact/${f}/a`), nameId(`${seed}/contact/${f}/b`)];
    const member = memberHistory(nameId(`${seed}/member/${f}`), { given, family }, `UPN${100000 + f}`, contacts);
    out.push(member);
    events += member.events.length;
    for (const [i, contactId] of contacts.entries()) {
      const contact = contactHistory(contactId, { given: i === 0 ? 'Mary' : 'John', family, email: `parent${f}${i}@example.org`, mobile: `07911 1${String(f % 100000).padStart(5, '0')}` }, 1);
      out.push(contact);
      events += contact.events.length;
    }
    if (f % 500 === 0) {
      const warning = importWarning(nameId(`${seed}/run/${f}`), `row ${f}: mixed sources`);
      out.push(warning);
      events += warning.events.length;
    }
  }
  return out;
};
