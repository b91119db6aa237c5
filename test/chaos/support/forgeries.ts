/**
 * The forgery matrix: for each of the four providers, callbacks that must be refused (no signature, a
 * wrong one, a tampered body, a stale or future time, a look-alike certificate host, another account, a
 * replay...) and genuine ones that must be accepted (so the checks are not merely refusing everything).
 * Each case is ingested into a store holding one school; a refused case must write nothing.
 */
import { generateKeyPairSync } from 'node:crypto';
import { ingestCallback, storeDirectory, type CallbackDeps, type CallbackProvider, type RawCallback, type WebhookConfigs } from '../../../packages/adapters-messaging/src/index.js';
import { contactDecider, contactStream, emailDetail, handleCommand, mobileDetail, sequentialIds, steppingClock, type EventStore } from '../../../packages/core/src/index.js';
import { makeSigners, malleated, notifyPost, sendgridPost, snsPost, twilioForm, twilioJson, type Signers } from '../../../packages/adapters-messaging/test/support/signers.js';
import { selfSignedCertificate } from '../../../packages/adapters-messaging/test/support/selfSignedCert.js';

const NOW = '2026-09-01T10:00:00.000Z';
const NOW_S = Date.parse(NOW) / 1000;
const SCHOOL = 'school-1';
const PARENT = 'parent@example.org';
const MOBILE = '+447911123456';

/** One case of the matrix. */
export interface MatrixCase {
  readonly provider: CallbackProvider;
  readonly name: string;
  /** Genuine cases must be accepted; forgeries refused with one of `reasons`. */
  readonly genuine: boolean;
  readonly reasons: ReadonlyArray<string>;
  readonly raw: RawCallback;
  /** Webhook settings other than the school's (a misconfiguration, an expired certificate). */
  readonly webhooks?: WebhookConfigs;
}

/** What ingesting one case did. */
export interface CaseOutcome {
  readonly c: MatrixCase;
  readonly accepted: boolean;
  readonly reason: string | null;
  readonly message: string | null;
  readonly eventsWritten: number;
}

/** Puts the school the callbacks are about in a store: one parent with an email and a mobile. */
export const seedSchool = async (store: EventStore): Promise<void> => {
  const deps = { store, clock: steppingClock('2026-08-01T08:00:00.000Z', 1000), ids: sequentialIds('seed') };
  const r = await handleCommand(deps, contactDecider, contactStream('c-parent'), {
    type: 'ImportContact', contactId: 'c-parent', source: { kind: 'mis', system: 'sims', externalId: 'c-parent' }, name: { given: 'Pat', family: 'Parent' },
    email: emailDetail(PARENT, 'Home'), mobile: mobileDetail('07911 123456', 'Mobile'),
  }, { schoolId: SCHOOL, actor: { kind: 'person', name: 'Office' } });
  if (r._tag === 'Left') throw new Error(r.left.message);
};

let n = 0;
const id = (prefix: string) => `${prefix}${String(++n).padStart(8, '0')}`;

/**
 * Builds the matrix. `applied` are genuine callbacks ingested first (so their replays are replays);
 * `cases` are ingested after, in order.
 */
export const buildMatrix = (s: Signers = makeSigners()): { readonly signers: Signers; readonly applied: ReadonlyArray<MatrixCase>; readonly cases: ReadonlyArray<MatrixCase> } => {
  const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
  const otherRsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const expired = selfSignedCertificate({ notBefore: new Date('2020-01-01T00:00:00Z'), notAfter: new Date('2021-01-01T00:00:00Z') });
  const F = (provider: CallbackProvider, name: string, raw: RawCallback, reasons: ReadonlyArray<string>, webhooks?: WebhookConfigs): MatrixCase => ({ provider, name, genuine: false, reasons, raw, ...(webhooks !== undefined ? { webhooks } : {}) });
  const G = (provider: CallbackProvider, name: string, raw: RawCallback): MatrixCase => ({ provider, name, genuine: true, reasons: [], raw });

  // SendGrid.
  const bounce = (sg: string) => [{ email: PARENT, timestamp: NOW_S - 30, event: 'bounce', type: 'bounce', reason: '550 5.1.1 unknown', sg_event_id: sg, sg_message_id: 'm.filter' }];
  const sgApplied = sendgridPost(s, bounce(id('sg-')), NOW_S - 10);
  const sgFresh = sendgridPost(s, bounce(id('sg-')), NOW_S - 5);
  const sgHeaders = (p: RawCallback, h: Record<string, string | undefined>): RawCallback => ({ ...p, headers: Object.fromEntries(Object.entries({ ...(p.headers as Record<string, string>), ...h }).filter(([, v]) => v !== undefined)) as Record<string, string> });
  const sgSig = 'X-Twilio-Email-Event-Webhook-Signature';
  const sgTs = 'X-Twilio-Email-Event-Webhook-Timestamp';
  const sendgrid: MatrixCase[] = [
    F('sendgrid', 'no signature headers', { body: sgFresh.body, headers: {} }, ['unsigned']),
    F('sendgrid', 'signature without its timestamp', sgHeaders(sgFresh, { [sgTs]: undefined }), ['unsigned']),
    F('sendgrid', 'signed with another key', sendgridPost(s, bounce(id('sg-')), NOW_S - 5, other), ['bad-signature']),
    F('sendgrid', 'body tampered (bounce to spam report)', { ...sgFresh, body: Buffer.from(Buffer.from(sgFresh.body as Uint8Array).toString().replace('"bounce"', '"spamreport"')) }, ['bad-signature']),
    F('sendgrid', 'body with a trailing newline added', { ...sgFresh, body: Buffer.concat([Buffer.from(sgFresh.body as Uint8Array), Buffer.from('\n')]) }, ['bad-signature']),
    F('sendgrid', 'timestamp header moved on', sgHeaders(sgFresh, { [sgTs]: String(NOW_S) }), ['bad-signature']),
    F('sendgrid', 'validly signed 10 minutes ago (stale)', sendgridPost(s, bounce(id('sg-')), NOW_S - 600), ['stale']),
    F('sendgrid', 'validly signed 10 minutes ahead (future)', sendgridPost(s, bounce(id('sg-')), NOW_S + 600), ['stale']),
    F('sendgrid', "another post's signature", sgHeaders(sgFresh, { [sgSig]: (sgApplied.headers as Record<string, string>)[sgSig] }), ['bad-signature']),
    F('sendgrid', 'signature not base64 DER', sgHeaders(sgFresh, { [sgSig]: 'bm90IGEgc2lnbmF0dXJl' }), ['bad-signature']),
    F('sendgrid', 'empty signature', sgHeaders(sgFresh, { [sgSig]: '' }), ['unsigned', 'bad-signature']),
    F('sendgrid', 'replay of an applied post', sgApplied, ['replayed']),
    F('sendgrid', 'replay with the signature re-encoded (r, n-s)', malleated(sgApplied as RawCallback & { readonly headers: Record<string, string> }, s), ['replayed']),
  ];

  // Twilio.
  const status = (extra: Record<string, string> = {}) => ({ AccountSid: 'AC1', MessageSid: id('SM'), MessageStatus: 'undelivered', ErrorCode: '30005', To: MOBILE, ...extra });
  const twApplied = twilioForm(s, status());
  const twStop = { AccountSid: 'AC1', MessageSid: id('SM'), SmsStatus: 'received', From: MOBILE, To: '+447700900000', Body: 'Thanks' };
  const twFresh = status();
  const jsonBody = { AccountSid: 'AC1', MessageSid: id('SM'), MessageStatus: 'undelivered', ErrorCode: '30005', To: MOBILE };
  const jsonSigned = twilioJson(s, jsonBody, { bodyHash: true });
  const formAsJson = twilioForm(s, status());
  const twilio: MatrixCase[] = [
    F('twilio', 'no X-Twilio-Signature', { ...twilioForm(s, twFresh), headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }, ['unsigned']),
    F('twilio', 'signed with a guessed token', twilioForm(s, status(), { token: 'guessed-token' }), ['bad-signature']),
    F('twilio', 'error code altered after signing', { ...twilioForm(s, twFresh), body: new URLSearchParams({ ...twFresh, ErrorCode: '30006' }).toString() }, ['bad-signature']),
    F('twilio', 'OptOutType=STOP added to a signed text', { ...twilioForm(s, twStop), body: new URLSearchParams({ ...twStop, OptOutType: 'STOP' }).toString() }, ['bad-signature']),
    F('twilio', 'signed for another URL', { ...twilioForm(s, status(), { url: 'https://evil.example/hooks/twilio?school=1' }), url: s.twilioUrl }, ['bad-signature']),
    F('twilio', 'no URL to check against', { body: twilioForm(s, status()).body, headers: twilioForm(s, status()).headers }, ['misconfigured']),
    F('twilio', 'validly signed for another account', twilioForm(s, status({ AccountSid: 'AC2' })), ['unauthorised']),
    F('twilio', 'JSON body without bodySHA256 (body not signed)', twilioJson(s, { ...jsonBody, MessageSid: id('SM') }, { bodyHash: false }), ['unsigned']),
    F('twilio', 'JSON body tampered under a bodySHA256', { ...jsonSigned, body: Buffer.from(JSON.stringify({ ...jsonBody, ErrorCode: '30006' })) }, ['bad-signature']),
    F('twilio', 'signed send time 5 days old (stale)', twilioForm(s, status(), { url: `${s.twilioUrl}&t=${NOW_S - 5 * 86_400}` }), ['stale']),
    F('twilio', 'signed send time an hour ahead (future)', twilioForm(s, status(), { url: `${s.twilioUrl}&t=${NOW_S + 3_600}` }), ['stale']),
    F('twilio', 'replay with a new idempotency token', { ...twApplied, headers: { ...(twApplied.headers as Record<string, string>), 'I-Twilio-Idempotency-Token': 'fresh-token' } }, ['replayed']),
    F('twilio', 'form post relabelled as JSON', { ...formAsJson, headers: { ...(formAsJson.headers as Record<string, string>), 'Content-Type': 'application/json' } }, ['unsigned', 'bad-signature', 'malformed']),
  ];

  // SES through SNS.
  const complaint = (fb: string) => ({ notificationType: 'Complaint', complaint: { complainedRecipients: [{ emailAddress: PARENT }], complaintFeedbackType: 'abuse', feedbackId: fb }, mail: { messageId: 'ses-m' } });
  const at = (offsetS: number) => new Date((NOW_S + offsetS) * 1000).toISOString();
  const sesApplied = snsPost(s, complaint(id('fb-')), { timestamp: at(-60), messageId: id('sns-') });
  const ses = (o: Partial<Parameters<typeof snsPost>[2]> = {}) => snsPost(s, complaint(id('fb-')), { timestamp: at(-30), messageId: id('sns-'), ...o });
  const certAt = (url: string) => ses({ certUrl: url });
  const sesCases: MatrixCase[] = [
    F('ses', 'no Signature', { body: JSON.stringify({ ...JSON.parse(String(ses().body)), Signature: undefined }), headers: {} }, ['unsigned']),
    F('ses', 'signed with another key', ses({ key: otherRsa }), ['bad-signature']),
    F('ses', 'Message altered (complaint to not-spam)', ses({ alter: (m) => void (m.Message = m.Message!.replace('abuse', 'not-spam')) }), ['bad-signature']),
    F('ses', 'certificate over http', certAt('http://sns.eu-west-2.amazonaws.com/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem'), ['untrusted-certificate']),
    F('ses', 'look-alike certificate host', certAt('https://sns.eu-west-2.amazonaws.com.evil.example/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem'), ['untrusted-certificate']),
    F('ses', 'certificate host with a user part', certAt('https://sns.eu-west-2.amazonaws.com@evil.example/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem'), ['untrusted-certificate']),
    F('ses', 'another path on the SNS host', certAt('https://sns.eu-west-2.amazonaws.com/uploads/attacker.pem'), ['untrusted-certificate']),
    F('ses', 'certificate from another region than the topic', certAt('https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem'), ['untrusted-certificate']),
    F('ses', "validly signed from another account's topic", ses({ topic: 'arn:aws:sns:eu-west-2:999999999999:ses-events' }), ['unauthorised']),
    F('ses', 'published two hours ago (stale)', ses({ timestamp: at(-7_200) }), ['stale']),
    F('ses', 'published two hours ahead (future)', ses({ timestamp: at(7_200) }), ['stale']),
    F('ses', 'signed by an expired certificate', ses({ key: expired.privateKey }), ['untrusted-certificate'], { ...s.webhooks, ses: { topicArns: [s.sns.topic], fetchCertificate: async () => expired.pem } }),
    F('ses', 'valid, but no topics pinned on our side', ses(), ['misconfigured'], { ...s.webhooks, ses: { fetchCertificate: s.webhooks.ses!.fetchCertificate! } }),
    F('ses', 'replay of an applied message', sesApplied, ['replayed']),
    F('ses', 'SubscribeURL pointed elsewhere after signing', snsPost(s, 'subscribe', { type: 'SubscriptionConfirmation', timestamp: at(-30), messageId: id('sns-'), alter: (m) => void (m.SubscribeURL = 'https://evil.example/?Action=ConfirmSubscription') }), ['bad-signature', 'untrusted-certificate']),
  ];

  // GOV.UK Notify.
  const receipt = (times: Record<string, string> = { created_at: '2026-09-01T09:00:00.000000Z', completed_at: '2026-09-01T09:30:00.000000Z' }) => ({ id: id('n-'), reference: 'm:c', to: PARENT, status: 'permanent-failure', notification_type: 'email', ...times });
  const nfApplied = notifyPost(s, receipt());
  const stopText = { id: id('in-'), source_number: '447911123456', destination_number: '07797792683', message: 'STOP', date_received: '2026-09-01T09:50:00.000000Z' };
  const nfStop = notifyPost(s, stopText);
  const notify: MatrixCase[] = [
    F('notify', 'no Authorization header', { ...notifyPost(s, receipt()), headers: { 'Content-Type': 'application/json' } }, ['unsigned']),
    F('notify', 'wrong bearer token', notifyPost(s, receipt(), 'notify-callback-bearer-token-0124'), ['unauthorised']),
    F('notify', 'bearer token in another case', notifyPost(s, receipt(), s.notifyToken.toUpperCase()), ['unauthorised']),
    F('notify', 'basic auth instead of a bearer token', { ...notifyPost(s, receipt()), headers: { Authorization: `Basic ${Buffer.from(`x:${s.notifyToken}`).toString('base64')}`, 'Content-Type': 'application/json' } }, ['unsigned']),
    F('notify', 'completed two days ago (stale)', notifyPost(s, receipt({ created_at: '2026-08-30T09:00:00.000000Z', completed_at: '2026-08-30T09:30:00.000000Z' })), ['stale']),
    F('notify', 'a receipt with no time at all', notifyPost(s, receipt({})), ['stale']),
    F('notify', 'dated an hour ahead (future)', notifyPost(s, receipt({ created_at: '2026-09-01T11:00:00.000000Z' })), ['stale']),
    F('notify', 'replay of an applied receipt', nfApplied, ['replayed']),
    F('notify', 'replay of an applied STOP text', nfStop, ['replayed']),
    F('notify', 'an empty bearer token', notifyPost(s, receipt(), ''), ['unsigned', 'unauthorised']),
  ];

  const applied = [G('sendgrid', 'a genuine bounce', sgApplied), G('twilio', 'a genuine failure', twApplied), G('ses', 'a genuine complaint', sesApplied), G('notify', 'a genuine receipt', nfApplied), G('notify', 'a genuine STOP', nfStop)];
  const controls = [
    G('sendgrid', 'a genuine post, fresh', sgFresh),
    G('twilio', 'a genuine JSON body with bodySHA256', jsonSigned),
    G('twilio', 'a genuine status with a fresh send time', twilioForm(s, status({ MessageStatus: 'delivered' }), { url: `${s.twilioUrl}&t=${NOW_S - 3_600}` })),
    G('ses', 'a genuine complaint, fresh', ses()),
    G('notify', 'a genuine receipt, fresh', notifyPost(s, receipt({ created_at: '2026-08-30T09:00:00.000000Z', completed_at: '2026-09-01T09:55:00.000000Z' }))),
  ];
  return { signers: s, applied, cases: [...sendgrid, ...twilio, ...sesCases, ...notify, ...controls] };
};

/** Ingests the applied callbacks, then every case, into `store`; for each case, whether it was accepted and what it wrote. */
export const runMatrix = async (store: EventStore): Promise<ReadonlyArray<CaseOutcome>> => {
  await seedSchool(store);
  const { signers, applied, cases } = buildMatrix();
  const deps = (webhooks: WebhookConfigs): CallbackDeps => ({
    store,
    clock: steppingClock(NOW, 1),
    ids: sequentialIds(`m-${Math.random()}`),
    schoolId: SCHOOL,
    directory: storeDirectory(store),
    webhooks,
  });
  for (const a of applied) {
    const r = await ingestCallback(deps(signers.webhooks), a.provider, a.raw, { verify: true });
    if (r._tag === 'Left') throw new Error(`a genuine callback (${a.provider}: ${a.name}) was refused: ${r.left.message}`);
  }
  const out: CaseOutcome[] = [];
  for (const c of cases) {
    const before = (await store.readAll()).length;
    const r = await ingestCallback(deps(c.webhooks ?? signers.webhooks), c.provider, c.raw, { verify: true });
    const after = (await store.readAll()).length;
    out.push({ c, accepted: r._tag === 'Right', reason: r._tag === 'Left' ? r.left.reason : null, message: r._tag === 'Left' ? r.left.message : null, eventsWritten: after - before });
  }
  return out;
};
