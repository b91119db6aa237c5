/** The decider pattern: `decide` turns a command and state into events; `evolve` folds an event into state. */
import type { Either } from 'fp-ts/lib/Either.js';
import type { Recorded } from './events/catalogue.js';
import type { DomainError } from './errors.js';

/** A stream's rules as three pure parts. */
export interface Decider<C, Ev extends { readonly type: string; readonly data: unknown }, S> {
  readonly decide: (command: C, state: S) => Either<DomainError, ReadonlyArray<Ev>>;
  readonly evolve: (state: S, event: Recorded<Ev>) => S;
  readonly initialState: S;
}

/** Folds recorded events into a state, starting from the decider's initial state. */
export const fold = <C, Ev extends { readonly type: string; readonly data: unknown }, S>(
  decider: Decider<C, Ev, S>,
  events: Iterable<Recorded<Ev>>,
): S => {
  let state = decider.initialState;
  for (const e of events) state = decider.evolve(state, e);
  return state;
};
