/**
 * Personal data is marked in the codecs: a field whose codec is `Personal`
 * identifies a person (name, email address, phone number, MIS reference).
 * Stores walk events with `mapPersonal` to encrypt, decrypt or mask them.
 */
import * as t from 'io-ts';

/** The mask shown in place of personal data once it is erased (R-DEL-2, R-DEL-4). */
export const ERASED = 'XXXX';

class PersonalType extends t.Type<string, string, unknown> {
  readonly _personal = true as const;
  constructor() {
    super('Personal', t.string.is, t.string.validate, t.identity);
  }
}

/** A string that identifies a person; stores encrypt it per person. */
export const Personal: t.Type<string, string, unknown> = new PersonalType();

const isPersonal = (codec: t.Mixed): boolean => codec instanceof PersonalType;

/** Applies `f` to every personal string in `value`, guided by `codec`; other fields are returned untouched. */
export const mapPersonal = (codec: t.Mixed, value: unknown, f: (s: string) => string): unknown => {
  if (value === null || value === undefined) return value;
  if (isPersonal(codec)) return typeof value === 'string' ? f(value) : value;
  if (codec instanceof t.InterfaceType || codec instanceof t.PartialType) {
    if (typeof value !== 'object') return value;
    const props = codec.props as Record<string, t.Mixed>;
    const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
    for (const [key, prop] of Object.entries(props)) {
      if (key in out) out[key] = mapPersonal(prop, out[key], f);
    }
    return out;
  }
  if (codec instanceof t.ExactType || codec instanceof t.ReadonlyType || codec instanceof t.RefinementType) {
    return mapPersonal(codec.type as t.Mixed, value, f);
  }
  if (codec instanceof t.IntersectionType) {
    return (codec.types as t.Mixed[]).reduce<unknown>((acc, member) => mapPersonal(member, acc, f), value);
  }
  if (codec instanceof t.UnionType) {
    const member = (codec.types as t.Mixed[]).find((m) => m.is(value));
    return member === undefined ? value : mapPersonal(member, value, f);
  }
  if (codec instanceof t.ArrayType || codec instanceof t.ReadonlyArrayType) {
    return Array.isArray(value) ? value.map((v) => mapPersonal(codec.type as t.Mixed, v, f)) : value;
  }
  if (codec instanceof t.DictionaryType) {
    if (typeof value !== 'object') return value;
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, mapPersonal(codec.codomain as t.Mixed, v, f)]),
    );
  }
  return value;
};

/** True when the codec has at least one personal field anywhere inside it. */
export const hasPersonal = (codec: t.Mixed): boolean => {
  if (isPersonal(codec)) return true;
  if (codec instanceof t.InterfaceType || codec instanceof t.PartialType) {
    return Object.values(codec.props as Record<string, t.Mixed>).some(hasPersonal);
  }
  if (codec instanceof t.ExactType || codec instanceof t.ReadonlyType || codec instanceof t.RefinementType) {
    return hasPersonal(codec.type as t.Mixed);
  }
  if (codec instanceof t.IntersectionType || codec instanceof t.UnionType) {
    return (codec.types as t.Mixed[]).some(hasPersonal);
  }
  if (codec instanceof t.ArrayType || codec instanceof t.ReadonlyArrayType) return hasPersonal(codec.type as t.Mixed);
  if (codec instanceof t.DictionaryType) return hasPersonal(codec.codomain as t.Mixed);
  return false;
};
