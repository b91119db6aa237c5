/** Several commands against one stream decided as one, so an import appends one batch per stream. */
import * as E from 'fp-ts/lib/Either.js';
import type { Decider } from '../decider.js';
import type { DomainError } from '../errors.js';
import type { Recorded } from '../events/catalogue.js';

// evolve reads metadata only to stamp times on records; what is decided never depends on it.
const placeholder = {
  occurredAt: '1970-01-01T00:00:00.000Z',
  actor: { kind: 'system' as const, name: 'plan' },
  reason: null,
  correlationId: '',
  causationId: null,
  schoolId: '',
};

/** A decider whose command is a list of the inner decider's commands, decided in order against the evolving state. */
export const sequenceDecider = <C, Ev extends { readonly type: string; readonly data: unknown }, S>(
  inner: Decider<C, Ev, S>,
): Decider<ReadonlyArray<C>, Ev, S> => ({
  initialState: inner.initialState,
  evolve: inner.evolve,
  decide: (commands, state) => {
    let s = state;
    const all: Ev[] = [];
    for (const c of commands) {
      const decided: E.Either<DomainError, ReadonlyArray<Ev>> = inner.decide(c, s);
      if (E.isLeft(decided)) return decided;
      for (const ev of decided.right) {
        s = inner.evolve(s, { ...ev, metadata: placeholder } as Recorded<Ev>);
        all.push(ev);
      }
    }
    return E.right(all);
  },
});
