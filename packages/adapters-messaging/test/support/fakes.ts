/** In-memory providers and a store that "crashes" on cue, for send tests and laws. */
import * as E from 'fp-ts/lib/Either.js';
import type { EventStore, NewEvent } from '@contactable/core';
import type { Accepted, EmailProvider, OutboundMessage, ProviderError, SmsProvider } from '@contactable/adapters-messaging';

/** The process died here: nothing after this point happens. */
export class Crash extends Error {
  constructor() {
    super('simulated crash');
  }
}

/** A provider that records every message it takes; `answer` decides each reply (default: accept). */
export interface FakeProvider<P> {
  readonly provider: P;
  readonly sent: OutboundMessage[];
  answer: (m: OutboundMessage, n: number) => E.Either<ProviderError, Accepted>;
}

const fake = <C extends 'email' | 'sms'>(channel: C, name = 'fake') => {
  const sent: OutboundMessage[] = [];
  const f = {
    sent,
    answer: (_m: OutboundMessage, n: number): E.Either<ProviderError, Accepted> => E.right({ providerMessageId: `${name}-${n}` }),
    provider: {
      name,
      channel,
      send: async (m: OutboundMessage) => {
        const r = f.answer(m, sent.length);
        if (E.isRight(r)) sent.push(m);
        return r;
      },
    },
  };
  return f;
};

/** A fake email provider. */
export const fakeEmail = (name?: string): FakeProvider<EmailProvider> => fake('email', name) as FakeProvider<EmailProvider>;
/** A fake text provider. */
export const fakeSms = (name?: string): FakeProvider<SmsProvider> => fake('sms', name) as FakeProvider<SmsProvider>;

/** A view of a store whose appends throw `Crash` from the moment `when` says so, for ever after. */
export const crashingStore = (
  store: EventStore,
  when: (streamId: string, events: ReadonlyArray<NewEvent>, n: number) => boolean,
): { readonly store: EventStore; readonly crashed: () => boolean } => {
  let crashed = false;
  let n = 0;
  return {
    crashed: () => crashed,
    store: {
      ...store,
      append: async (streamId, events, expected) => {
        if (crashed || when(streamId, events, n++)) {
          crashed = true;
          throw new Crash();
        }
        return store.append(streamId, events, expected);
      },
    },
  };
};

/** A provider that dies with the process: after the crash it sends nothing. */
export const dyingWith = <P extends EmailProvider | SmsProvider>(provider: P, crashed: () => boolean): P => ({
  ...provider,
  send: async (m) => {
    if (crashed()) throw new Crash();
    return provider.send(m);
  },
});
