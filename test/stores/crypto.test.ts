/** The sealing of personal data: round trips, refuses tampering and other subjects' blobs, masks what is forgotten. */
import { describe, expect, it } from 'vitest';
import { ERASED, contactStream, messageStream, type RawEvent } from '../../packages/core/src/index.js';
import { keyIdOf, makeShredder, newSubjectKey, openStrings, sealStrings, UNDECRYPTABLE, workerOpener, type BlobOpener, type KeyStore, type SubjectKey } from '../../packages/adapters-store/src/index.js';
import { PERSON_A } from './conformance.js';
import { asNewEvents, contactHistory } from './fixtures.js';

/** A key store in a Map, counting its lookups (and, with `many`, its multi-subject calls). */
const mapKeyStore = (many = false) => {
  const keys = new Map<string, SubjectKey>();
  let lookups = 0;
  let made = 0;
  const current = async (subject: string): Promise<SubjectKey> => {
    const k = keys.get(subject) ?? newSubjectKey();
    keys.set(subject, k);
    return k;
  };
  const store: KeyStore = {
    current,
    ...(many ? { currentMany: async (subjects: ReadonlyArray<string>) => (made++, new Map(await Promise.all(subjects.map(async (s) => [s, await current(s)] as const)))) } : {}),
    find: async (ids) => {
      lookups += 1;
      return new Map([...keys].filter(([, k]) => ids.includes(k.id)).map(([subject, k]) => [k.id, { key: k.key, subject }]));
    },
    remove: async (subject) => void keys.delete(subject),
  };
  return { store, keys, lookups: () => lookups, manyCalls: () => made };
};

describe('sealing', () => {
  it('opens what it sealed, only with the same key, subject and event', () => {
    const key = newSubjectKey();
    const blob = sealStrings(key, 'contact-1', 'event-1', ['Ann', 'ann@example.org']);
    expect(blob).not.toContain('Ann');
    expect(keyIdOf(blob)).toBe(key.id);
    expect(openStrings(key.key, 'contact-1', 'event-1', blob)).toEqual(['Ann', 'ann@example.org']);
    expect(openStrings(key.key, 'contact-2', 'event-1', blob)).toBeNull();
    expect(openStrings(key.key, 'contact-1', 'event-2', blob)).toBeNull();
    expect(openStrings(newSubjectKey().key, 'contact-1', 'event-1', blob)).toBeNull();
    const body = blob.slice(blob.lastIndexOf('.') + 1);
    const flipped = `${blob.slice(0, blob.length - body.length)}${body[0] === 'A' ? 'B' : 'A'}${body.slice(1)}`;
    expect(openStrings(key.key, 'contact-1', 'event-1', flipped)).toBeNull();
    expect(openStrings(key.key, 'contact-1', 'event-1', 'not a blob')).toBeNull();
    // A fresh IV each time: the same strings never seal to the same bytes.
    expect(sealStrings(key, 'contact-1', 'event-1', ['Ann'])).not.toBe(sealStrings(key, 'contact-1', 'event-1', ['Ann']));
  });

  it('replaces personal fields by placeholders, and forgets a subject to XXXX', async () => {
    const keys = mapKeyStore();
    const shredder = makeShredder(keys.store);
    const contact = contactHistory('c-1', PERSON_A, 1);
    const { sealed, keyIds } = await shredder.seal(contact.streamId, contact.events);
    expect(keyIds).toEqual([keys.keys.get(contact.streamId)!.id]);
    const atRest = JSON.stringify(sealed);
    for (const value of [PERSON_A.given, PERSON_A.family, PERSON_A.email]) expect(atRest).not.toContain(value);
    // OptedOut carries no personal data: stored as it is, no blob.
    expect(sealed[2]).toEqual({ data: contact.events[2]!.data, metadata: contact.events[2]!.metadata, personal: null });
    const stored = contact.events.map((e, i) => ({ ...e, streamId: contact.streamId, version: i, position: i + 1, data: sealed[i]!.data, personal: sealed[i]!.personal }));
    // What a driver hands over: freshly parsed rows (open fills them in place).
    const rows = () => stored.map((r) => ({ ...r, data: structuredClone(r.data) }));
    const opened = await shredder.open(rows());
    expect(opened.map((e: RawEvent) => e.data)).toEqual(contact.events.map((e) => e.data));
    expect(opened[0]).not.toHaveProperty('personal');
    // Keys are cached: a second read asks the key store nothing.
    const asked = keys.lookups();
    await shredder.open(rows());
    expect(keys.lookups()).toBe(asked);
    const tampered = [{ ...rows()[0]!, personal: stored[1]!.personal }];
    expect((await shredder.open(tampered))[0]!.data).toEqual(UNDECRYPTABLE);
    await shredder.forget(contact.streamId);
    const forgotten = await shredder.open(rows());
    expect((forgotten[0]!.data as { name: unknown }).name).toEqual({ given: ERASED, family: ERASED });
    expect((forgotten[1]!.data as { address: string }).address).toBe(ERASED);
    expect(forgotten[2]!.data).toEqual(contact.events[2]!.data);
    // A field that merely looks like a placeholder is left alone (the codec decides what is personal).
    const lookalike = { ...contact.events[1]!, data: { ...(contact.events[1]!.data as object), providerMessageId: 'enc:v1:0' } };
    const sealedLookalike = (await shredder.seal(contact.streamId, [lookalike])).sealed[0]!;
    const [back] = await shredder.open([{ ...lookalike, streamId: contact.streamId, version: 9, position: 9, data: structuredClone(sealedLookalike.data), personal: sealedLookalike.personal }]);
    expect(back!.data).toEqual(lookalike.data);
    // A new key after forget never opens the old data.
    await shredder.seal(contact.streamId, contact.events);
    expect(((await shredder.open(rows()))[0]!.data as { name: unknown }).name).toEqual({ given: ERASED, family: ERASED });
  });

  it('R-DEL-3 a provider text about a recipient (a refusal, an in-doubt detail) is sealed under the recipient\'s key, the content under the message\'s', async () => {
    const keys = mapKeyStore();
    const shredder = makeShredder(keys.store);
    const streamId = messageStream('m-1');
    const quoted = `no answer from the server about ${PERSON_A.email}`;
    const events = asNewEvents(streamId, [
      { type: 'MessageRequested', data: { messageId: 'm-1', channel: 'email', subject: 'Trip', body: 'Coats please', audience: { kind: 'contacts', contactIds: ['c-1', 'c-2'] }, purpose: 'message' } },
      { type: 'MessageSendFailed', data: { messageId: 'm-1', contactId: 'c-1', error: `550 unknown user ${PERSON_A.email}` } },
      { type: 'RecipientInDoubt', data: { messageId: 'm-1', contactId: 'c-2', detail: quoted } },
    ]);
    const { sealed } = await shredder.seal(streamId, events);
    expect(JSON.stringify(sealed)).not.toContain(PERSON_A.email);
    expect(sealed.map((x) => keyIdOf(x.personal!.slice(1)))).toEqual([keys.keys.get(streamId)!.id, keys.keys.get(contactStream('c-1'))!.id, keys.keys.get(contactStream('c-2'))!.id]);
    const rows = () => events.map((e, i) => ({ ...e, streamId, version: i, position: i + 1, data: structuredClone(sealed[i]!.data), personal: sealed[i]!.personal }));
    expect((await shredder.open(rows()))[2]!.data).toMatchObject({ detail: quoted, contactId: 'c-2' });
    // Erasing the recipient in doubt erases what was said about them, and nothing else.
    await shredder.forget(contactStream('c-2'));
    const after = await shredder.open(rows());
    expect(after[2]!.data).toMatchObject({ detail: ERASED, contactId: 'c-2' });
    expect(after[1]!.data).toMatchObject({ error: `550 unknown user ${PERSON_A.email}` });
    expect(after[0]!.data).toMatchObject({ body: 'Coats please' });
  });

  it('seals many streams with the keys of all their new subjects made in one call', async () => {
    const keys = mapKeyStore(true);
    const shredder = makeShredder(keys.store);
    const people = Array.from({ length: 5 }, (_, i) => contactHistory(`c-${i}`, { ...PERSON_A, email: `p${i}@example.org` }, 1));
    const plain = { streamId: 'import-run-1', events: [] };
    const sealed = await shredder.sealMany([...people, plain]);
    expect(keys.manyCalls()).toBe(1);
    expect(sealed.map((s) => s.keyIds)).toEqual([...people.map((p) => [keys.keys.get(p.streamId)!.id]), []]);
    // Known subjects are not asked for again.
    await shredder.sealMany(people);
    expect(keys.manyCalls()).toBe(1);
    const rows = people.flatMap((p, k) => p.events.map((e, i) => ({ ...e, streamId: p.streamId, version: i, position: k * 10 + i, data: structuredClone(sealed[k]!.sealed[i]!.data), personal: sealed[k]!.sealed[i]!.personal })));
    expect((await shredder.open(rows)).map((e) => e.data)).toEqual(people.flatMap((p) => p.events.map((e) => e.data)));
  });

  it('opens big reads on a worker thread, with the same results, erasures and refusals', async () => {
    const keys = mapKeyStore();
    let sent = 0;
    let made: BlobOpener | undefined;
    const counting = (): BlobOpener => {
      const inner = workerOpener();
      made = inner;
      return { ...inner, open: (k, items) => ((sent += items.length), inner.open(k, items)) };
    };
    const shredder = makeShredder(keys.store, { worker: counting });
    const inline = makeShredder(keys.store);
    try {
      const people = Array.from({ length: 60 }, (_, i) => contactHistory(`w-${i}`, { ...PERSON_A, email: `w${i}@example.org` }, 3));
      const sealed = await shredder.sealMany(people);
      const stored = people.flatMap((p, k) => p.events.map((e, i) => ({ ...e, streamId: p.streamId, version: i, position: k * 10 + i, data: sealed[k]!.sealed[i]!.data, personal: sealed[k]!.sealed[i]!.personal })));
      const rows = () => stored.map((r) => ({ ...r, data: structuredClone(r.data) }));
      const expected = people.flatMap((p) => p.events.map((e) => e.data));
      expect(stored.filter((r) => r.personal !== null).length).toBeGreaterThanOrEqual(128);
      // The first big read starts the worker and is opened here meanwhile.
      expect((await shredder.open(rows())).map((e) => e.data)).toEqual(expected);
      for (let i = 0; i < 200 && !made!.ready(); i++) await new Promise((r) => setTimeout(r, 10));
      expect(made!.ready()).toBe(true);
      expect((await shredder.open(rows())).map((e) => e.data)).toEqual(expected);
      expect(sent).toBeGreaterThanOrEqual(128);
      // Tampered and forgotten, through the worker, read as they do on the main thread.
      const tamper = () => {
        const t = rows();
        t[0] = { ...t[0]!, personal: t[1]!.personal };
        return t;
      };
      const tampered = tamper();
      await shredder.forget(people[1]!.streamId);
      await inline.forget(people[1]!.streamId);
      const before = sent;
      const viaWorker = await shredder.open(tampered);
      expect(sent).toBeGreaterThan(before);
      expect(viaWorker[0]!.data).toEqual(UNDECRYPTABLE);
      const forgotten = viaWorker.filter((e) => e.streamId === people[1]!.streamId);
      expect((forgotten[0]!.data as { name: unknown }).name).toEqual({ given: ERASED, family: ERASED });
      expect(viaWorker.map((e) => e.data)).toEqual((await inline.open(tamper())).map((e) => e.data));
    } finally {
      await shredder.close();
    }
  });
});
