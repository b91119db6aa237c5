/** Amazon SES through SNS: message signatures (v1 SHA1, v2 SHA256) with a generated certificate, the certificate URL rule, and SES events. */
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { contactDecider, contactStream, loadStream, type ContactRecord, type EventStore } from '@contactable/core';
import { ingestCallback, parseSes, sesFacts, snsEnvelope, trustedSnsCertificateUrl, trustedSnsUrl, type SesWebhookConfig } from '@contactable/adapters-messaging';
import { FAMILY, PARENT, callbackDeps, callbackSchool } from './support/callbacks.js';
import { fixtureJson, fixtureText } from './support/fixtures.js';
import { selfSignedCertificate } from './support/selfSignedCert.js';
import { eventCount, streamEvents } from './support/world.js';

const cert = selfSignedCertificate();
const CERT_URL = 'https://sns.eu-west-2.amazonaws.com/SimpleNotificationService-0123456789abcdef.pem';
const TOPIC = 'arn:aws:sns:eu-west-2:123456789012:ses-events';
const NOW = '2026-09-01T10:00:00.000Z';

let fetched: string[] = [];
const config = (extra: Partial<SesWebhookConfig> = {}): SesWebhookConfig => ({
  fetchCertificate: async (url) => {
    fetched.push(url);
    return cert.pem;
  },
  topicArns: [TOPIC],
  ...extra,
});

// The string to sign, written out from the SNS documentation (not from the code under test).
const canonical = (m: Record<string, string | undefined>): string => {
  const keys = m.Type === 'Notification' ? ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'] : ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];
  return keys.filter((k) => m[k] !== undefined).map((k) => `${k}\n${m[k]}\n`).join('');
};

let n = 0;
const sns = (
  message: unknown,
  o: { type?: string; version?: '1' | '2'; subject?: string; timestamp?: string; certUrl?: string; key?: KeyObject; topic?: string; alter?: (m: Record<string, string>) => void; messageId?: string } = {},
) => {
  const m: Record<string, string> = {
    Type: o.type ?? 'Notification',
    MessageId: o.messageId ?? `22b80b92-fdea-4c2c-8f9d-${String(++n).padStart(12, '0')}`,
    TopicArn: o.topic ?? TOPIC,
    Message: typeof message === 'string' ? message : JSON.stringify(message),
    Timestamp: o.timestamp ?? '2026-09-01T09:59:30.000Z',
    SignatureVersion: o.version ?? '1',
    SigningCertURL: o.certUrl ?? CERT_URL,
    UnsubscribeURL: 'https://sns.eu-west-2.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=x',
  };
  if (o.subject !== undefined) m.Subject = o.subject;
  if (m.Type === 'SubscriptionConfirmation') {
    m.SubscribeURL = 'https://sns.eu-west-2.amazonaws.com/?Action=ConfirmSubscription&TopicArn=x&Token=t0k3n';
    m.Token = 't0k3n';
  }
  m.Signature = sign(o.version === '2' ? 'sha256' : 'sha1', Buffer.from(canonical(m)), o.key ?? cert.privateKey).toString('base64');
  o.alter?.(m);
  return { body: JSON.stringify(m), headers: { 'x-amz-sns-message-type': m.Type, 'content-type': 'text/plain; charset=UTF-8' } };
};

const bounce = (type: string, addresses: string[], feedbackId = `fb-${++n}`) => ({
  notificationType: 'Bounce',
  bounce: { bounceType: type, bounceSubType: 'General', bouncedRecipients: addresses.map((a) => ({ emailAddress: a, status: '5.1.1', action: 'failed' })), timestamp: '2026-09-01T09:59:00.000Z', feedbackId },
  mail: { messageId: 'ses-msg-1', timestamp: '2026-09-01T09:58:00.000Z', destination: addresses },
});

const contact = async (store: EventStore, id: string): Promise<ContactRecord> => {
  const r = await loadStream(store, contactDecider, contactStream(id));
  if (E.isLeft(r) || r.right.state.status !== 'active') throw new Error('no contact');
  return r.right.state;
};

describe('SES notifications through SNS', () => {
  it('R-CON-3: a permanent bounce counts for each bounced recipient (both contacts at a shared address); SignatureVersion 1 and 2 verify', async () => {
    const store = await callbackSchool();
    const deps = callbackDeps(store, NOW, { ses: config() });
    for (const [i, version] of (['1', '2', '1'] as const).entries()) {
      const r = await ingestCallback(deps, 'ses', sns(bounce('Permanent', [PARENT, FAMILY], `fb-perm-${i}`), { version, subject: 'Amazon SES Email Event Notification' }), { verify: true });
      if (E.isLeft(r)) throw new Error(r.left.message);
      expect(r.right).toMatchObject({ facts: 2, unmatched: 0 });
    }
    for (const id of ['c-parent', 'c-mum', 'c-dad']) expect((await contact(store, id)).blocks.email?.cause, id).toBe('permanent-bounce');
    const failed = (await streamEvents(store, contactStream('c-parent'))).find((e) => e.type === 'DeliveryFailed')!;
    expect(failed.data).toMatchObject({ provider: 'ses', permanent: true, providerMessageId: 'ses-msg-1', observedAt: '2026-09-01T09:59:00.000Z', detail: 'Permanent General 5.1.1' });
    expect(fetched.every((u) => u === CERT_URL)).toBe(true);
  });

  it('R-CON-3: a transient bounce does not count; a complaint blocks at once (R-CON-4); not-spam feedback changes nothing; a delivery resets', async () => {
    const store = await callbackSchool();
    const deps = callbackDeps(store, NOW, { ses: config() });
    const ingest = async (message: unknown) => {
      const r = await ingestCallback(deps, 'ses', sns(message), { verify: true });
      if (E.isLeft(r)) throw new Error(r.left.message);
      return r.right;
    };
    await ingest(bounce('Transient', [PARENT]));
    await ingest(bounce('Undetermined', [PARENT]));
    expect((await contact(store, 'c-parent')).streaks.email.failuresAt).toEqual([]);
    expect((await ingest({ notificationType: 'Complaint', complaint: { complainedRecipients: [{ emailAddress: FAMILY }], complaintFeedbackType: 'not-spam', feedbackId: 'c0' }, mail: { messageId: 'm' } })).ignored).toEqual(['complaint (not-spam)']);
    await ingest({ notificationType: 'Complaint', complaint: { complainedRecipients: [{ emailAddress: FAMILY }], complaintFeedbackType: 'abuse', feedbackId: 'c1', timestamp: '2026-09-01T09:59:10.000Z' }, mail: { messageId: 'm' } });
    expect((await contact(store, 'c-mum')).blocks.email?.cause).toBe('spam');
    expect((await ingest({ notificationType: 'Delivery', delivery: { recipients: [PARENT], timestamp: '2026-09-01T09:59:20.000Z' }, mail: { messageId: 'm2' } })).written).toBe(1);
    expect((await ingest({ eventType: 'Open', open: {}, mail: { messageId: 'm2' } })).ignored).toEqual(['Open']);
  });

  it('R-CON-3: a SubscriptionConfirmation is confirmed only when verified, and writes nothing', async () => {
    const store = await callbackSchool();
    const count = await eventCount(store);
    const visited: string[] = [];
    const deps = { ...callbackDeps(store, NOW, { ses: config() }), confirmSubscription: async (url: string) => void visited.push(url) };
    const confirmation = sns('You have chosen to subscribe to the topic.', { type: 'SubscriptionConfirmation' });
    const r = await ingestCallback(deps, 'ses', confirmation, { verify: true });
    expect(E.isRight(r) && r.right).toMatchObject({ subscriptionConfirmed: true, subscribeUrl: null, written: 0 });
    expect(visited).toEqual(['https://sns.eu-west-2.amazonaws.com/?Action=ConfirmSubscription&TopicArn=x&Token=t0k3n']);
    const unverified = await ingestCallback(callbackDeps(store, NOW, {}), 'ses', confirmation, { verify: false });
    expect(E.isRight(unverified) && unverified.right).toMatchObject({ subscriptionConfirmed: false, subscribeUrl: 'https://sns.eu-west-2.amazonaws.com/?Action=ConfirmSubscription&TopicArn=x&Token=t0k3n' });
    expect(await eventCount(store)).toBe(count);
  });

  it('R-CON-3: forged, altered, untrusted-certificate, wrong-region, stale, expired-certificate, unknown-topic and replayed posts are refused and write nothing', async () => {
    const store = await callbackSchool();
    const deps = callbackDeps(store, NOW, { ses: config() });
    const genuine = sns(bounce('Permanent', [PARENT]));
    expect(E.isRight(await ingestCallback(deps, 'ses', genuine, { verify: true }))).toBe(true);
    const count = await eventCount(store);
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const expired = selfSignedCertificate({ notBefore: new Date('2020-01-01T00:00:00Z'), notAfter: new Date('2021-01-01T00:00:00Z') });
    const msg = bounce('Permanent', [PARENT]);
    fetched = [];
    const cases = [
      ['forged', deps, sns(msg, { key: other }), 'bad-signature'],
      ['altered', deps, sns(msg, { alter: (m) => void (m.Message = m.Message!.replace('Permanent', 'Transient')) }), 'bad-signature'],
      ['http certificate URL', deps, sns(msg, { certUrl: 'http://sns.eu-west-2.amazonaws.com/cert.pem' }), 'untrusted-certificate'],
      ['look-alike host', deps, sns(msg, { certUrl: 'https://sns.eu-west-2.amazonaws.com.evil.example/cert.pem' }), 'untrusted-certificate'],
      ['S3 host', deps, sns(msg, { certUrl: 'https://s3.amazonaws.com/sns/cert.pem' }), 'untrusted-certificate'],
      ['other region', deps, sns(msg, { certUrl: 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0123456789abcdef.pem' }), 'untrusted-certificate'],
      ['other path on the SNS host', deps, sns(msg, { certUrl: 'https://sns.eu-west-2.amazonaws.com/cert.pem' }), 'untrusted-certificate'],
      ['another account\'s topic', deps, sns(msg, { topic: 'arn:aws:sns:eu-west-2:999999999999:ses-events' }), 'unauthorised'],
      ['topics not pinned', callbackDeps(store, NOW, { ses: config({ topicArns: undefined }) }), sns(msg), 'misconfigured'],
      ['topics pinned empty', callbackDeps(store, NOW, { ses: config({ topicArns: [''] }) }), sns(msg), 'misconfigured'],
      ['stale', deps, sns(msg, { timestamp: '2026-09-01T07:00:00.000Z' }), 'stale'],
      ['expired certificate', callbackDeps(store, NOW, { ses: { fetchCertificate: async () => expired.pem, topicArns: [TOPIC] } }), sns(msg, { key: expired.privateKey }), 'untrusted-certificate'],
      ['unknown topic', callbackDeps(store, NOW, { ses: config({ topicArns: ['arn:aws:sns:eu-west-2:123456789012:other'] }) }), sns(msg), 'unauthorised'],
      ['unsigned', deps, { body: JSON.stringify({ ...JSON.parse(sns(msg).body), Signature: undefined }), headers: {} }, 'unsigned'],
      ['replayed', deps, genuine, 'replayed'],
    ] as const;
    for (const [name, d, raw, reason] of cases) {
      const r = await ingestCallback(d, 'ses', raw, { verify: true });
      expect(E.isLeft(r) && r.left.reason, name).toBe(reason);
    }
    expect(await eventCount(store)).toBe(count);
    // No certificate was ever fetched from an untrusted place.
    expect(fetched.every((u) => u === CERT_URL)).toBe(true);
  });

  it('R-CON-3: only https sns.<region>.amazonaws.com certificate URLs are trusted', () => {
    expect(trustedSnsUrl(CERT_URL)).toBe('eu-west-2');
    expect(trustedSnsUrl('https://sns.cn-north-1.amazonaws.com.cn/x.pem')).toBe('cn-north-1');
    expect(trustedSnsUrl('https://user@sns.eu-west-2.amazonaws.com/x.pem')).toBeNull();
    expect(trustedSnsUrl('https://sns.eu-west-2.amazonaws.com:8443/x.pem')).toBeNull();
    expect(trustedSnsUrl('https://evilsns.eu-west-2.amazonaws.com/x.pem')).toBeNull();
  });

  it('R-CON-3: the signing-certificate URL is pinned to host, region and path: exactly these are trusted', () => {
    const pinned: ReadonlyArray<[string, string | null]> = [
      ['https://sns.eu-west-2.amazonaws.com/SimpleNotificationService-0123456789abcdef.pem', 'eu-west-2'],
      ['https://sns.us-east-1.amazonaws.com/SimpleNotificationService-9c6465fa7f48f5cacd23014631ec1136.pem', 'us-east-1'],
      ['https://sns.us-gov-west-1.amazonaws.com/SimpleNotificationService-9c6465fa7f48f5cacd23014631ec1136.pem', 'us-gov-west-1'],
      ['https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-9c6465fa7f48f5cacd23014631ec1136.pem', 'cn-north-1'],
      ['https://sns.eu-west-2.amazonaws.com:443/SimpleNotificationService-0123456789abcdef.pem', 'eu-west-2'],
      ['https://SNS.EU-WEST-2.AMAZONAWS.COM/SimpleNotificationService-0123456789abcdef.pem', 'eu-west-2'],
      ['http://sns.eu-west-2.amazonaws.com/SimpleNotificationService-0123456789abcdef.pem', null],
      ['https://sns.eu-west-2.amazonaws.com.evil.example/SimpleNotificationService-0123456789abcdef.pem', null],
      ['https://sns.eu-west-2.amazonaws.com%2eevil.example/SimpleNotificationService-0123456789abcdef.pem', null],
      ['https://evil.example/sns.eu-west-2.amazonaws.com/SimpleNotificationService-0123456789abcdef.pem', null],
      ['https://sns.eu-west-2.amazonaws.com@evil.example/SimpleNotificationService-0123456789abcdef.pem', null],
      ['https://evil.example#@sns.eu-west-2.amazonaws.com/SimpleNotificationService-0123456789abcdef.pem', null],
      ['https://sns-eu-west-2.amazonaws.com/SimpleNotificationService-0123456789abcdef.pem', null],
      ['https://sns.eu-west-2.evil.amazonaws.com/SimpleNotificationService-0123456789abcdef.pem', null],
      ['https://sns.eu_west_2.amazonaws.com/SimpleNotificationService-0123456789abcdef.pem', null],
      ['https://sns.amazonaws.com/SimpleNotificationService-0123456789abcdef.pem', null],
      ['https://s3.eu-west-2.amazonaws.com/SimpleNotificationService-0123456789abcdef.pem', null],
      ['https://sns.eu-west-2.amazonaws.com:8443/SimpleNotificationService-0123456789abcdef.pem', null],
      ['https://sns.eu-west-2.amazonaws.com/cert.pem', null],
      ['https://sns.eu-west-2.amazonaws.com/SimpleNotificationService-0123456789abcdef.pem?x=1', null],
      ['https://sns.eu-west-2.amazonaws.com/SimpleNotificationService-0123456789abcdef.pem#x', null],
      ['https://sns.eu-west-2.amazonaws.com/other/SimpleNotificationService-0123456789abcdef.pem', null],
      ['https://sns.eu-west-2.amazonaws.com/SimpleNotificationService-[REDACTED].pem', null],
      ['https://sns.eu-west-2.amazonaws.com/?Action=ConfirmSubscription', null],
    ];
    for (const [url, region] of pinned) expect(trustedSnsCertificateUrl(url), url).toBe(region);
  });

  it('R-CON-3: a SubscribeURL in another region than the topic is refused', async () => {
    const store = await callbackSchool();
    const visited: string[] = [];
    const deps = { ...callbackDeps(store, NOW, { ses: config() }), confirmSubscription: async (url: string) => void visited.push(url) };
    const r = await ingestCallback(deps, 'ses', sns('subscribe', { type: 'SubscriptionConfirmation', alter: (m) => void (m.SubscribeURL = 'https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=x&Token=t0k3n') }), { verify: true });
    // Altering the URL also breaks the signature: refused either way, and never visited.
    expect(E.isLeft(r)).toBe(true);
    expect(visited).toEqual([]);
    const parsed = parseSes({ Type: 'SubscriptionConfirmation', MessageId: 'x', TopicArn: TOPIC, Message: 'm', Timestamp: NOW, SubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=t' }, null);
    expect(E.isLeft(parsed) && parsed.left.reason).toBe('untrusted-certificate');
  });
});

describe('SES sample payloads', () => {
  const facts = (file: string) => {
    const r = parseSes(JSON.parse(sns(fixtureJson(`ses/${file}`)).body), null);
    if (E.isLeft(r)) throw new Error(r.left.message);
    return r.right;
  };

  it('R-CON-3: SES events (our fixtures, in the shapes SES publishes), wrapped in SNS envelopes we sign, map to the expected facts', () => {
    const permanent = facts('bounce-permanent.json').facts;
    expect(permanent.map((f) => [f.kind, f.address, f.kind === 'failed' && f.permanent, f.feedbackId, f.observedAt, f.providerMessageId])).toEqual([
      ['failed', 'no.such.parent@example.org', true, '0102019912ab34cd-5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9-000000:no.such.parent@example.org', '2025-09-03T08:15:42.318Z', '0102019912ab30f1-2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f-000000'],
    ]);
    expect(permanent[0]!.kind === 'failed' && permanent[0]!.detail).toBe('Permanent General 5.1.1');
    // Only the bounced recipients, not every destination of the message; no feedbackId or timestamp: the SNS message's.
    const multiple = facts('bounce-multiple.json').facts;
    expect(multiple.map((f) => [f.address, f.kind === 'failed' && f.permanent])).toEqual([['no.such.parent@example.org', true], ['dan.price@example.com', true]]);
    expect(multiple.every((f) => f.feedbackId.startsWith('sns:') && f.observedAt === '2026-09-01T09:59:30.000Z')).toBe(true);
    expect(facts('bounce-transient.json').facts.map((f) => [f.kind, f.address, f.kind === 'failed' && f.permanent])).toEqual([['failed', 'amira.haddad@example.org', false]]);
    expect(facts('complaint.json').facts.map((f) => [f.kind, f.address, f.observedAt])).toEqual([['complaint', 'dan.price@example.com', '2025-09-04T18:02:11.000Z']]);
    expect(facts('delivery.json').facts.map((f) => [f.kind, f.address, f.observedAt])).toEqual([['delivered', 'amira.haddad@example.org', '2025-09-03T08:15:41.511Z']]);
    for (const [file, type] of [['open.json', 'Open'], ['click.json', 'Click'], ['send.json', 'Send'], ['reject.json', 'Reject'], ['rendering-failure.json', 'Rendering Failure'], ['delivery-delay.json', 'DeliveryDelay']] as const) {
      expect(facts(file), file).toMatchObject({ facts: [], ignored: [type] });
    }
    const received = sesFacts(JSON.parse(fixtureJson<{ Message: string }>('ses/sns-received-notification.json').Message), 'x', NOW);
    expect(received).toEqual({ facts: [], ignored: ['Received'] });
  });

  it('R-CON-3: SES events in their SNS envelope as delivered (SigningCertUrl spelling, Subject null, signature redacted) are read with --unverified; a non-SES bounce type is not counted', async () => {
    const parse = (file: string) => {
      const env = snsEnvelope({ body: fixtureText(`sns/${file}`), headers: {} });
      if (E.isLeft(env)) throw new Error(env.left.message);
      expect(env.right.SigningCertURL).toMatch(/^https:\/\/sns\.eu-west-2\.amazonaws\.com\//);
      const r = parseSes(env.right, null);
      if (E.isLeft(r)) throw new Error(r.left.message);
      return r.right.facts;
    };
    expect(parse('ses-bounce-permanent.json').map((f) => [f.kind, f.address, f.kind === 'failed' && f.permanent, f.observedAt, f.providerMessageId])).toEqual([
      ['failed', 'returned.mail@example.org', true, '2025-09-03T08:15:41.207Z', 'ref-trip-0412'],
    ]);
    expect(parse('ses-bounce-temporary.json').map((f) => f.kind === 'failed' && f.permanent)).toEqual([false]);
    expect(parse('ses-delivery.json').map((f) => [f.kind, f.address, f.observedAt])).toEqual([['delivered', 'arrived.mail@example.com', '2025-09-03T08:15:40.706Z']]);
    // Redacted, it cannot pass verification: its certificate URL is no longer SNS's.
    const store = await callbackSchool();
    const r = await ingestCallback(callbackDeps(store, NOW, { ses: config({ topicArns: ['arn:aws:sns:eu-west-2:111122223333:ses-events'] }) }), 'ses', { body: fixtureText('sns/ses-bounce-permanent.json'), headers: {} }, { verify: true });
    expect(E.isLeft(r) && r.left.reason).toBe('untrusted-certificate');
  });
});
