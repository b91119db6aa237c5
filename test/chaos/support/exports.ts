/**
 * The fault suite's exports: a valid export of each format written from a generated school, the
 * mutations fast-check applies to it (truncate, drop, duplicate, swap, corrupt bytes, inject hostile
 * text), and the check each mutated export must pass: imported whole or refused whole with an error
 * that names the file and the place, never a crash, a hang, a half import or a personal value.
 */
import fc from 'fast-check';
import {
  bytesSource,
  generateSchool,
  hasControlCharacters,
  parseAddressBookCsv,
  parseCtf,
  parseOneRoster,
  parseSimsCsv,
  writeCtf,
  writeSimsCsv,
  type ParseError,
} from '../../../packages/adapters-sims/src/index.js';
import {
  fixedClock,
  handleCommand,
  contactDecider,
  contactStream,
  loadHeldState,
  memoryStore,
  planAddressBook,
  planImport,
  plannedCommandCount,
  readAllEvents,
  runImport,
  sequentialIds,
  defaultImportSettings,
  type EventStore,
  type MisSnapshot,
} from '../../../packages/core/src/index.js';
import { zipOf } from '../../../packages/adapters-sims/test/support/zip.js';

// Either without fp-ts (the root tests do not depend on it): a Left or a Right by its tag.
type Either<L, R> = { readonly _tag: 'Left'; readonly left: L } | { readonly _tag: 'Right'; readonly right: R };
const mapRight = <L, A, B>(r: Either<L, A>, f: (a: A) => B): Either<L, B> => (r._tag === 'Left' ? r : { _tag: 'Right', right: f(r.right) });

/** One file of an export. */
export interface ExportFile {
  readonly name: string;
  readonly bytes: Uint8Array;
}

/** What a parser gave back: a snapshot (MIS formats) or address-book entries. */
export type Parsed = { readonly kind: 'snapshot'; readonly snapshot: MisSnapshot } | { readonly kind: 'address-book'; readonly entries: Parameters<typeof planAddressBook>[0] };

/** A format the suite mutates. */
export interface Format {
  readonly name: string;
  /** A valid export of a small generated school. */
  readonly write: (seed: number) => ReadonlyArray<ExportFile>;
  readonly parse: (files: ReadonlyArray<ExportFile>) => Promise<Either<ParseError, Parsed>>;
  /** The names an error may give as its file. */
  readonly fileNames: (files: ReadonlyArray<ExportFile>) => ReadonlyArray<string>;
}

const enc = new TextEncoder();
const PUPILS = 12;
const school = (seed: number) => generateSchool({ seed: `chaos-${seed}`, pupils: PUPILS });
const asSnapshot = async (r: Promise<Either<ParseError, MisSnapshot>>): Promise<Either<ParseError, Parsed>> => mapRight(await r, (snapshot): Parsed => ({ kind: 'snapshot', snapshot }));
const named = (files: ReadonlyArray<ExportFile>, name: string): Uint8Array => files.find((f) => f.name === name)?.bytes ?? new Uint8Array(0);

const csvLine = (cells: ReadonlyArray<string>): string => `${cells.map((c) => (/[",\r\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',')}\r\n`;

/** A snapshot as OneRoster 1.1 CSV files (students, staff, parents, classes, enrollments, the school). */
export const writeOneRoster = (s: MisSnapshot): ExportFile[] => {
  const contacts = new Map(s.contacts.map((c) => [c.externalId, c]));
  const links = s.links.filter((l) => !l.contactExternalId.startsWith('SC')).sort((a, b) => a.priority - b.priority);
  const students = s.members.filter((m) => m.kind === 'student' && m.roll.status !== 'applicant');
  const agents = new Map<string, string[]>();
  for (const l of links) agents.set(l.memberExternalId, [...(agents.get(l.memberExternalId) ?? []), l.contactExternalId]);
  const present = new Set(students.map((m) => m.externalId));
  const parents = new Map<string, { role: string; children: string[] }>();
  for (const l of links) {
    if (!present.has(l.memberExternalId)) continue;
    const p = parents.get(l.contactExternalId) ?? { role: l.parentalResponsibility ? (l.relationship === 'Carer' ? 'guardian' : 'parent') : 'relative', children: [] };
    p.children.push(l.memberExternalId);
    parents.set(l.contactExternalId, p);
  }
  let users = csvLine(['sourcedId', 'status', 'role', 'givenName', 'familyName', 'identifier', 'email', 'sms', 'phone', 'agentSourcedIds']);
  for (const m of s.members) {
    if (m.kind === 'student' && !present.has(m.externalId)) continue;
    const own = m.kind === 'staff' ? contacts.get(s.links.find((l) => l.memberExternalId === m.externalId)?.contactExternalId ?? '') : undefined;
    users += csvLine([
      m.externalId,
      m.roll.status === 'leaver' ? 'tobedeleted' : 'active',
      m.kind === 'student' ? 'student' : 'teacher',
      m.name.given,
      m.name.family,
      m.misReference ?? '',
      own?.emails[0]?.value ?? '',
      own?.phones[0]?.value ?? '',
      '',
      m.kind === 'student' ? (agents.get(m.externalId) ?? []).join(',') : '',
    ]);
  }
  for (const [id, p] of parents) {
    const c = contacts.get(id)!;
    users += csvLine(['' + id, 'active', p.role, c.name.given, c.name.family, '', c.emails.find((e) => e.location === 'Home')?.value ?? '', c.phones.find((x) => x.location === 'Mobile')?.value ?? '', c.phones.find((x) => x.location === 'Home')?.value ?? '', p.children.join(',')]);
  }
  let classes = csvLine(['sourcedId', 'status', 'title', 'classType']);
  let enrollments = csvLine(['sourcedId', 'status', 'classSourcedId', 'userSourcedId', 'role']);
  const people = new Set([...present, ...s.members.filter((m) => m.kind === 'staff').map((m) => m.externalId)]);
  for (const g of s.groups) {
    classes += csvLine([g.externalId, g.active ? 'active' : 'tobedeleted', g.name, g.kind === 'class' ? 'homeroom' : 'scheduled']);
    for (const m of g.memberExternalIds) if (people.has(m)) enrollments += csvLine([`e-${g.externalId}-${m}`, 'active', g.externalId, m, m.startsWith('S') ? 'teacher' : 'student']);
  }
  const orgs = csvLine(['sourcedId', 'status', 'name', 'type', 'identifier']) + csvLine(['org-1', 'active', s.source.schoolName ?? 'School', 'school', s.source.schoolRef ?? '']);
  return [
    { name: 'users.csv', bytes: enc.encode(users) },
    { name: 'classes.csv', bytes: enc.encode(classes) },
    { name: 'enrollments.csv', bytes: enc.encode(enrollments) },
    { name: 'orgs.csv', bytes: enc.encode(orgs) },
  ];
};

/** The formats of the suite. */
export const formats: ReadonlyArray<Format> = [
  {
    name: 'ctf',
    write: (seed) => [{ name: 'school.xml', bytes: enc.encode(writeCtf(school(seed).snapshot)) }],
    parse: (files) => asSnapshot(parseCtf(bytesSource('school.xml', named(files, 'school.xml'), 4096))),
    fileNames: () => ['school.xml'],
  },
  {
    name: 'sims-csv',
    write: (seed) => Object.entries(writeSimsCsv(school(seed).snapshot)).map(([name, text]) => ({ name: `${name}.csv`, bytes: enc.encode(text) })),
    parse: (files) =>
      asSnapshot(
        parseSimsCsv({
          students: bytesSource('students.csv', named(files, 'students.csv'), 4096),
          contacts: bytesSource('contacts.csv', named(files, 'contacts.csv'), 4096),
          staff: bytesSource('staff.csv', named(files, 'staff.csv'), 4096),
          groups: bytesSource('groups.csv', named(files, 'groups.csv'), 4096),
        }),
      ),
    fileNames: () => ['students.csv', 'contacts.csv', 'staff.csv', 'groups.csv'],
  },
  {
    // The CSV files are mutated, then zipped as a school would send them.
    name: 'oneroster',
    write: (seed) => writeOneRoster(school(seed).snapshot),
    parse: (files) => asSnapshot(parseOneRoster({ zip: bytesSource('export.zip', zipOf(files.map((f) => ({ name: `export/${f.name}`, data: f.bytes })))) })),
    fileNames: () => ['export.zip', 'export.zip:users.csv', 'export.zip:classes.csv', 'export.zip:enrollments.csv', 'export.zip:orgs.csv'],
  },
  {
    // The archive's own bytes are mutated.
    name: 'oneroster-zip',
    write: (seed) => [{ name: 'export.zip', bytes: zipOf(writeOneRoster(school(seed).snapshot).map((f) => ({ name: `export/${f.name}`, data: f.bytes }))) }],
    parse: (files) => asSnapshot(parseOneRoster({ zip: bytesSource('export.zip', named(files, 'export.zip')) })),
    fileNames: () => ['export.zip', 'export.zip:users.csv', 'export.zip:classes.csv', 'export.zip:enrollments.csv', 'export.zip:orgs.csv'],
  },
  {
    name: 'address-book',
    write: (seed) => {
      const s = school(seed).snapshot;
      let text = csvLine(['Reference', 'Forename', 'Surname', 'Email', 'Mobile']);
      s.contacts.slice(0, 20).forEach((c, i) => (text += csvLine([`G${i + 1}`, c.name.given, c.name.family, c.emails[0]?.value ?? '', c.phones[0]?.value ?? ''])));
      return [{ name: 'address-book.csv', bytes: enc.encode(text) }];
    },
    parse: async (files) => mapRight(await parseAddressBookCsv(bytesSource('address-book.csv', named(files, 'address-book.csv'), 4096)), (u): Parsed => ({ kind: 'address-book', entries: u.entries })),
    fileNames: () => ['address-book.csv'],
  },
];

/** Hostile text a mutation may insert. */
export const HOSTILE = ['\u001b[2J', '\u001b]8;;https://evil.example/\u001b\\', '&#x1b;', '\u009b31m', '"', ',', '\r', '\n', '\r\n', '<', '&', ']]>', '<!--', '\u0000', '\uFEFF', '\u202e', 'x'.repeat(300), '9'.repeat(30), '<Pupil>', '</Pupil>', '<CTFPupilData>', ';'];

/** One change to one file of an export (positions are fractions of the file, so they fit any size). */
export type Mutation =
  | { readonly kind: 'truncate'; readonly file: number; readonly at: number }
  | { readonly kind: 'drop-lines' | 'duplicate-lines'; readonly file: number; readonly at: number; readonly count: number }
  | { readonly kind: 'swap-lines'; readonly file: number; readonly at: number; readonly other: number }
  | { readonly kind: 'drop-bytes' | 'duplicate-bytes'; readonly file: number; readonly at: number; readonly length: number }
  | { readonly kind: 'corrupt-bytes'; readonly file: number; readonly at: ReadonlyArray<number>; readonly values: ReadonlyArray<number> }
  | { readonly kind: 'inject'; readonly file: number; readonly at: number; readonly text: string };

// Unbiased: fast-check leans towards 0 by default, which would put most mutations on the first line (the header).
const fraction = fc.noBias(fc.integer({ min: 0, max: 999_999 })).map((n) => n / 1_000_000);
const fileIndex = fc.nat({ max: 7 });

/** Any one mutation. */
export const arbMutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), file: fileIndex, at: fraction }),
  fc.record({ kind: fc.constantFrom('drop-lines' as const, 'duplicate-lines' as const), file: fileIndex, at: fraction, count: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ kind: fc.constant('swap-lines' as const), file: fileIndex, at: fraction, other: fraction }),
  fc.record({ kind: fc.constantFrom('drop-bytes' as const, 'duplicate-bytes' as const), file: fileIndex, at: fraction, length: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ kind: fc.constant('corrupt-bytes' as const), file: fileIndex, at: fc.array(fraction, { minLength: 1, maxLength: 4 }), values: fc.array(fc.nat({ max: 255 }), { minLength: 4, maxLength: 4 }) }),
  fc.record({ kind: fc.constant('inject' as const), file: fileIndex, at: fraction, text: fc.constantFrom(...HOSTILE) }),
);

const lineStarts = (b: Uint8Array): number[] => {
  const starts = [0];
  for (let i = 0; i < b.length; i++) if (b[i] === 0x0a && i + 1 < b.length) starts.push(i + 1);
  return starts;
};
const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

/** Applies a mutation to an export (a file index past the last wraps round). */
export const mutate = (files: ReadonlyArray<ExportFile>, m: Mutation): ExportFile[] => {
  const i = m.file % files.length;
  const b = files[i]!.bytes;
  const pos = (f: number): number => Math.floor(f * b.length);
  let next: Uint8Array;
  switch (m.kind) {
    case 'truncate':
      next = b.subarray(0, pos(m.at));
      break;
    case 'drop-lines':
    case 'duplicate-lines': {
      const starts = lineStarts(b);
      const from = Math.floor(m.at * starts.length);
      const a = starts[from]!;
      const z = starts[from + m.count] ?? b.length;
      next = m.kind === 'drop-lines' ? concat(b.subarray(0, a), b.subarray(z)) : concat(b.subarray(0, z), b.subarray(a, z), b.subarray(z));
      break;
    }
    case 'swap-lines': {
      const starts = lineStarts(b);
      const [x, y] = [Math.floor(m.at * starts.length), Math.floor(m.other * starts.length)].sort((p, q) => p - q) as [number, number];
      if (x === y) return [...files];
      const line = (k: number) => b.subarray(starts[k]!, starts[k + 1] ?? b.length);
      next = concat(b.subarray(0, starts[x]!), line(y), b.subarray(starts[x + 1]!, starts[y]!), line(x), b.subarray(starts[y + 1] ?? b.length));
      break;
    }
    case 'drop-bytes':
      next = concat(b.subarray(0, pos(m.at)), b.subarray(Math.min(b.length, pos(m.at) + m.length)));
      break;
    case 'duplicate-bytes': {
      const a = pos(m.at);
      const z = Math.min(b.length, a + m.length);
      next = concat(b.subarray(0, z), b.subarray(a, z), b.subarray(z));
      break;
    }
    case 'corrupt-bytes':
      next = new Uint8Array(b);
      m.at.forEach((f, k) => {
        if (next.length > 0) next[Math.floor(f * next.length)] = m.values[k % m.values.length]!;
      });
      break;
    case 'inject':
      next = concat(b.subarray(0, pos(m.at)), enc.encode(m.text), b.subarray(pos(m.at)));
      break;
  }
  return files.map((f, k) => (k === i ? { name: f.name, bytes: next } : f));
};

/** What became of one mutated export. */
export type Verdict =
  | { readonly kind: 'imported'; readonly warnings: number }
  | { readonly kind: 'refused'; readonly code: string; readonly placed: boolean }
  | { readonly kind: 'crash' | 'hang' | 'half' | 'unclear' | 'leak' | 'unsafe-text'; readonly detail: string };

// Codes that are about a whole file: no row or line to name.
const FILE_LEVEL = new Set(['not-this-format', 'missing-file', 'corrupt-archive', 'unsafe-archive', 'no-pupils', 'missing-element', 'unreadable']);
const HANG_MS = 10_000;

/** The personal values of the school an export was written from (an error must name none). */
export const secretsOf = (seed: number): ReadonlyArray<string> => {
  const s = school(seed).snapshot;
  return [
    ...s.members.flatMap((m) => (m.misReference === null ? [] : [m.misReference])),
    ...s.contacts.flatMap((c) => [...c.emails.map((e) => e.value), ...c.phones.map((p) => p.value)]),
    ...[...s.members, ...s.contacts].map((p) => p.name.family).filter((n) => n.length >= 5),
  ];
};

const allStrings = (v: unknown, out: string[] = []): string[] => {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const x of v) allStrings(x, out);
  else if (typeof v === 'object' && v !== null) for (const x of Object.values(v)) allStrings(x, out);
  return out;
};

const eventCount = async (store: EventStore): Promise<number> => {
  let n = 0;
  for await (const _ of readAllEvents(store)) n += 1;
  return n;
};

const SCHOOL = 'chaos';
const deps = (store: EventStore) => ({ store, clock: fixedClock('2026-09-02T06:00:00.000Z'), ids: sequentialIds('chaos') });

/** A store holding the school an export was written from, as the last nightly sync left it. */
const storeWith = async (format: Format, seed: number): Promise<EventStore> => {
  const store = memoryStore();
  const parsed = await format.parse(format.write(seed));
  if (parsed._tag === 'Left') throw new Error(`the valid ${format.name} export does not parse: ${parsed.left.message}`);
  if (parsed.right.kind === 'snapshot') {
    const r = await runImport(deps(store), parsed.right.snapshot, defaultImportSettings, '2026-09-01', { runId: 'base', format: format.name, sourceName: 'base', schoolId: SCHOOL });
    if (r._tag === 'Left') throw new Error(r.left.message);
  }
  return store;
};

/** The longest parse seen by `judge` since it was last reset (ms). */
export const slowest = { ms: 0 };

/** Parses a mutated export and imports it into the school's store: whole, or nothing with a clear error. */
export const judge = async (format: Format, seed: number, files: ReadonlyArray<ExportFile>): Promise<Verdict> => {
  const store = await storeWith(format, seed);
  const before = await eventCount(store);
  let timer: NodeJS.Timeout | undefined;
  let parsed: Either<ParseError, Parsed> | 'hang';
  const started = performance.now();
  try {
    parsed = await Promise.race([format.parse(files), new Promise<'hang'>((resolve) => (timer = setTimeout(() => resolve('hang'), HANG_MS)))]);
  } catch (e) {
    return { kind: 'crash', detail: `the parser threw: ${e instanceof Error ? e.message : String(e)}` };
  } finally {
    clearTimeout(timer);
  }
  // A parse that blocks (a regular expression gone quadratic) is no promise left pending: its time tells.
  const ms = performance.now() - started;
  slowest.ms = Math.max(slowest.ms, ms);
  if (parsed === 'hang' || ms > HANG_MS) return { kind: 'hang', detail: `no answer in ${HANG_MS} ms` };
  if (parsed._tag === 'Left') {
    const err = parsed.left;
    if ((await eventCount(store)) !== before) return { kind: 'half', detail: 'a refused export changed the store' };
    if (err._tag !== 'ParseError' || err.code === 'unreadable') return { kind: 'unclear', detail: err.message };
    if (!format.fileNames(files).includes(err.file) || !err.message.startsWith(err.file)) return { kind: 'unclear', detail: `names no file of the export: ${err.message}` };
    const placed = err.row !== null || err.line !== null || err.element !== null;
    if (!placed && !FILE_LEVEL.has(err.code) && !(err.code === 'over-limit' && /^max(File|Zip)/.test(err.limit ?? ''))) return { kind: 'unclear', detail: `names no place: ${err.message}` };
    const leaked = secretsOf(seed).find((s) => err.message.includes(s));
    if (leaked !== undefined) return { kind: 'leak', detail: `${err.code} quotes a value of the file: ${err.message.replace(leaked, '<value>')}` };
    return { kind: 'refused', code: err.code, placed };
  }
  const value = parsed.right;
  const strings = allStrings(value.kind === 'snapshot' ? { ...value.snapshot, warnings: [] } : value.entries);
  const unsafe = strings.find((s) => hasControlCharacters(s));
  if (unsafe !== undefined) return { kind: 'unsafe-text', detail: 'a control character passed into what would be stored' };
  try {
    if (value.kind === 'address-book') {
      const held = await loadHeldState(store, SCHOOL);
      if (held._tag === 'Left') return { kind: 'crash', detail: held.left.message };
      const plan = planAddressBook(value.entries, held.right);
      for (const c of plan.commands) {
        const r = await handleCommand(deps(store), contactDecider, contactStream(c.id), c.command, { schoolId: SCHOOL, actor: { kind: 'import', runId: 'chaos' } });
        if (r._tag === 'Left') return { kind: 'half', detail: `stream ${c.streamId} refused: ${r.left.message}` };
      }
      const after = await loadHeldState(store, SCHOOL);
      if (after._tag === 'Left' || planAddressBook(value.entries, after.right).commands.length > 0) return { kind: 'half', detail: 'the upload is not all in the store' };
      return { kind: 'imported', warnings: 0 };
    }
    const r = await runImport(deps(store), value.snapshot, defaultImportSettings, '2026-09-02', { runId: 'mutated', format: format.name, sourceName: 'mutated', schoolId: SCHOOL });
    if (r._tag === 'Left') {
      // A mutation that drops pupils or links from the export is what the mass-change guard is for (R-IMP-7):
      // refused whole, before anything is written, naming the counts.
      if (r.left._tag === 'MassChangeRefused') {
        if ((await eventCount(store)) !== before) return { kind: 'half', detail: 'a refused import changed the store' };
        return { kind: 'refused', code: 'mass-change', placed: true };
      }
      return { kind: 'half', detail: `the import stopped: ${r.left.message}` };
    }
    if (r.right.refused.length > 0) return { kind: 'half', detail: `streams refused: ${r.right.refused.map((x) => x.streamId).join(', ')}` };
    const held = await loadHeldState(store, SCHOOL);
    if (held._tag === 'Left') return { kind: 'crash', detail: held.left.message };
    if (plannedCommandCount(planImport(value.snapshot, held.right, defaultImportSettings, '2026-09-02')) > 0) return { kind: 'half', detail: 'the store does not hold the whole import' };
    return { kind: 'imported', warnings: value.snapshot.warnings?.length ?? 0 };
  } catch (e) {
    return { kind: 'crash', detail: `the import threw: ${e instanceof Error ? e.message : String(e)}` };
  }
};

/** Counts of verdicts for one format. */
export interface Tally {
  readonly format: string;
  exports: number;
  imported: number;
  withWarnings: number;
  refused: number;
  placed: number;
  readonly codes: Map<string, number>;
  readonly failures: Verdict[];
  /** The longest parse of one mutated export (ms). */
  slowestMs: number;
}

/** An empty tally. */
export const tally = (format: string): Tally => ({ format, exports: 0, imported: 0, withWarnings: 0, refused: 0, placed: 0, codes: new Map(), failures: [], slowestMs: 0 });

/** Adds a verdict to a tally; returns whether it met the target (whole or refused whole, clearly). */
export const record = (t: Tally, v: Verdict): boolean => {
  t.exports += 1;
  if (v.kind === 'imported') {
    t.imported += 1;
    if (v.warnings > 0) t.withWarnings += 1;
    return true;
  }
  if (v.kind === 'refused') {
    t.refused += 1;
    if (v.placed) t.placed += 1;
    t.codes.set(v.code, (t.codes.get(v.code) ?? 0) + 1);
    return true;
  }
  t.failures.push(v);
  return false;
};

/** The mutation runs of one format: `runs` exports, each with 1-3 mutations, checked by `judge`. */
export const mutationRuns = async (format: Format, runs: number, seed?: number): Promise<Tally> => {
  const t = tally(format.name);
  const bases = new Map<number, ReadonlyArray<ExportFile>>();
  slowest.ms = 0;
  await fc.assert(
    fc.asyncProperty(fc.nat({ max: 4 }), fc.array(arbMutation, { minLength: 1, maxLength: 3 }), async (schoolSeed, mutations) => {
      let files = bases.get(schoolSeed);
      if (files === undefined) bases.set(schoolSeed, (files = format.write(schoolSeed)));
      for (const m of mutations) files = mutate(files, m);
      const v = await judge(format, schoolSeed, files);
      // Everything above settles in microtasks: give the event loop a turn, or the test runner's messages
      // (answered in macrotasks) wait for the whole run and its calls time out.
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (!record(t, v)) throw new Error(`${format.name}: ${v.kind}: ${'detail' in v ? v.detail : ''}`);
    }),
    { numRuns: runs, ...(seed === undefined ? {} : { seed }), endOnFailure: true },
  );
  t.slowestMs = Math.round(slowest.ms);
  return t;
};

/** The tallies as a table, with the targets. */
export const tallyTable = (tallies: ReadonlyArray<Tally>): string => {
  const rows = tallies.map((t) => [
    t.format,
    String(t.exports),
    `${t.imported} (${t.withWarnings} with warnings)`,
    String(t.refused),
    `${t.placed}/${t.refused}`,
    String(t.failures.filter((f) => f.kind === 'crash' || f.kind === 'unclear').length),
    `${t.failures.filter((f) => f.kind === 'hang').length} (slowest ${t.slowestMs} ms)`,
    String(t.failures.filter((f) => f.kind === 'half').length),
    [...t.codes].sort((a, b) => b[1] - a[1]).map(([c, n]) => `${c} ${n}`).join(', '),
  ]);
  const head = ['format', 'mutated exports', 'imported whole', 'refused whole', 'refusals naming row/line/element', 'crashes or unclear', 'hangs', 'half imports', 'refusals by code'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (r: ReadonlyArray<string>) => r.map((c, i) => c.padEnd(widths[i]!)).join(' | ');
  return [fmt(head), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.map(fmt)].join('\n');
};
