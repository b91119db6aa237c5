/**
 * The message stream, kept in memory while a send runs: decide against the cached state and append
 * with the expected version, reloading only when another writer got in first. A send of 10,000
 * recipients writes thousands of events to one stream; folding it again for every write would be
 * quadratic.
 */
import * as E from 'fp-ts/lib/Either.js';
import {
  decodeEvent,
  eventIdFor,
  exactVersion,
  messageDecider,
  messageStream,
  schemaVersionOf,
  stampOf,
  type CommandContext,
  type EventMetadata,
  type HandleError,
  type HandlerDeps,
  type MessageCommand,
  type MessageEvent,
  type MessageState,
  type NewEvent,
  type Recorded,
} from '@contactable/core';

/** The cached message stream. */
export interface Ledger {
  /** The state as last read or written. */
  readonly state: () => MessageState;
  /** The log position of the request (MessageRequested), or null while none is recorded. */
  readonly requestedAt: () => number | null;
  /** Decides a command and appends what it decides; a refusal or an exhausted retry is returned, not thrown. */
  readonly record: (command: MessageCommand, commandId?: string) => Promise<E.Either<HandleError, void>>;
}

/** Reads a message stream and keeps it for writing. */
export const openLedger = async (
  deps: HandlerDeps,
  messageId: string,
  context: Omit<CommandContext, 'commandId'>,
): Promise<E.Either<HandleError, Ledger>> => {
  const streamId = messageStream(messageId);
  let state: MessageState = messageDecider.initialState;
  let version = -1;
  let requestedAt: number | null = null;

  const reload = async (): Promise<E.Either<HandleError, void>> => {
    let s: MessageState = messageDecider.initialState;
    let v = -1;
    for (const raw of await deps.store.readStream(streamId)) {
      const decoded = decodeEvent(raw);
      if (E.isLeft(decoded)) return decoded;
      s = messageDecider.evolve(s, decoded.right as unknown as Recorded<MessageEvent>);
      v = raw.version;
      if (raw.type === 'MessageRequested' && requestedAt === null) requestedAt = raw.position;
    }
    state = s;
    version = v;
    return E.right(undefined);
  };

  const loaded = await reload();
  if (E.isLeft(loaded)) return loaded;

  const write = async (command: MessageCommand, commandId: string): Promise<E.Either<HandleError, void>> => {
    for (let attempt = 1; attempt <= 8; attempt++) {
      const decided = messageDecider.decide(command, state);
      if (E.isLeft(decided)) return decided;
      if (decided.right.length === 0) return E.right(undefined);
      const metadata: EventMetadata = {
        ...stampOf(deps.clock),
        actor: context.actor,
        reason: context.reason ?? null,
        correlationId: context.correlationId ?? messageId,
        causationId: context.causationId ?? null,
        schoolId: context.schoolId,
      };
      const events: NewEvent[] = decided.right.map((e, i) => ({ id: eventIdFor(commandId, i), type: e.type, schemaVersion: schemaVersionOf(e.type), data: e.data, metadata }));
      const appended = await deps.store.append(streamId, events, exactVersion(version));
      if (E.isRight(appended)) {
        for (const e of decided.right) state = messageDecider.evolve(state, { ...e, metadata } as Recorded<MessageEvent>);
        version = appended.right.nextVersion;
        const at = decided.right.findIndex((e) => e.type === 'MessageRequested');
        if (at >= 0 && requestedAt === null) requestedAt = appended.right.positions[at] ?? null;
        return E.right(undefined);
      }
      const again = await reload();
      if (E.isLeft(again)) return again;
    }
    return E.left({ _tag: 'ConcurrencyExhausted', streamId, attempts: 8, message: `${streamId} kept changing under 8 attempts; run the send again.` });
  };

  // Writes from concurrent sends queue up, so each decides against the state the previous one left.
  let tail: Promise<unknown> = Promise.resolve();
  const record = (command: MessageCommand, commandId: string = deps.ids.next()): Promise<E.Either<HandleError, void>> => {
    const next = tail.then(() => write(command, commandId));
    tail = next.catch(() => undefined);
    return next;
  };

  return E.right({ state: () => state, requestedAt: () => requestedAt, record });
};
