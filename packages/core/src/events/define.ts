/** How an event type is declared: its name, schema version, data codec and upcasters. */
import * as t from 'io-ts';

/** A function that turns data of schema version n into version n + 1. */
export type Upcaster = (data: unknown) => unknown;

/** One event type of the catalogue. */
export interface EventDefinition<T extends string = string, C extends t.Mixed = t.Mixed> {
  readonly type: T;
  /** The schema version written today; older stored versions are upcast on read, never rewritten. */
  readonly version: number;
  readonly codec: C;
  /** upcasters[i] turns version i + 1 into version i + 2. */
  readonly upcasters: ReadonlyArray<Upcaster>;
}

/** Declares an event type. */
export const defineEvent = <T extends string, C extends t.Mixed>(
  type: T,
  codec: C,
  upcasters: ReadonlyArray<Upcaster> = [],
): EventDefinition<T, C> => ({ type, version: upcasters.length + 1, codec, upcasters });

/** The `{ type, data }` shape of an event of a definition. */
export type EventOf<D> = D extends EventDefinition<infer T, infer C> ? { readonly type: T; readonly data: t.TypeOf<C> } : never;
