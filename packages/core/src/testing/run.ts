/** Runs commands through a decider with no store: the pure heart of given/when/then tests and laws. */
import * as E from 'fp-ts/lib/Either.js';
import type { Decider } from '../decider.js';
import type { DomainError } from '../errors.js';
import type { Recorded } from '../events/catalogue.js';
import type { Actor, EventMetadata } from '../events/metadata.js';

/** Metadata for an event recorded at an instant by an actor. */
export const metadataAt = (occurredAt: string, actor: Actor = { kind: 'person', name: 'Test Office' }, schoolId = 'test-school'): EventMetadata => ({
  occurredAt,
  actor,
  reason: null,
  correlationId: 'test',
  causationId: null,
  schoolId,
});

/** The outcome of running a list of commands. */
export interface Run<Ev, S> {
  readonly events: ReadonlyArray<Recorded<Ev & { type: string; data: unknown }>>;
  readonly state: S;
  /** One entry per command: the events it decided, or the error that refused it. */
  readonly outcomes: ReadonlyArray<E.Either<DomainError, ReadonlyArray<Ev>>>;
}

/** Runs commands in order, one second apart from `start`, folding what each decides. */
export const runCommands = <C, Ev extends { type: string; data: unknown }, S>(
  decider: Decider<C, Ev, S>,
  commands: ReadonlyArray<C>,
  options: { readonly start?: string; readonly given?: ReadonlyArray<Recorded<Ev>>; readonly actor?: (c: C) => Actor } = {},
): Run<Ev, S> => {
  let ms = Date.parse(options.start ?? '2026-09-01T08:00:00.000Z');
  let state = decider.initialState;
  const events: Array<Recorded<Ev>> = [];
  for (const e of options.given ?? []) {
    state = decider.evolve(state, e);
    events.push(e);
  }
  const outcomes: Array<E.Either<DomainError, ReadonlyArray<Ev>>> = [];
  for (const command of commands) {
    const decided = decider.decide(command, state);
    outcomes.push(decided);
    if (E.isRight(decided)) {
      for (const ev of decided.right) {
        const recorded = { ...ev, metadata: metadataAt(new Date(ms).toISOString(), options.actor?.(command)) } as Recorded<Ev>;
        state = decider.evolve(state, recorded);
        events.push(recorded);
      }
    }
    ms += 1000;
  }
  return { events, state, outcomes };
};

/** Given past events, when a command is decided: the events or the error (Emmett-style scenario). */
export const given = <C, Ev extends { type: string; data: unknown }, S>(decider: Decider<C, Ev, S>, events: ReadonlyArray<Ev>) => {
  const recorded = events.map((e, i) => ({ ...e, metadata: metadataAt(new Date(Date.parse('2026-09-01T08:00:00.000Z') + i * 1000).toISOString()) }) as Recorded<Ev>);
  const state = recorded.reduce((s, e) => decider.evolve(s, e), decider.initialState);
  return {
    state,
    when: (command: C): E.Either<DomainError, ReadonlyArray<Ev>> => decider.decide(command, state),
  };
};
