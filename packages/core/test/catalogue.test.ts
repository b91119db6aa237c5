import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { describe, expect, it } from 'vitest';
import { carriesPersonal, catalogue, decodeEvent, defineEvent, ERASED, mapEventPersonal, memoryStore, contactStream, noStream } from '../src/index.js';
import { email, mobile } from './fixtures.js';

describe('the event catalogue', () => {
  it('marks names, emails, phones and MIS references as personal data', () => {
    const data = { contactId: 'c1', source: { kind: 'mis', system: 'sims', externalId: 'P1' }, name: { given: 'Ann', family: 'Parent' }, email: email(), mobile: mobile() };
    const masked = mapEventPersonal('ContactImported', data, () => ERASED) as typeof data;
    expect(masked).toEqual({ ...data, name: { given: ERASED, family: ERASED }, email: { ...data.email, value: ERASED }, mobile: { ...data.mobile, value: ERASED } });
    expect(carriesPersonal('ContactImported')).toBe(true);
    expect(carriesPersonal('MemberImported')).toBe(true);
    expect(carriesPersonal('OptedOut')).toBe(false);
    // A provider's failure text often quotes the address: erased with the person.
    const failed = { contactId: 'c1', channel: 'email', address: 'ann@example.org', permanent: true, detail: '550 5.1.1 <ann@example.org>: unknown', provider: 'p', feedbackId: 'f', providerMessageId: null, observedAt: '2026-10-01T00:00:00.000Z' };
    expect(mapEventPersonal('DeliveryFailed', failed, () => ERASED)).toEqual({ ...failed, address: ERASED, detail: ERASED });
    expect(carriesPersonal('ImportRunFinished')).toBe(false);
  });

  it('has an event for each of the design card names', () => {
    for (const type of ['MemberImported', 'ContactImported', 'OptedOut', 'Blocked', 'ReEnabled', 'MarkedLeaver', 'MemberAnonymised', 'ContactAnonymised']) {
      expect(catalogue.has(type)).toBe(true);
    }
  });

  it('upcasts an old schema version on read, never rewriting it', () => {
    const v2 = defineEvent('Example', t.type({ fullName: t.string }), [(d) => ({ fullName: `${(d as { first: string }).first} ${(d as { last: string }).last}` })]);
    expect(v2.version).toBe(2);
    expect(v2.upcasters[0]!({ first: 'A', last: 'B' })).toEqual({ fullName: 'A B' });
  });

  it('rejects an unknown type or a future schema version with the stream and position', () => {
    const base = { id: 'e', streamId: 'contact-1', version: 3, position: 17, data: {}, metadata: {} };
    const unknown = decodeEvent({ ...base, type: 'Nope', schemaVersion: 1 });
    expect(E.isLeft(unknown) && unknown.left.message).toMatch(/contact-1@3 \(position 17\).*unknown event type/);
    const future = decodeEvent({ ...base, type: 'OptedOut', schemaVersion: 9 });
    expect(E.isLeft(future) && future.left.message).toMatch(/schema version 9/);
  });

  it('R-DEL-3 the memory store forgets a person: personal fields (the free-text reason too) read as XXXX, facts and reason codes stay', async () => {
    const store = memoryStore();
    const metadata = { occurredAt: '2026-10-01T00:00:00.000Z', actor: { kind: 'person' as const, name: 'Office' }, reason: 'Ann Parent phoned', reasonCode: 'phoned-to-stop', correlationId: 'c', causationId: null, schoolId: 's' };
    const data = { contactId: 'c1', source: { kind: 'address-book' }, name: { given: 'Ann', family: 'Parent' }, email: email(), mobile: null };
    await store.append(contactStream('c1'), [{ id: 'e1', type: 'ContactAdded', schemaVersion: 1, data, metadata }], noStream);
    await store.append(contactStream('c2'), [{ id: 'e2', type: 'ContactAdded', schemaVersion: 1, data: { ...data, contactId: 'c2' }, metadata }], noStream);
    await store.forget(contactStream('c1'));
    const [forgotten, kept] = await store.readAll();
    expect(JSON.stringify(forgotten)).not.toMatch(/Ann|Parent|ann\.parent/);
    expect(forgotten).toMatchObject({ type: 'ContactAdded', metadata: { ...metadata, reason: 'XXXX' }, data: { name: { given: 'XXXX', family: 'XXXX' } } });
    expect(kept!.data).toEqual({ ...data, contactId: 'c2' });
    expect(kept!.metadata).toEqual(metadata);
  });
});
