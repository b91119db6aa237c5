/** fast-check arbitraries for the core's commands, events and histories, for our laws and users' own. */
import fc from 'fast-check';
import type { ContactCommand } from '../deciders/contact.js';
import type { MemberCommand } from '../deciders/member.js';
import { emailDetail, mobileDetail } from '../details.js';
import type { Channel, Detail, Enrolment, Link, PersonName } from '../events/common.js';

/** A contact id used by the single-contact arbitraries. */
export const CONTACT = 'c0000000-0000-4000-8000-000000000001';
/** A member id used by the single-member arbitraries. */
export const MEMBER = 'm0000000-0000-4000-8000-000000000001';

/** A small pool of valid addresses, so histories revisit the same ones. */
export const EMAILS = ['ann.parent@example.org', 'bob@example.net', 'carer@school-mail.example'] as const;
/** A small pool of valid UK mobiles (national form; stored in E.164). */
export const MOBILES = ['07911 123456', '07400 123456', '+44 7911 765432'] as const;

/** A person's name. */
export const arbName: fc.Arbitrary<PersonName> = fc.record({
  given: fc.constantFrom('Ann', 'Bob', 'Cai', 'Dee'),
  family: fc.constantFrom('Smith', 'Jones', 'Khan', 'Ng'),
});

/** An email detail: mostly from the pool, sometimes badly formed, sometimes none. */
export const arbEmail: fc.Arbitrary<Detail | null> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...EMAILS).map((e) => emailDetail(e, 'Home')) },
  { weight: 1, arbitrary: fc.constant(emailDetail('not-an-address@', 'Home')) },
  { weight: 1, arbitrary: fc.constant(null) },
);

/** A mobile detail: mostly from the pool, sometimes with too many digits, sometimes none. */
export const arbMobile: fc.Arbitrary<Detail | null> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...MOBILES).map((m) => mobileDetail(m, 'Mobile')) },
  { weight: 1, arbitrary: fc.constant(mobileDetail('077009001234567', 'Mobile')) },
  { weight: 1, arbitrary: fc.constant(null) },
);

const arbChannel: fc.Arbitrary<Channel> = fc.constantFrom('email', 'sms');
const arbAddress = (channel: Channel): fc.Arbitrary<string> =>
  channel === 'email' ? fc.constantFrom(...EMAILS) : fc.constantFrom(...MOBILES).map((m) => mobileDetail(m, 'Mobile').value);
const arbFeedbackId = fc.integer({ min: 0, max: 40 }).map((n) => `fb-${n}`);
const arbObservedAt = fc.integer({ min: 0, max: 100_000 }).map((s) => new Date(Date.parse('2026-09-01T00:00:00Z') + s * 1000).toISOString());

/** An MIS import of the contact. */
export const arbImportContact = (contactId = CONTACT): fc.Arbitrary<ContactCommand> =>
  fc.record({ name: arbName, email: arbEmail, mobile: arbMobile }).map((r) => ({
    type: 'ImportContact' as const,
    contactId,
    source: { kind: 'mis' as const, system: 'sims', externalId: contactId },
    ...r,
  }));

/** A provider callback about the contact: delivered, failed (permanent or not) or a spam complaint. */
export const arbFeedback = (contactId = CONTACT): fc.Arbitrary<ContactCommand> =>
  arbChannel.chain((channel) =>
    fc.oneof(
      fc.record({ address: arbAddress(channel), feedbackId: arbFeedbackId, observedAt: arbObservedAt }).map((r) => ({
        type: 'RecordDeliverySuccess' as const, contactId, channel, provider: 'test', providerMessageId: null, ...r,
      })),
      fc.record({ address: arbAddress(channel), feedbackId: arbFeedbackId, observedAt: arbObservedAt, permanent: fc.boolean() }).map((r) => ({
        type: 'RecordDeliveryFailure' as const, contactId, channel, provider: 'test', providerMessageId: null, detail: null, ...r,
      })),
      fc.record({ address: arbAddress('email'), feedbackId: arbFeedbackId, observedAt: arbObservedAt }).map((r) => ({
        type: 'RecordSpamComplaint' as const, contactId, provider: 'test', providerMessageId: null, ...r,
      })),
    ),
  );

/** Any contact command, weighted towards imports and callbacks. */
export const arbContactCommand = (contactId = CONTACT): fc.Arbitrary<ContactCommand> =>
  fc.oneof(
    { weight: 3, arbitrary: arbImportContact(contactId) },
    { weight: 5, arbitrary: arbFeedback(contactId) },
    { weight: 1, arbitrary: fc.constant({ type: 'OptOut' as const, contactId, via: 'staff' as const }) },
    { weight: 1, arbitrary: fc.constant({ type: 'OptIn' as const, contactId, via: 'staff' as const }) },
    { weight: 1, arbitrary: fc.record({ channel: arbChannel, confirmedWithContact: fc.boolean() }).map((r) => ({ type: 'ReEnable' as const, contactId, ...r })) },
    { weight: 1, arbitrary: fc.record({ email: arbEmail }).map((r) => ({ type: 'EditContact' as const, contactId, ...r })) },
  );

/** A contact's history as commands, starting with its import. */
export const arbContactCommands = (maxLength = 40, contactId = CONTACT): fc.Arbitrary<ContactCommand[]> =>
  fc.tuple(arbImportContact(contactId), fc.array(arbContactCommand(contactId), { maxLength })).map(([first, rest]) => [first, ...rest]);

/** Commands that never opt anyone in: imports, edits, callbacks, re-enables. */
export const arbNonOptInCommands = (maxLength = 40, contactId = CONTACT): fc.Arbitrary<ContactCommand[]> =>
  fc.array(arbContactCommand(contactId).filter((c) => c.type !== 'OptIn'), { maxLength });

const arbLink: fc.Arbitrary<Link> = fc.record({
  relationship: fc.constantFrom('Mother', 'Father', 'Carer', 'Grandparent'),
  priority: fc.integer({ min: 1, max: 4 }) as fc.Arbitrary<Link['priority']>,
  parentalResponsibility: fc.boolean(),
  prime: fc.boolean(),
  source: fc.constant('mis' as const),
});

const arbEnrolment: fc.Arbitrary<Enrolment> = fc.oneof(
  fc.constant({ status: 'on-roll' as const }),
  fc.record({
    status: fc.constant('pre-admission' as const),
    applicationStatus: fc.constantFrom('applied' as const, 'offered' as const, 'accepted' as const, 'admitted' as const, 'reserved' as const),
    admissionDate: fc.constantFrom('2026-09-03', '2027-09-02'),
  }),
);

/** Any member command about one member. */
export const arbMemberCommand = (memberId = MEMBER): fc.Arbitrary<MemberCommand> =>
  fc.oneof(
    { weight: 3, arbitrary: fc.record({ name: arbName, enrolment: arbEnrolment, stale: fc.boolean() }).map((r) => ({ type: 'ImportMember' as const, memberId, source: { kind: 'mis' as const, system: 'sims', externalId: memberId }, kind: 'student' as const, misReference: 'A123456789012', ...r })) },
    { weight: 2, arbitrary: fc.dictionary(fc.constantFrom('c1', 'c2', 'c3'), arbLink).map((links) => ({ type: 'SyncLinks' as const, memberId, links })) },
    { weight: 1, arbitrary: fc.constant({ type: 'MarkLeaver' as const, memberId, leftOn: null }) },
    { weight: 1, arbitrary: fc.constant({ type: 'QueueDeletion' as const, memberId }) },
    { weight: 1, arbitrary: fc.constant({ type: 'CompleteDeletion' as const, memberId }) },
    { weight: 1, arbitrary: fc.constantFrom('2026-09-10', '2026-12-31').map((today) => ({ type: 'AnonymiseMember' as const, memberId, today })) },
  );

/** A member's history as commands. */
export const arbMemberCommands = (maxLength = 30, memberId = MEMBER): fc.Arbitrary<MemberCommand[]> =>
  fc.array(arbMemberCommand(memberId), { minLength: 1, maxLength });
