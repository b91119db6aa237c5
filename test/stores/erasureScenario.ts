/**
 * The auditor's school (issue 16): a parent, Barnabus Vexhammer, whose name, email address and
 * phone number are in his details and also in free text: the reason staff typed for his opt-out,
 * a message body sent to him, a provider's bounce text, a send failure, the deletion reason. His
 * child leaves, the leaver is deleted, and retention runs 15 days later. A second parent, Philippa
 * Quenby, stays, with free text of her own that must stay readable; a plain canary (an import
 * warning, not personal) proves the byte scans read the files.
 */
import {
  contactDecider,
  contactStream,
  deleteLeaver,
  emailDetail,
  fixedClock,
  handleCommand,
  importStream,
  memberDecider,
  memberStream,
  messageDecider,
  messageStream,
  mobileDetail,
  nameId,
  noStream,
  runRetention,
  schemaVersionOf,
  sequentialIds,
  type Actor,
  type CommandContext,
  type EventStore,
  type HandlerDeps,
  type Link,
  type RetentionReport,
} from '../../packages/core/src/index.js';

/** The parent to be erased: every value of his, as typed and as stored. */
export const BARNABUS = {
  given: 'Barnabus',
  family: 'Vexhammer',
  email: 'barnabus.vexhammer@example.net',
  mobile: '07198 938593',
  e164: '+447198938593',
} as const;
/** His child, who leaves. */
export const OSWIN = { given: 'Oswin', family: 'Larkspur', upn: 'K801200345678' } as const;
/** The parent who stays. */
export const PHILIPPA = { given: 'Philippa', family: 'Quenby', email: 'philippa.quenby@example.org', mobile: '07700 900123' } as const;
/** Her child, who stays. */
export const ISOLDE = { given: 'Isolde', family: 'Quenby', upn: 'K801200345679' } as const;

/** The free texts the scenario writes, each naming Barnabus (or, for the last, Philippa). */
export const TEXTS = {
  optOutReason: `${BARNABUS.given} ${BARNABUS.family} phoned (${BARNABUS.mobile}) asking to stop`,
  bounceDetail: `550 5.1.1 mailbox of ${BARNABUS.given} ${BARNABUS.family} closed <${BARNABUS.email}>`,
  bounceReason: `sendgrid reported a permanent delivery failure (mailbox of ${BARNABUS.given} ${BARNABUS.family} closed)`,
  subject: `For ${BARNABUS.given} ${BARNABUS.family}`,
  body: `Dear ${BARNABUS.given} ${BARNABUS.family}, please ring the office on ${BARNABUS.mobile} or write to ${BARNABUS.email} about ${OSWIN.given}.`,
  sendError: `recipient ${BARNABUS.given} ${BARNABUS.family} refused by the provider`,
  deleteReason: `${BARNABUS.given} ${BARNABUS.family} rang ${BARNABUS.mobile}: ${OSWIN.given} has moved school`,
  broadcast: 'The school closes at noon on Friday for staff training.',
  keptReason: `${PHILIPPA.given} ${PHILIPPA.family} asked at parents evening`,
} as const;

/** Every value that must never be found in plain text once Barnabus is erased (nor before: all sealed at rest). */
export const erasedValues = (): string[] => [
  BARNABUS.given,
  BARNABUS.family,
  BARNABUS.email,
  BARNABUS.mobile,
  BARNABUS.e164,
  BARNABUS.mobile.replace(/\s/g, ''),
  OSWIN.given,
  OSWIN.family,
  OSWIN.upn,
];

/** The ids of the scenario. */
export interface School {
  readonly barnabus: string;
  readonly oswin: string;
  readonly philippa: string;
  readonly isolde: string;
  /** The message sent only to Barnabus (its content goes with him). */
  readonly personalMessage: string;
  /** The message sent to both parents (its content stays). */
  readonly broadcast: string;
  readonly deletedAt: string;
}

const DAY1 = '2026-09-01T09:00:00.000Z';
const office: Actor = { kind: 'person', name: 'Office Manager' };

const ok = <T>(r: { readonly _tag: 'Left'; readonly left: { readonly message: string } } | { readonly _tag: 'Right'; readonly right: T }): T => {
  if (r._tag === 'Left') throw new Error(r.left.message);
  return r.right;
};

const depsAt = (store: EventStore, at: string, seed: string): HandlerDeps => ({ store, clock: fixedClock(at), ids: sequentialIds(seed) });

/** Writes the school up to the deletion of Oswin (Barnabus then holds no member and is removed too). */
export const writeSchool = async (store: EventStore, canary: string): Promise<School> => {
  const ids = {
    barnabus: nameId('scenario/barnabus'),
    oswin: nameId('scenario/oswin'),
    philippa: nameId('scenario/philippa'),
    isolde: nameId('scenario/isolde'),
    personalMessage: nameId('scenario/message/personal'),
    broadcast: nameId('scenario/message/broadcast'),
  };
  const deps = depsAt(store, DAY1, 'scenario');
  const ctx = (reason: string | null = null, reasonCode?: string, actor: Actor = office): CommandContext => ({
    schoolId: 'default',
    actor,
    reason,
    ...(reasonCode === undefined ? {} : { reasonCode }),
  });
  const contact = (id: string, p: { given: string; family: string; email: string; mobile: string }) =>
    handleCommand(deps, contactDecider, contactStream(id), { type: 'AddContact', contactId: id, name: { given: p.given, family: p.family }, email: emailDetail(p.email, 'Home'), mobile: mobileDetail(p.mobile, 'Mobile') }, ctx());
  ok(await contact(ids.barnabus, BARNABUS));
  ok(await contact(ids.philippa, PHILIPPA));
  const member = async (id: string, child: { given: string; family: string; upn: string }, contactId: string) => {
    const stream = memberStream(id);
    ok(
      await handleCommand(deps, memberDecider, stream, {
        type: 'ImportMember',
        memberId: id,
        source: { kind: 'mis', system: 'sims', externalId: `sims-${id.slice(0, 8)}` },
        kind: 'student',
        name: { given: child.given, family: child.family },
        misReference: child.upn,
        enrolment: { status: 'on-roll' },
        stale: false,
      }, { ...ctx(null, 'MIS import'), actor: { kind: 'import', runId: 'run-1' } }),
    );
    ok(await handleCommand(deps, memberDecider, stream, { type: 'LinkContact', memberId: id, contactId, link: { relationship: 'Parent', priority: 1 as Link['priority'], parentalResponsibility: true, prime: true, source: 'mis' } }, ctx(null, 'MIS import')));
  };
  await member(ids.oswin, OSWIN, ids.barnabus);
  await member(ids.isolde, ISOLDE, ids.philippa);

  // Free text everywhere: a reason staff typed, a bounce quoting him, a message about him, a send failure.
  ok(await handleCommand(deps, contactDecider, contactStream(ids.barnabus), { type: 'OptOut', contactId: ids.barnabus, via: 'staff' }, ctx(TEXTS.optOutReason, 'phoned-to-stop')));
  ok(await handleCommand(deps, contactDecider, contactStream(ids.philippa), { type: 'OptOut', contactId: ids.philippa, via: 'staff' }, ctx(TEXTS.keptReason, 'asked-in-person')));
  ok(
    await handleCommand(
      deps,
      contactDecider,
      contactStream(ids.barnabus),
      {
        type: 'RecordDeliveryFailure',
        contactId: ids.barnabus,
        channel: 'email',
        permanent: true,
        detail: TEXTS.bounceDetail,
        address: BARNABUS.email,
        provider: 'sendgrid',
        feedbackId: 'sg-1',
        providerMessageId: 'pm-1',
        observedAt: DAY1,
      },
      ctx(TEXTS.bounceReason, 'bounce', { kind: 'provider', provider: 'sendgrid', verified: true }),
    ),
  );
  const request = (messageId: string, subject: string, body: string, recipients: string[]) =>
    handleCommand(
      deps,
      messageDecider,
      messageStream(messageId),
      { type: 'RequestMessage', messageId, channel: 'email', subject, body, audience: { kind: 'contacts', contactIds: recipients }, purpose: 'message', recipients, skipped: [] },
      ctx(null, 'message-send'),
    );
  ok(await request(ids.personalMessage, TEXTS.subject, TEXTS.body, [ids.barnabus]));
  ok(await request(ids.broadcast, 'Friday', TEXTS.broadcast, [ids.barnabus, ids.philippa]));
  ok(await handleCommand(deps, messageDecider, messageStream(ids.broadcast), { type: 'RecordSendFailure', messageId: ids.broadcast, contactId: ids.barnabus, error: TEXTS.sendError }, ctx(null, 'message-send')));
  ok(
    await handleCommand(
      deps,
      contactDecider,
      contactStream(ids.barnabus),
      { type: 'RecordMessageSent', contactId: ids.barnabus, messageId: ids.personalMessage, channel: 'email', address: BARNABUS.email, provider: 'sendgrid', providerMessageId: 'pm-2', purpose: 'message' },
      ctx(null, 'message-send'),
    ),
  );
  // The canary: an import warning, not personal data, stored as written.
  const runId = 'run-1';
  const appended = await store.append(importStream(runId), [
      { id: nameId(`canary/${canary}`), type: 'ImportWarningRaised', schemaVersion: schemaVersionOf('ImportWarningRaised'), data: { runId, code: 'canary', message: `${canary}: a warning the office should read` }, metadata: { occurredAt: DAY1, actor: { kind: 'import', runId }, reason: null, correlationId: runId, causationId: null, schoolId: 'default' } },
  ], noStream);
  if (appended._tag === 'Left') throw new Error('the canary could not be written');
  // Oswin leaves and is deleted; Barnabus, linked to nobody else, is removed with him.
  ok(await handleCommand(deps, memberDecider, memberStream(ids.oswin), { type: 'MarkLeaver', memberId: ids.oswin, leftOn: '2026-08-31' }, ctx(null, 'MIS import')));
  const deleted = ok(await deleteLeaver(deps, ids.oswin, ctx(TEXTS.deleteReason, 'deleting-leavers'), async () => []));
  if (!deleted.contactsRemoved.includes(ids.barnabus)) throw new Error('the scenario expected Barnabus to be removed with Oswin');
  return { ...ids, deletedAt: DAY1 };
};

/** Retention 15 days after the deletion: Oswin and Barnabus anonymised, the message sent only to Barnabus erased. */
export const eraseSchool = async (store: EventStore, school: School): Promise<RetentionReport> => {
  const report = await runRetention(
    depsAt(store, '2026-09-16T06:00:00.000Z', 'retention'),
    [
      { subject: 'member', id: school.oswin, deletedAt: school.deletedAt },
      { subject: 'contact', id: school.barnabus, deletedAt: school.deletedAt },
    ],
    { schoolId: 'default', actor: { kind: 'system', name: 'retention' }, reasonCode: 'retention' },
    // The clock's day (2026-09-16) in the school's zone.
    'Europe/London',
    {
      candidates: [
        { messageId: school.personalMessage, requestedAt: DAY1, retentionDays: null, recipients: [school.barnabus] },
        { messageId: school.broadcast, requestedAt: DAY1, retentionDays: null, recipients: [school.barnabus, school.philippa] },
      ],
      schoolDays: 365,
      anonymisedContacts: new Set(),
    },
  );
  if (report.errors.length > 0) throw new Error(report.errors.join('; '));
  return report;
};
