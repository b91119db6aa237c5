/**
 * The command handler: read the stream, fold, decide, append with the expected
 * version; on a conflict (another writer got there first) do it all again, a
 * bounded number of times. Event ids come from the command id, so a command
 * retried after a crash writes nothing twice (R-OPS-2).
 */
import * as E from 'fp-ts/lib/Either.js';
import type { Clock } from './clock.js';
import type { Decider } from './decider.js';
import { domainError, type DomainError } from './errors.js';
import { decodeEvent, schemaVersionOf, type Recorded, type StoredEvent, type UndecodableEvent } from './events/catalogue.js';
import { isReasonCode, stampOf, type Actor, type EventMetadata } from './events/metadata.js';
import { eventIdFor, type IdSource } from './idSource.js';
import { exactVersion, lastVersion, type EventStore, type NewEvent } from './store/port.js';

/** What the handler needs from the edges. */
export interface HandlerDeps {
  readonly store: EventStore;
  readonly clock: Clock;
  readonly ids: IdSource;
}

/** Who asks, why, and how the command relates to others (R-AUD-1). */
export interface CommandContext {
  readonly schoolId: string;
  readonly actor: Actor;
  /** Free text (a person's words, a provider's text): personal data, sealed and erased with the person the event concerns. */
  readonly reason?: string | null;
  /** A short non-personal code kept in the clear (`phoned-to-stop`, `bounce`, `MIS import`), so the audit still says why after erasure. */
  readonly reasonCode?: string;
  /** Give a deterministic id (e.g. from a provider's event id) to make a re-run idempotent. */
  readonly commandId?: string;
  readonly correlationId?: string;
  readonly causationId?: string | null;
}

/** Other writers kept winning the race: try again later. */
export interface ConcurrencyExhausted {
  readonly _tag: 'ConcurrencyExhausted';
  readonly streamId: string;
  readonly attempts: number;
  readonly message: string;
}

/** Why a command did not land. */
export type HandleError = DomainError | ConcurrencyExhausted | UndecodableEvent;

/** What a handled command wrote and the stream's state after it. */
export interface Handled<S> {
  readonly appended: ReadonlyArray<StoredEvent>;
  readonly state: S;
  readonly version: number;
}

/** The metadata every event of one command carries: when (from the clock), who, why, and what it follows from. */
export const metadataFor = (clock: Clock, context: CommandContext, correlationId: string): EventMetadata => ({
  ...stampOf(clock),
  actor: context.actor,
  reason: context.reason ?? null,
  ...(context.reasonCode === undefined ? {} : { reasonCode: context.reasonCode }),
  correlationId: context.correlationId ?? correlationId,
  causationId: context.causationId ?? null,
  schoolId: context.schoolId,
});

/** A command's decided events, ready to append: ids derived from the command's id, so a retry writes the same ids. */
export const newEventsOf = (commandId: string, decided: ReadonlyArray<{ readonly type: string; readonly data: unknown }>, metadata: EventMetadata): NewEvent[] =>
  decided.map((e, i) => ({ id: eventIdFor(commandId, i), type: e.type, schemaVersion: schemaVersionOf(e.type), data: e.data, metadata }));

/** Reads and folds a stream; an event that no longer decodes is an error naming its stream and position. */
export const loadStream = async <C, Ev extends { type: string; data: unknown }, S>(
  store: EventStore,
  decider: Decider<C, Ev, S>,
  streamId: string,
): Promise<E.Either<UndecodableEvent, { state: S; version: number }>> => {
  const raw = await store.readStream(streamId);
  let state = decider.initialState;
  for (const r of raw) {
    const decoded = decodeEvent(r);
    if (E.isLeft(decoded)) return decoded;
    state = decider.evolve(state, decoded.right as unknown as Recorded<Ev>);
  }
  return E.right({ state, version: lastVersion(raw) });
};

/** Handles one command against one stream. */
export const handleCommand = async <C, Ev extends { type: string; data: unknown }, S>(
  deps: HandlerDeps,
  decider: Decider<C, Ev, S>,
  streamId: string,
  command: C,
  context: CommandContext,
  options: {
    readonly maxAttempts?: number;
    /** The stream's state and version as the caller already holds them: the first attempt skips the read (a conflict re-reads). */
    readonly known?: { readonly state: S; readonly version: number };
  } = {},
): Promise<E.Either<HandleError, Handled<S>>> => {
  const maxAttempts = options.maxAttempts ?? 8;
  // Codes are stored in the clear: a sentence (which may name someone) belongs in the sealed reason.
  if (context.reasonCode !== undefined && !isReasonCode(context.reasonCode)) {
    return E.left(domainError('invalid-command', 'A reason code is a short code (letters, digits, spaces and -, at most 40); put the words in the reason.'));
  }
  const commandId = context.commandId ?? deps.ids.next();
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const loaded = attempt === 1 && options.known !== undefined ? E.right(options.known) : await loadStream(deps.store, decider, streamId);
    if (E.isLeft(loaded)) return loaded;
    const { state, version } = loaded.right;
    const decided = decider.decide(command, state);
    if (E.isLeft(decided)) return decided;
    if (decided.right.length === 0) return E.right({ appended: [], state, version });
    const metadata = metadataFor(deps.clock, context, commandId);
    const events = newEventsOf(commandId, decided.right, metadata);
    const appended = await deps.store.append(streamId, events, exactVersion(version));
    if (E.isLeft(appended)) continue;
    const stored: StoredEvent[] = events.map((e, i) => ({
      id: e.id,
      streamId,
      version: version + 1 + i,
      position: appended.right.positions[i] ?? -1,
      type: e.type,
      data: e.data,
      metadata,
    }) as StoredEvent);
    const next = stored.reduce((s, e) => decider.evolve(s, e as unknown as Recorded<Ev>), state);
    return E.right({ appended: stored, state: next, version: appended.right.nextVersion });
  }
  return E.left({
    _tag: 'ConcurrencyExhausted',
    streamId,
    attempts: maxAttempts,
    message: `${streamId} kept changing under ${maxAttempts} attempts; run the command again.`,
  });
};

/** A message for any handler error, fit for an office (no personal data). */
export const describeHandleError = (e: HandleError): string => e.message;

/** What one stream of a command that spans streams decides: its events, at the version they were decided at. */
export interface StreamDecision {
  readonly streamId: string;
  readonly events: ReadonlyArray<{ readonly type: string; readonly data: unknown }>;
}

/** A stream a command spanning streams reads, folded by its decider. */
export interface StreamToLoad {
  readonly streamId: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly decider: Decider<any, any, any>;
}

/**
 * Handles a command that spans streams (joining two contacts, splitting one): read every stream, decide
 * (pure, from all their states), append. Where the store appends to several streams in one transaction
 * the whole is all or nothing; elsewhere stream by stream in the order given, and a re-run (same command
 * id) finishes what a crash left, since each stream's decision is idempotent. A conflict re-reads and
 * decides again, a bounded number of times.
 */
export const handleAcross = async (
  deps: HandlerDeps,
  load: ReadonlyArray<StreamToLoad>,
  decide: (states: ReadonlyMap<string, unknown>) => E.Either<DomainError, ReadonlyArray<StreamDecision>>,
  context: CommandContext,
  options: { readonly maxAttempts?: number } = {},
): Promise<E.Either<HandleError, ReadonlyArray<StoredEvent>>> => {
  const maxAttempts = options.maxAttempts ?? 8;
  if (context.reasonCode !== undefined && !isReasonCode(context.reasonCode)) {
    return E.left(domainError('invalid-command', 'A reason code is a short code (letters, digits, spaces and -, at most 40); put the words in the reason.'));
  }
  const commandId = context.commandId ?? deps.ids.next();
  let contended = load[0]?.streamId ?? '';
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const states = new Map<string, unknown>();
    const versions = new Map<string, number>();
    for (const { streamId, decider } of load) {
      const loaded = await loadStream(deps.store, decider, streamId);
      if (E.isLeft(loaded)) return loaded;
      states.set(streamId, loaded.right.state);
      versions.set(streamId, loaded.right.version);
    }
    const decided = decide(states);
    if (E.isLeft(decided)) return decided;
    const metadata = metadataFor(deps.clock, context, commandId);
    const batches = decided.right
      .filter((d) => d.events.length > 0)
      .map((d) => {
        const version = versions.get(d.streamId) ?? -1;
        return {
          streamId: d.streamId,
          expected: exactVersion(version),
          version,
          events: newEventsOf(`${commandId}/${d.streamId}`, d.events, metadata),
        };
      });
    if (batches.length === 0) return E.right([]);
    const stored: StoredEvent[] = [];
    const land = (b: (typeof batches)[number], positions: ReadonlyArray<number>): void => {
      b.events.forEach((e, i) => stored.push({ id: e.id, streamId: b.streamId, version: b.version + 1 + i, position: positions[i] ?? -1, type: e.type, data: e.data, metadata } as StoredEvent));
    };
    if (deps.store.appendMany !== undefined) {
      const written = await deps.store.appendMany(batches);
      if (E.isLeft(written)) {
        contended = written.left.streamId;
        continue;
      }
      batches.forEach((b, i) => land(b, written.right[i]!.positions));
      return E.right(stored);
    }
    let conflict = false;
    for (const b of batches) {
      const written = await deps.store.append(b.streamId, b.events, b.expected);
      if (E.isLeft(written)) {
        contended = b.streamId;
        conflict = true;
        break;
      }
      land(b, written.right.positions);
    }
    if (!conflict) return E.right(stored);
  }
  return E.left({
    _tag: 'ConcurrencyExhausted',
    streamId: contended,
    attempts: maxAttempts,
    message: `${contended} kept changing under ${maxAttempts} attempts; run the command again.`,
  });
};
