/** Twilio status callbacks and inbound texts: signatures (checked against the documented algorithm, written out here), STOP/START, and refusals that write nothing. */
import { createHash, createHmac } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { contactDecider, contactStream, loadStream, type ContactRecord, type EventStore } from '@contactable/core';
import { ingestCallback, twilioSignature, urlVariants, validTwilioSignature } from '@contactable/adapters-messaging';
import { MOBILE, callbackDeps, callbackSchool } from './support/callbacks.js';
import { eventCount, streamEvents } from './support/world.js';

const TOKEN = 'auth-token-for-tests';
const URL_ = 'https://school.example/hooks/twilio?school=1';
const NOW = '2026-09-01T10:00:00.000Z';
const webhooks = { twilio: { authToken: TOKEN, accountSid: 'AC1' } };

const post = (params: Record<string, string>, options: { token?: string; url?: string; alter?: Record<string, string> } = {}) => {
  const signature = twilioSignature(options.token ?? TOKEN, options.url ?? URL_, params);
  const body = new URLSearchParams({ ...params, ...options.alter }).toString();
  return { body, headers: { 'X-Twilio-Signature': signature, 'Content-Type': 'application/x-www-form-urlencoded' }, url: URL_ };
};

let sid = 0;
const status = (MessageStatus: string, extra: Record<string, string> = {}) => ({ AccountSid: 'AC1', MessageSid: `SM${++sid}`, MessageStatus, To: MOBILE, From: '+447700900000', ApiVersion: '2010-04-01', ...extra });
const inbound = (Body: string, extra: Record<string, string> = {}) => ({ AccountSid: 'AC1', MessageSid: `SM${++sid}`, SmsStatus: 'received', From: MOBILE, To: '+447700900000', Body, NumMedia: '0', ...extra });

const contact = async (store: EventStore, id: string): Promise<ContactRecord> => {
  const r = await loadStream(store, contactDecider, contactStream(id));
  if (E.isLeft(r) || r.right.state.status !== 'active') throw new Error('no contact');
  return r.right.state;
};

describe('Twilio signature', () => {
  // X-Twilio-Signature as Twilio documents it, written out here (not taken from the code under test):
  // base64(HMAC-SHA1(auth token, full URL + each POST parameter's name and value, names sorted)).
  const documented = (token: string, url: string, pairs: ReadonlyArray<[string, string]>): string =>
    createHmac('sha1', token).update([url, ...[...pairs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => k + v)].join(''), 'utf8').digest('base64');

  it('R-CON-5: signatures made by the documented algorithm verify (form posts, repeated parameters, JSON bodies, ports, host case); a wrong token does not', () => {
    const token = 'f3c1e0a9b7d24c6e8a5b0d9c7e6f4a21';
    // A status callback as Twilio posts it (form fields), to a URL with a query string of its own.
    const url = 'https://hooks.example.org/twilio/status?school=ex-2010&v=2';
    const form: Record<string, string> = {
      AccountSid: 'AC0a1b2c3d4e5f60718293a4b5c6d7e8f9',
      ApiVersion: '2010-04-01',
      From: '+447700900123',
      MessageSid: 'SM9f8e7d6c5b4a39281706f5e4d3c2b1a0',
      MessageStatus: 'undelivered',
      ErrorCode: '30005',
      SmsSid: 'SM9f8e7d6c5b4a39281706f5e4d3c2b1a0',
      SmsStatus: 'undelivered',
      To: '+447911123456',
    };
    const cases: Array<{ name: string; url: string; params: Record<string, string | string[]>; signedOver: string; pairs: ReadonlyArray<[string, string]>; body?: Buffer }> = [
      { name: 'form params', url, params: form, signedOver: url, pairs: Object.entries(form) },
      // Twilio's own validators sort a repeated parameter's values and drop repeats.
      { name: 'repeated param', url, params: { Body: 'STOP', MediaUrl: ['https://media.example.org/b.jpg', 'https://media.example.org/a.jpg', 'https://media.example.org/b.jpg'] }, signedOver: url, pairs: [['Body', 'STOP'], ['MediaUrl', 'https://media.example.org/a.jpg'], ['MediaUrl', 'https://media.example.org/b.jpg']] },
      // The host's case is kept as configured, not lowered.
      { name: 'mixed-case host', url: 'https://Hooks.Example.org/twilio/status?school=ex-2010', params: form, signedOver: 'https://Hooks.Example.org/twilio/status?school=ex-2010', pairs: Object.entries(form) },
      // Twilio signs the URL with the default port in some cases; the URL we were given has none.
      { name: 'signed with :443', url, params: form, signedOver: 'https://hooks.example.org:443/twilio/status?school=ex-2010&v=2', pairs: Object.entries(form) },
      { name: 'http, signed with :80', url: 'http://hooks.example.org/twilio/status', params: form, signedOver: 'http://hooks.example.org:80/twilio/status', pairs: Object.entries(form) },
      { name: 'given with :443, signed without', url: 'https://hooks.example.org:443/twilio/status?school=ex-2010&v=2', params: form, signedOver: url, pairs: Object.entries(form) },
    ];
    // A JSON body: the URL carries its SHA-256 (hex) as bodySHA256, and no parameters are appended.
    const json = Buffer.from(JSON.stringify({ AccountSid: form.AccountSid, MessageSid: form.MessageSid, MessageStatus: 'delivered' }));
    const jsonUrl = `${url}&bodySHA256=${createHash('sha256').update(json).digest('hex')}`;
    cases.push({ name: 'JSON body', url: jsonUrl, params: {}, signedOver: jsonUrl, pairs: [], body: json });
    for (const c of cases) {
      const signature = documented(token, c.signedOver, c.pairs);
      expect(validTwilioSignature(token, signature, c.url, c.params, c.body), c.name).toBe(true);
      expect(validTwilioSignature('0'.repeat(32), signature, c.url, c.params, c.body), c.name).toBe(false);
    }
    expect(twilioSignature(token, url, form)).toBe(documented(token, url, Object.entries(form)));
    // An altered JSON body, an altered parameter, or a JSON URL without its body: refused.
    expect(validTwilioSignature(token, documented(token, jsonUrl, []), jsonUrl, {}, Buffer.from(json.toString().replace('delivered', 'failed')))).toBe(false);
    expect(validTwilioSignature(token, documented(token, jsonUrl, []), jsonUrl, {})).toBe(false);
    expect(validTwilioSignature(token, documented(token, url, Object.entries(form)), url, { ...form, ErrorCode: '30006' })).toBe(false);
  });

  it('R-CON-5: URL port variants keep the case of the host', () => {
    expect(urlVariants('https://MyCompany.com/a?b=1')).toEqual(['https://MyCompany.com/a?b=1', 'https://MyCompany.com:443/a?b=1']);
    expect(urlVariants('http://h.example:80/x')).toEqual(['http://h.example:80/x', 'http://h.example/x']);
  });
});

describe('Twilio callbacks to commands', () => {
  it('R-CON-5: delivered resets, permanent error codes count, temporary ones do not; three in a row block texts', async () => {
    const store = await callbackSchool();
    const deps = callbackDeps(store, NOW, webhooks);
    const steps = [
      status('undelivered', { ErrorCode: '30003' }),
      status('undelivered', { ErrorCode: '30008' }),
      status('delivered'),
      status('failed', { ErrorCode: '30005' }),
      status('undelivered', { ErrorCode: '30001' }),
      status('undelivered', { ErrorCode: '30006' }),
      status('sent'),
      status('undelivered', { ErrorCode: '21610' }),
    ];
    for (const s of steps) {
      const r = await ingestCallback(deps, 'twilio', post(s), { verify: true });
      if (E.isLeft(r)) throw new Error(r.left.message);
    }
    const c = await contact(store, 'c-text');
    expect(c.blocks.sms?.cause).toBe('text-delivery-failure');
    const events = await streamEvents(store, contactStream('c-text'));
    expect(events.filter((e) => e.type === 'DeliveryFailed').map((e) => [e.data.detail, e.data.permanent])).toEqual([
      ['undelivered (error 30003)', true],
      ['undelivered (error 30008)', false],
      ['failed (error 30005)', true],
      ['undelivered (error 30001)', false],
      ['undelivered (error 30006)', true],
      ['undelivered (error 21610)', true],
    ]);
    const delivered = events.find((e) => e.type === 'DeliverySucceeded')!;
    expect(delivered.data).toMatchObject({ channel: 'sms', address: MOBILE, providerMessageId: 'SM3' });
  });

  it("R-CON-5: the carrier's RawDlrDoneDate (YYMMDDhhmm, UTC) is the observed time; without it, the time of arrival", async () => {
    const store = await callbackSchool();
    const deps = callbackDeps(store, NOW, webhooks);
    await ingestCallback(deps, 'twilio', post(status('delivered', { RawDlrDoneDate: '2609010959' })), { verify: true });
    await ingestCallback(deps, 'twilio', post(status('delivered')), { verify: true });
    const times = (await streamEvents(store, contactStream('c-text'))).filter((e) => e.type === 'DeliverySucceeded').map((e) => e.data.observedAt);
    expect(times[0]).toBe('2026-09-01T09:59:00.000Z');
    expect(String(times[1])).toMatch(/^2026-09-01T10:00:00\.\d{3}Z$/);
  });

  it('R-CON-2: STOP opts out by text reply, START opts back in; other texts change nothing', async () => {
    const store = await callbackSchool();
    const deps = callbackDeps(store, NOW, webhooks);
    const apply = async (p: Record<string, string>) => {
      const r = await ingestCallback(deps, 'twilio', post(p), { verify: true });
      if (E.isLeft(r)) throw new Error(r.left.message);
      return r.right;
    };
    expect((await apply(inbound(' stop '))).written).toBe(1);
    expect((await contact(store, 'c-text')).optedOut?.via).toBe('sms-reply');
    expect((await apply(inbound('Thanks, see you Friday'))).ignored).toEqual(['inbound text (not a consent keyword)']);
    const firstOptOut = (await contact(store, 'c-text')).optedOut?.at;
    // A second STOP is recorded (it moves the latest-wish time on) but keeps the first opt-out's date.
    expect((await apply(inbound('UNSUBSCRIBE'))).written).toBe(1);
    expect((await contact(store, 'c-text')).optedOut?.at).toBe(firstOptOut);
    expect((await apply(inbound('Start'))).written).toBe(1);
    expect((await contact(store, 'c-text')).optedOut).toBeNull();
    // Twilio's Advanced Opt-Out names the keyword itself.
    await apply(inbound('ARRET', { OptOutType: 'STOP' }));
    expect((await contact(store, 'c-text')).optedOut).not.toBeNull();
    const outs = (await streamEvents(store, contactStream('c-text'))).filter((e) => e.type === 'OptedOut' || e.type === 'OptedIn');
    expect(outs.map((e) => [e.type, e.data.via])).toEqual([['OptedOut', 'sms-reply'], ['OptedOut', 'sms-reply'], ['OptedIn', 'sms-reply'], ['OptedOut', 'sms-reply']]);
  });

  it('R-CON-5: forged, altered, replayed, wrong-account and URL-less callbacks are refused and write nothing', async () => {
    const store = await callbackSchool();
    const deps = callbackDeps(store, NOW, webhooks);
    const genuine = post(status('undelivered', { ErrorCode: '30005' }));
    expect(E.isRight(await ingestCallback(deps, 'twilio', genuine, { verify: true }))).toBe(true);
    const count = await eventCount(store);
    const p = status('undelivered', { ErrorCode: '30005' });
    const cases = [
      ['forged', post(p, { token: 'guessed' }), 'bad-signature'],
      ['altered', post(p, { alter: { ErrorCode: '30006' } }), 'bad-signature'],
      ['other URL', { ...post(p), url: 'https://evil.example/hooks/twilio?school=1' }, 'bad-signature'],
      ['replayed', genuine, 'replayed'],
      ['unsigned', { ...post(p), headers: {} }, 'unsigned'],
      ['no URL', { body: post(p).body, headers: post(p).headers }, 'misconfigured'],
      ['other account', post({ ...p, AccountSid: 'AC2' }), 'unauthorised'],
    ] as const;
    for (const [name, raw, reason] of cases) {
      const r = await ingestCallback(deps, 'twilio', raw, { verify: true });
      expect(E.isLeft(r) && r.left.reason, name).toBe(reason);
    }
    expect(await eventCount(store)).toBe(count);
  });

  it('R-CON-5: the same status callback twice (a new process, no replay memory) counts once', async () => {
    const store = await callbackSchool();
    const p = post(status('undelivered', { ErrorCode: '30005' }));
    await ingestCallback(callbackDeps(store, NOW, webhooks), 'twilio', p, { verify: true });
    const count = await eventCount(store);
    const again = await ingestCallback(callbackDeps(store, NOW, webhooks), 'twilio', p, { verify: true });
    expect(E.isRight(again) && again.right).toMatchObject({ written: 0, unchanged: 1 });
    expect(await eventCount(store)).toBe(count);
  });

  it('R-CON-5: a number no contact holds is reported unmatched', async () => {
    const store = await callbackSchool();
    const r = await ingestCallback(callbackDeps(store, NOW, webhooks), 'twilio', post({ ...status('delivered'), To: '+447700900999' }), { verify: true });
    expect(E.isRight(r) && r.right).toMatchObject({ facts: 1, unmatched: 1, written: 0 });
  });
});
