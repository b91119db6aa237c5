/** The event catalogue: every event type, how to decode a stored one, and where its personal data is. */
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { PathReporter } from 'io-ts/lib/PathReporter.js';
import { mapPersonal, hasPersonal } from '../personal.js';
import { contactEvents, type ContactEvent } from './contact.js';
import type { EventDefinition } from './define.js';
import { groupEvents, type GroupEvent } from './group.js';
import { importRunEvents, type ImportRunEvent } from './importRun.js';
import { memberEvents, type MemberEvent } from './member.js';
import { messageEvents, type MessageEvent } from './message.js';
import { EventMetadata } from './metadata.js';
import { callbackEvents, type CallbackEvent } from './callback.js';
import { schoolEvents, type SchoolEvent } from './school.js';
import { staffEvents, type StaffEvent } from './staff.js';

/** Every event the core knows. */
export type DomainEvent = MemberEvent | ContactEvent | GroupEvent | SchoolEvent | ImportRunEvent | MessageEvent | StaffEvent | CallbackEvent;
/** The name of an event type. */
export type EventType = DomainEvent['type'];
/** The event of one type. */
export type EventOfType<T extends EventType> = Extract<DomainEvent, { type: T }>;

/** An event with its metadata: what deciders' `evolve` folds. */
export type Recorded<Ev extends { type: string; data: unknown } = DomainEvent> = Ev & { readonly metadata: EventMetadata };

/** A decoded stored event: the event, its metadata and where it sits in the log. */
export type StoredEvent<Ev extends { type: string; data: unknown } = DomainEvent> = Recorded<Ev> & {
  readonly id: string;
  readonly streamId: string;
  /** The event's revision in its stream, from 0. */
  readonly version: number;
  /** The event's global position, strictly increasing in commit order. */
  readonly position: number;
};

const allDefinitions: ReadonlyArray<EventDefinition> = [
  ...memberEvents,
  ...contactEvents,
  ...groupEvents,
  ...schoolEvents,
  ...importRunEvents,
  ...messageEvents,
  ...staffEvents,
  ...callbackEvents,
];

/** Every event definition by type. */
export const catalogue: ReadonlyMap<string, EventDefinition> = new Map(allDefinitions.map((d) => [d.type, d]));

/** The current schema version of an event type (1 for an unknown type). */
export const schemaVersionOf = (type: string): number => catalogue.get(type)?.version ?? 1;

/** Why a stored event could not be read; names the stream, position and fields, never the values. */
export interface UndecodableEvent {
  readonly _tag: 'UndecodableEvent';
  readonly streamId: string;
  readonly position: number;
  readonly version: number;
  readonly type: string;
  readonly message: string;
}

/** The raw shape a store hands back (data possibly of an older schema version). */
export interface RawEventLike {
  readonly id: string;
  readonly streamId: string;
  readonly version: number;
  readonly position: number;
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: unknown;
  readonly metadata: unknown;
}

const undecodable = (raw: RawEventLike, message: string): UndecodableEvent => ({
  _tag: 'UndecodableEvent',
  streamId: raw.streamId,
  position: raw.position,
  version: raw.version,
  type: raw.type,
  message: `event ${raw.type} at ${raw.streamId}@${raw.version} (position ${raw.position}) does not decode: ${message}`,
});

// Paths only: io-ts messages would print the offending values, which may be personal data.
const describeErrors = (errors: t.Errors): string =>
  [
    ...new Set(
      errors.map((e) => {
        const path = e.context
          .map((c) => c.key)
          .filter((k) => k !== '' && !/^\d+$/.test(k))
          .join('.');
        const expected = e.context[e.context.length - 1]?.type.name ?? 'value';
        return `${path || '(root)'} is not a valid ${expected}`;
      }),
    ),
  ].join('; ');

/** Upcasts old data to the current version, then decodes data and metadata. */
export const decodeEvent = (raw: RawEventLike): E.Either<UndecodableEvent, StoredEvent> => {
  const def = catalogue.get(raw.type);
  if (def === undefined) return E.left(undecodable(raw, 'unknown event type'));
  if (raw.schemaVersion < 1 || raw.schemaVersion > def.version) {
    return E.left(undecodable(raw, `schema version ${raw.schemaVersion} is not between 1 and ${def.version}`));
  }
  let data = raw.data;
  try {
    for (let v = raw.schemaVersion; v < def.version; v++) data = def.upcasters[v - 1]!(data);
  } catch {
    return E.left(undecodable(raw, `upcasting from version ${raw.schemaVersion} failed`));
  }
  const decodedData = def.codec.decode(data);
  if (E.isLeft(decodedData)) return E.left(undecodable(raw, `data: ${describeErrors(decodedData.left)}`));
  const decodedMeta = EventMetadata.decode(raw.metadata);
  if (E.isLeft(decodedMeta)) return E.left(undecodable(raw, `metadata: ${describeErrors(decodedMeta.left)}`));
  return E.right({
    id: raw.id,
    streamId: raw.streamId,
    version: raw.version,
    position: raw.position,
    type: raw.type,
    data: decodedData.right,
    metadata: decodedMeta.right,
  } as StoredEvent);
};

/** Checks an event's data against its codec (what a decider emits must always pass). */
export const validateEvent = (event: { type: string; data: unknown }): E.Either<string, unknown> => {
  const def = catalogue.get(event.type);
  if (def === undefined) return E.left(`unknown event type ${event.type}`);
  const r = def.codec.decode(event.data);
  return E.isLeft(r) ? E.left(PathReporter.report(r).join('; ').replace(/value .*? supplied/g, 'a value supplied')) : E.right(r.right);
};

/** Applies `f` to each personal field of an event's data (encrypt, decrypt or mask); unknown types pass through. */
export const mapEventPersonal = (type: string, data: unknown, f: (s: string) => string): unknown => {
  const def = catalogue.get(type);
  return def === undefined ? data : mapPersonal(def.codec, data, f);
};

/** True when events of this type carry personal data. */
export const carriesPersonal = (type: string): boolean => {
  const def = catalogue.get(type);
  return def !== undefined && hasPersonal(def.codec);
};
