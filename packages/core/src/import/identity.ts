/**
 * One person, one contact (R-LNK-1, R-CON-2): which records of an export are the same person, and
 * which contact each one is. Pure and deterministic: the same export in any order gives the same
 * answer, and what the school already holds keeps its ids.
 *
 * The rule, as an office manager would put it:
 * - Records the export itself says are one (the same MIS contact id, OneRoster sourcedId, SIMS
 *   Contact ID) are one person. Records with two different ids of the export's own are two people.
 * - A record with no id of its own (a plain CTF lists each pupil's contacts with only their order)
 *   is the same person as another record, or a contact already held, when the names match (case,
 *   spacing, accents and titles aside) and they share an email address or a mobile number.
 * - Staff decisions stand: a contact staff split off is never joined back by a sync.
 * Contacts the school already holds that turn out to be one person are joined (the lowest id stays).
 */
import { sourceKey, type ContactState } from '../deciders/contact.js';
import { isValidEmail, normaliseMobile } from '../details.js';
import type { ContactSourceRef, IdentityMatch } from '../events/contact.js';
import { contactIdFor } from '../idSource.js';
import type { ContactId, SchoolId } from '../ids.js';
import { normalisedName } from '../names.js';
import type { HeldStream } from './held.js';
import type { MisContact, PhoneRegion } from './snapshot.js';

/** A contact record of the export, as identity matching reads it. */
export interface IdentityRecord {
  readonly contact: MisContact;
  /** The export gave no id for it: its id says where it stood, not who it is. */
  readonly positional: boolean;
}

/** Which contact each record is, and what the school must join to get there. */
export interface Identities {
  /** Record external id -> the contact that is this person (before any split for one member). */
  readonly contactOf: ReadonlyMap<string, ContactId>;
  /** Contact -> why its records were taken to be one person (only for contacts of two or more records). */
  readonly because: ReadonlyMap<ContactId, IdentityMatch>;
  /** Held contacts found to be another held contact's person: absorbed -> the one that stays. */
  readonly merges: ReadonlyMap<ContactId, ContactId>;
}

const REF = 'r';
const HELD = 'h';

// The usable addresses of a record, for matching only: what the import keeps is chosen elsewhere (R-IMP-3, R-IMP-4).
const emailKeys = (c: MisContact): string[] => [...new Set(c.emails.map((e) => e.value.trim().toLowerCase()).filter((v) => v !== '' && isValidEmail(v)))];

// 07xxx xxxxxx or +44 7xxx xxxxxx to E.164 without the full parse; anything else the full parse decides.
const quickMobile = (raw: string, region: PhoneRegion): string | null => {
  const digits = raw.replace(/[\s()-]/g, '');
  if (region === 'GB' && /^07\d{9}$/.test(digits)) return `+44${digits.slice(1)}`;
  if (/^\+447\d{9}$/.test(digits)) return digits;
  return normaliseMobile(raw, region);
};
const mobileKeys = (c: MisContact, region: PhoneRegion): string[] =>
  [...new Set(c.phones.filter((p) => p.location.trim().toLowerCase() === 'mobile').flatMap((p) => {
    const m = quickMobile(p.value, region);
    return m === null ? [] : [m];
  }))];

const heldKeys = (c: ContactState): { email: string | null; mobile: string | null } =>
  c.status !== 'active'
    ? { email: null, mobile: null }
    : {
        email: c.email !== null && c.email.valid ? c.email.value.toLowerCase() : null,
        mobile: c.mobile !== null && c.mobile.valid ? c.mobile.value : null,
      };

/** Union-find over string nodes, remembering which kinds of match joined each set. */
class Sets {
  private readonly parent = new Map<string, string>();
  find(x: string): string {
    if (!this.parent.has(x)) {
      this.parent.set(x, x);
      return x;
    }
    let root = x;
    while (this.parent.get(root) !== root) root = this.parent.get(root)!;
    for (let n = x; n !== root; ) {
      const next = this.parent.get(n)!;
      this.parent.set(n, root);
      n = next;
    }
    return root;
  }
  union(a: string, b: string): void {
    const ra = this.find(a);
    const rb = this.find(b);
    // The smaller key is the root, so a set's root is the same whatever the order of unions.
    if (ra < rb) this.parent.set(rb, ra);
    else if (rb < ra) this.parent.set(ra, rb);
  }
}

const matchOf = (kinds: ReadonlySet<'email' | 'mobile' | 'id'>): IdentityMatch =>
  kinds.has('email') && kinds.has('mobile') ? 'same-name-email-and-mobile' : kinds.has('email') ? 'same-name-and-email' : kinds.has('mobile') ? 'same-name-and-mobile' : 'same-id';

/** The live contact a held one stands for now: itself, or the one it was joined into (followed to the end). */
export const liveContact = (held: ReadonlyMap<ContactId, HeldStream<ContactState>>, id: ContactId): ContactId => {
  let at = id;
  for (let hops = 0; hops < 64; hops++) {
    const s = held.get(at)?.state;
    if (s === undefined || s.status !== 'merged' || s.mergedInto === null) return at;
    at = s.mergedInto;
  }
  return at;
};

/** Decides which contact each record of an export is. */
export const resolveIdentities = (
  schoolId: SchoolId,
  system: string,
  region: PhoneRegion,
  records: ReadonlyArray<IdentityRecord>,
  held: ReadonlyMap<ContactId, HeldStream<ContactState>>,
): Identities => {
  const sorted = [...records].sort((a, b) => (a.contact.externalId < b.contact.externalId ? -1 : a.contact.externalId > b.contact.externalId ? 1 : 0));
  const sets = new Sets();
  const edges: Array<readonly [string, string, 'email' | 'mobile' | 'id']> = [];
  const join = (a: string, b: string, kind: 'email' | 'mobile' | 'id'): void => {
    sets.union(a, b);
    edges.push([a, b, kind]);
  };
  const node = (ext: string): string => `${REF}${ext}`;

  // What the school holds of this system: which contact each record id belongs to, and who is who by name and address.
  const owner = new Map<string, ContactId>();
  const heldByKey = new Map<string, ContactId[]>();
  const heldExplicit = new Set<ContactId>();
  for (const [id, { state }] of held) {
    if (state.status === 'absent' || state.schoolId !== schoolId) continue;
    for (const s of state.sources) {
      if (s.system !== system) continue;
      owner.set(sourceKey(s), id);
      if (s.positional !== true) heldExplicit.add(id);
    }
    if (state.status !== 'active' || state.source.kind !== 'mis') continue;
    const name = normalisedName(state.name);
    const { email, mobile } = heldKeys(state);
    for (const k of [email === null ? null : `${name}\u0000e:${email}`, mobile === null ? null : `${name}\u0000m:${mobile}`]) {
      if (k === null) continue;
      const list = heldByKey.get(k);
      if (list === undefined) heldByKey.set(k, [id]);
      else list.push(id);
    }
  }

  // 1. Records with no id of their own are one person when name and an address match.
  const keysOf = new Map<string, string[]>();
  const byKey = new Map<string, { positional: string[]; explicit: string[] }>();
  for (const r of sorted) {
    const ext = r.contact.externalId;
    sets.find(node(ext));
    const name = normalisedName(r.contact.name);
    const keys = name === '' ? [] : [...emailKeys(r.contact).map((e) => `${name}\u0000e:${e}`), ...mobileKeys(r.contact, region).map((m) => `${name}\u0000m:${m}`)];
    keysOf.set(ext, keys);
    for (const k of keys) {
      let entry = byKey.get(k);
      if (entry === undefined) byKey.set(k, (entry = { positional: [], explicit: [] }));
      (r.positional ? entry.positional : entry.explicit).push(ext);
    }
  }
  const kindOf = (k: string): 'email' | 'mobile' => (k.includes('\u0000e:') ? 'email' : 'mobile');
  for (const [k, { positional }] of byKey) for (let i = 1; i < positional.length; i++) join(node(positional[0]!), node(positional[i]!), kindOf(k));
  // 2. ...and the same person as the one record with an id of its own that matches them; two such records are two people, so then neither.
  const explicitFor = new Map<string, Map<string, 'email' | 'mobile'>>();
  for (const [k, { positional, explicit }] of byKey) {
    if (positional.length === 0 || explicit.length === 0) continue;
    const root = sets.find(node(positional[0]!));
    let found = explicitFor.get(root);
    if (found === undefined) explicitFor.set(root, (found = new Map()));
    for (const e of explicit) found.set(e, kindOf(k));
  }
  for (const [root, found] of explicitFor) {
    const distinct = [...new Set([...found.keys()].map((e) => sets.find(node(e))))];
    if (distinct.length === 1) {
      const [ext, kind] = [...found.entries()][0]!;
      join(root, node(ext), kind);
    }
  }
  // 3. Records the school already holds belong to their contact; a record with no id of its own also to
  //    a held contact with the same name and address (unless both have ids of their own: two people).
  const adjacent = new Map<string, Set<ContactId>>();
  const hnode = (id: ContactId): string => `${HELD}${id}`;
  for (const r of sorted) {
    const ext = r.contact.externalId;
    const near = new Set<ContactId>();
    const own = owner.get(sourceKey({ system, externalId: ext }));
    if (own !== undefined) {
      const live = liveContact(held, own);
      near.add(live);
      join(node(ext), hnode(live), 'id');
    }
    for (const k of keysOf.get(ext)!) {
      for (const h of heldByKey.get(k) ?? []) {
        if (!r.positional && heldExplicit.has(h) && own !== h) continue;
        const live = liveContact(held, h);
        near.add(live);
        join(node(ext), hnode(live), kindOf(k));
      }
    }
    adjacent.set(ext, near);
  }

  // 4. Each set of records and held contacts is one contact: the lowest held id that is still active stays.
  const members = new Map<string, { exts: string[]; held: Set<ContactId> }>();
  for (const r of sorted) {
    const root = sets.find(node(r.contact.externalId));
    let m = members.get(root);
    if (m === undefined) members.set(root, (m = { exts: [], held: new Set() }));
    m.exts.push(r.contact.externalId);
    for (const h of adjacent.get(r.contact.externalId)!) m.held.add(h);
  }
  const kinds = new Map<string, Set<'email' | 'mobile' | 'id'>>();
  for (const [a, , kind] of edges) {
    const root = sets.find(a);
    let k = kinds.get(root);
    if (k === undefined) kinds.set(root, (k = new Set()));
    k.add(kind);
  }
  const contactOf = new Map<string, ContactId>();
  const because = new Map<ContactId, IdentityMatch>();
  const merges = new Map<ContactId, ContactId>();
  const stateOf = (id: ContactId): ContactState | undefined => held.get(id)?.state;
  const apart = (a: ContactId, b: ContactId): boolean => {
    const sa = stateOf(a);
    const sb = stateOf(b);
    return (sa !== undefined && sa.status !== 'absent' && sa.apart.has(b)) || (sb !== undefined && sb.status !== 'absent' && sb.apart.has(a));
  };
  for (const [root, { exts, held: heldIds }] of members) {
    const ids = [...heldIds].sort();
    const conflicted = ids.some((a, i) => ids.slice(i + 1).some((b) => apart(a, b)));
    if (conflicted) {
      // Staff said some of these are different people: nothing is joined; each record keeps its own contact.
      for (const ext of exts) {
        const own = owner.get(sourceKey({ system, externalId: ext }));
        const near = [...adjacent.get(ext)!].sort();
        contactOf.set(ext, own !== undefined ? liveContact(held, own) : (near[0] ?? contactIdFor(schoolId, system, ext)));
      }
      continue;
    }
    const active = ids.filter((id) => stateOf(id)?.status === 'active');
    const stays = active[0] ?? ids[0] ?? contactIdFor(schoolId, system, exts[0]!);
    for (const id of active) if (id !== stays) merges.set(id, stays);
    for (const ext of exts) contactOf.set(ext, stays);
    if (exts.length + ids.length > 1) because.set(stays, matchOf(kinds.get(root) ?? new Set(['id'])));
  }
  return { contactOf, because, merges };
};

/** The export records of a contact as the store keeps them. */
export const sourceRefOf = (system: string, record: IdentityRecord): ContactSourceRef => ({
  system,
  externalId: record.contact.externalId,
  ...(record.positional ? { positional: true } : {}),
});
