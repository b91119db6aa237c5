/**
 * The Views port over read-model rows kept in a store: each answer reads the few rows it needs (by key,
 * by an indexed column, or by a hashed look-up), builds a projection holding just those, and answers with
 * the in-memory views' own code, so both answer alike. No answer reads the log.
 */
import { decodeEvent, nameSortKey, startOfLocalDay, normaliseMobile, normaliseNameText, type ContactId, type EventStore, type DataIssueFilter, type GroupRecord, type MemberId, type ReadModelSource, type RowRead, type SchoolState } from '@contactable/core';
import { COUNTED, EMAIL, MOBILE, byName } from '../dashboardCounters.js';
import type { DashboardView } from '../dashboard.js';
import { byString } from '../json.js';
import { memberSummary } from '../members.js';
import { createProjection, type DataIssue, type Projection, type StudentWithout } from '../state.js';
import { slotOf } from '../messages.js';
import { addDays, dayOf } from '../time.js';
import { projectionViews, type DataIssueRow, type Found, type FoundBy, type Views } from '../views.js';
import { contactEntryOf, idsOfList, memberEntryOf, numberOf, SCHOOL_KEY, staffAccountOf, TABLES, type IssueDoc, type SchoolDoc } from './model.js';

const distinct = <T>(xs: Iterable<T>): T[] => [...new Set(xs)];

/**
 * Views over the read-model rows of one school in a store; `refresh` runs before each answer (rows that
 * follow another store's log catch up there).
 */
export const rowViews = (source: ReadModelSource, schoolId: string, refresh?: () => Promise<void>): Views => {
  const views = rowViewsNow(source, schoolId);
  if (refresh === undefined) return views;
  const wrapped: Record<string, unknown> = {};
  for (const [name, f] of Object.entries(views)) {
    wrapped[name] = async (...args: unknown[]) => {
      await refresh();
      return (f as (...a: unknown[]) => Promise<unknown>)(...args);
    };
  }
  return wrapped as unknown as Views;
};

/**
 * Brings rows that follow another store's log (one that keeps no read models, such as EventStoreDB) up
 * to its head, a page at a time, each page and the position reached in one transaction.
 */
export const catchUpViews = async (log: EventStore, views: ReadModelSource, pageSize = 5_000): Promise<number> => {
  if (views.follow === undefined) throw new Error('these read models follow their own log only');
  let after = await views.position();
  for (;;) {
    const page = await log.readAll({ after, limit: pageSize });
    if (page.length === 0) return after;
    const events = page.flatMap((raw) => {
      const d = decodeEvent(raw);
      return d._tag === 'Right' ? [d.right] : [];
    });
    after = page[page.length - 1]!.position;
    await views.follow(events, after);
    if (page.length < pageSize) return after;
  }
};

const rowViewsNow = (source: ReadModelSource, schoolId: string): Views => {
  const schoolState = async (): Promise<SchoolState> => {
    const [row] = await source.get(TABLES.school, schoolId, [SCHOOL_KEY]);
    return row === undefined ? createProjection().school : (row.doc as SchoolDoc).school;
  };

  // A projection holding the given members and contacts (and, when asked, each member's contacts and each contact's members).
  const partial = async (memberIds: Iterable<MemberId>, contactIds: Iterable<ContactId>, more: { readonly contactsOfMembers?: boolean; readonly membersOfContacts?: boolean } = {}): Promise<Projection> => {
    const p = createProjection({ schoolId });
    const putMembers = (rows: ReadonlyArray<RowRead>): void => {
      for (const r of rows) p.members.set(r.key, memberEntryOf(r));
    };
    const putContacts = (rows: ReadonlyArray<RowRead>): void => {
      for (const r of rows) p.contacts.set(r.key, contactEntryOf(r));
    };
    const ms = distinct(memberIds);
    if (ms.length > 0) putMembers(await source.get(TABLES.member, schoolId, ms));
    const cs = new Set(contactIds);
    if (more.contactsOfMembers === true) for (const e of p.members.values()) for (const c in e.record.links) cs.add(c);
    const wanted = [...cs].filter((c) => !p.contacts.has(c));
    if (wanted.length > 0) putContacts(await source.get(TABLES.contact, schoolId, wanted));
    if (more.membersOfContacts === true) {
      const extra = distinct([...p.contacts.values()].flatMap((e) => idsOfList(e.members))).filter((m) => !p.members.has(m));
      if (extra.length > 0) putMembers(await source.get(TABLES.member, schoolId, extra));
    }
    return p;
  };

  const found = <T>(by: FoundBy, values: ReadonlyArray<T>): ReadonlyArray<Found<T>> => values.map((value) => ({ by, value }));

  const lookupKeys = async (table: string, lookup: string): Promise<string[]> => (await source.lookup(table, schoolId, lookup)).map((r) => r.key);

  const contactsHolding = async (channel: 'email' | 'sms', address: string): Promise<ContactId[]> => {
    const a = address.trim().toLowerCase();
    if (a === '') return [];
    if (channel === 'email') return (await lookupKeys(TABLES.contact, `email:${a}`)).sort(byString);
    const direct = await lookupKeys(TABLES.contact, `mobile:${a}`);
    if (direct.length > 0) return direct.sort(byString);
    const e164 = normaliseMobile(address);
    return e164 === null ? [] : (await lookupKeys(TABLES.contact, `mobile:${e164.toLowerCase()}`)).sort(byString);
  };

  const dashboard = async (today: string): Promise<DashboardView> => {
    const counts = await source.countBy(TABLES.member, schoolId, 'flags', {});
    let total = 0;
    let byEmail = 0;
    let byMobile = 0;
    let byEither = 0;
    for (const [flags, n] of counts) {
      const f = numberOf(flags);
      if (!(f & COUNTED)) continue;
      total += n;
      if (f & EMAIL) byEmail += n;
      if (f & MOBILE) byMobile += n;
      if (f & (EMAIL | MOBILE)) byEither += n;
    }
    const without: StudentWithout[] = (await source.find(TABLES.member, schoolId, { flags: COUNTED }))
      .map(memberEntryOf)
      .map((e) => ({ memberId: e.record.memberId, name: e.record.name }))
      .sort(byName);
    // The school's days, in its zone: each is the quarter hours from its local midnight to the next.
    const zone = (await schoolState()).timeZone;
    const days = Array.from({ length: 7 }, (_, i) => addDays(today, i - 6)).map((date) => ({ date, from: slotOf(startOfLocalDay(date, zone)), to: slotOf(startOfLocalDay(addDays(date, 1), zone)) }));
    const keys: string[] = [];
    for (let slot = days[0]!.from; slot < days[6]!.to; slot++) keys.push(String(slot));
    const slotRows = await source.get(TABLES.messages, schoolId, keys);
    const sum = (from: number, to: number, column: string): number => slotRows.reduce((n, r) => (Number(r.key) >= from && Number(r.key) < to ? n + numberOf(r.columns[column]) : n), 0);
    return {
      today,
      studentsWithContactablePrimeParent: { scope: 'on-roll students', total, byEmail, byMobile, byEither, without },
      messagesLast7Days: days.map(({ date, from, to }) => ({ date, email: sum(from, to, 'email'), sms: sum(from, to, 'sms') })),
    };
  };

  const dataIssues = async (filter: DataIssueFilter = {}): Promise<ReadonlyArray<DataIssueRow>> => {
    const open = { open: true, ...(filter.type !== undefined ? { type: filter.type } : {}) };
    let rows: ReadonlyArray<RowRead>;
    if (filter.memberId !== undefined) {
      // A member's issues and those of the contacts linked to it (a parent's bounce is the pupil's problem too).
      const [m] = await source.get(TABLES.member, schoolId, [filter.memberId]);
      const linked = m === undefined ? [] : Object.keys(memberEntryOf(m).record.links);
      rows = [...(await source.find(TABLES.issue, schoolId, { ...open, member_id: filter.memberId })), ...(linked.length === 0 ? [] : (await source.find(TABLES.issue, schoolId, { ...open, contact_id: linked })).filter((r) => (r.doc as IssueDoc).memberId === null))];
    } else if (filter.contactId !== undefined) rows = await source.find(TABLES.issue, schoolId, { ...open, contact_id: filter.contactId });
    else rows = await source.find(TABLES.issue, schoolId, open);
    // Date filters are the school's days, in its zone.
    const zone = filter.from !== undefined || filter.to !== undefined ? (await schoolState()).timeZone : undefined;
    const issues = rows
      .map((r) => r.doc as IssueDoc)
      .filter((i) => (filter.contactId === undefined || i.contactId === filter.contactId) && (filter.from === undefined || dayOf(i.raisedAt, zone) >= filter.from) && (filter.to === undefined || dayOf(i.raisedAt, zone) <= filter.to))
      .map(({ resolvedAt: _r, ...i }): DataIssue => i)
      .sort((a, b) => byString(a.raisedAt, b.raisedAt) || byString(a.id, b.id));
    const p = await partial(
      issues.flatMap((i) => (i.memberId === null ? [] : [i.memberId])),
      issues.flatMap((i) => [i.contactId, i.relatedContactId].filter((c): c is string => c !== null)),
    );
    const name = (n: { given: string; family: string } | undefined): string | null => (n === undefined ? null : `${n.given} ${n.family}`.trim());
    return issues.map((i) => {
      const m = i.memberId === null ? undefined : p.members.get(i.memberId)?.record;
      return {
        ...i,
        memberName: name(m?.name),
        misReference: m?.misReference ?? null,
        contactName: name(i.contactId === null ? undefined : p.contacts.get(i.contactId)?.view?.name),
        relatedContactName: name(i.relatedContactId === null ? undefined : p.contacts.get(i.relatedContactId)?.view?.name),
      };
    });
  };

  const leavers = async (today: string) => {
    const members = await source.find(TABLES.member, schoolId, { retention: ['awaiting-deletion', 'awaiting-anonymisation'] });
    const contacts = await source.find(TABLES.contact, schoolId, { retention: 'awaiting-anonymisation' });
    const p = createProjection({ schoolId });
    // Retention counts the school's days, in its zone.
    p.school = await schoolState();
    for (const r of members) {
      const e = memberEntryOf(r);
      p.members.set(r.key, e);
      if (r.columns['retention'] === 'awaiting-deletion') p.awaitingDeletion.add(r.key);
      else p.deletedMembers.add(r.key);
    }
    for (const r of contacts) {
      p.contacts.set(r.key, contactEntryOf(r));
      p.deletedContacts.add(r.key);
    }
    return projectionViews(p).leavers(today);
  };

  const groupRows = async (): Promise<GroupRecord[]> => (await source.find(TABLES.group, schoolId, { status: 'active' })).map((r) => r.doc as GroupRecord);

  return {
    position: () => source.position(),
    members: async (filter = {}) => {
      const where = { ...(filter.roll !== undefined ? { roll: filter.roll } : {}), ...(filter.kind !== undefined ? { kind: filter.kind } : {}) };
      const p = createProjection({ schoolId });
      for (const r of await source.find(TABLES.member, schoolId, where)) p.members.set(r.key, memberEntryOf(r));
      return projectionViews(p).members({ ...filter, ...(filter.kind !== undefined ? { kind: filter.kind } : {}) });
    },
    member: async (memberId) => {
      const [r] = await source.get(TABLES.member, schoolId, [memberId]);
      return r === undefined ? null : memberSummary(memberEntryOf(r).record);
    },
    linkedPeople: async (memberId) => projectionViews(await partial([memberId], [], { contactsOfMembers: true })).linkedPeople(memberId),
    contact: async (contactId) => projectionViews(await partial([], [contactId], { membersOfContacts: true })).contact(contactId),
    contactsHolding,
    membersOf: async (contactId) => {
      const [r] = await source.get(TABLES.contact, schoolId, [contactId]);
      return r === undefined ? [] : idsOfList(contactEntryOf(r).members);
    },
    dashboard,
    dataIssues,
    savedFilters: async () => projectionViews({ ...createProjection({ schoolId }), school: await schoolState() }).savedFilters(),
    leavers,
    groups: async () => {
      const p = createProjection({ schoolId });
      for (const g of await groupRows()) p.groups.set(g.groupId, g);
      return projectionViews(p).groups();
    },
    group: async (groupId) => {
      const [r] = await source.get(TABLES.group, schoolId, [groupId]);
      if (r === undefined) return null;
      const g = r.doc as GroupRecord;
      const refs = Object.values(g.members);
      const p = await partial(refs.filter((x) => x.kind === 'member').map((x) => x.id), refs.filter((x) => x.kind === 'contact').map((x) => x.id));
      p.groups.set(g.groupId, g);
      return projectionViews(p).group(groupId);
    },
    findMembers: async (text) => {
      const t = text.trim();
      const tiers: ReadonlyArray<readonly [FoundBy, () => Promise<string[]>]> = [
        ['id', async () => (await source.get(TABLES.member, schoolId, [t])).map((r) => r.key)],
        ['mis-reference', () => lookupKeys(TABLES.member, `ref:${t.toLowerCase()}`)],
        ['source-id', () => lookupKeys(TABLES.member, `source:${t}`)],
        ['name', () => (normaliseNameText(t) === '' ? Promise.resolve([]) : lookupKeys(TABLES.member, `name:${normaliseNameText(t)}`))],
      ];
      for (const [by, ids] of tiers) {
        const keys = await ids();
        if (keys.length === 0) continue;
        const rows = (await source.get(TABLES.member, schoolId, keys)).map((r) => memberSummary(memberEntryOf(r).record));
        return found(by, rows.sort((a, b) => byString(nameSortKey(a.name), nameSortKey(b.name)) || byString(a.memberId, b.memberId)));
      }
      return [];
    },
    findContacts: async (text) => {
      const t = text.trim();
      const looksLikeNumber = /^[+\d][\d\s()-]{5,}$/.test(t);
      const tiers: ReadonlyArray<readonly [FoundBy, () => Promise<string[]>]> = [
        ['id', async () => (await source.get(TABLES.contact, schoolId, [t])).filter((r) => contactEntryOf(r).view !== undefined).map((r) => r.key)],
        ['email', () => (t.includes('@') ? contactsHolding('email', t) : Promise.resolve([]))],
        ['mobile', () => (looksLikeNumber && normaliseMobile(t) !== null ? contactsHolding('sms', t) : Promise.resolve([]))],
        ['source-id', () => lookupKeys(TABLES.contact, `source:${t}`)],
        ['name', () => (normaliseNameText(t) === '' ? Promise.resolve([]) : lookupKeys(TABLES.contact, `name:${normaliseNameText(t)}`))],
      ];
      for (const [by, ids] of tiers) {
        const keys = await ids();
        if (keys.length === 0) continue;
        const views = projectionViews(await partial([], keys, { membersOfContacts: true }));
        const out = [];
        for (const k of keys) {
          const c = await views.contact(k);
          if (c !== null) out.push(c);
        }
        return found(by, out.sort((a, b) => byString(nameSortKey(a.name), nameSortKey(b.name)) || byString(a.contactId, b.contactId)));
      }
      return [];
    },
    findGroups: async (text) => {
      const t = text.trim();
      const byId = (await source.get(TABLES.group, schoolId, [t])).map((r) => r.doc as GroupRecord).filter((g) => g.status === 'active');
      const p = createProjection({ schoolId });
      if (byId.length > 0) {
        for (const g of byId) p.groups.set(g.groupId, g);
        return (await projectionViews(p).groups()).map((value) => ({ by: 'id' as const, value }));
      }
      const named = (await source.get(TABLES.group, schoolId, await lookupKeys(TABLES.group, `name:${t.toLowerCase()}`))).map((r) => r.doc as GroupRecord).filter((g) => g.status === 'active');
      for (const g of named) p.groups.set(g.groupId, g);
      return (await projectionViews(p).groups()).map((value) => ({ by: 'name' as const, value }));
    },
    school: schoolState,
    staff: async () =>
      (await source.find(TABLES.staff, schoolId, {})).map(staffAccountOf).sort((a, b) => byString(normaliseNameText(a.name), normaliseNameText(b.name)) || byString(a.email, b.email)),
    staffAccount: async (idOrEmail) => {
      const [byId] = await source.get(TABLES.staff, schoolId, [idOrEmail.trim()]);
      if (byId !== undefined) return staffAccountOf(byId);
      const [byEmail] = await source.lookup(TABLES.staff, schoolId, `email:${idOrEmail.trim().toLowerCase()}`);
      return byEmail === undefined ? null : staffAccountOf(byEmail);
    },
  };
};
