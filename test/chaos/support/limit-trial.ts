/**
 * One limit trial, run in its own process so its time and peak memory are its own:
 * `node --import tsx limit-trial.ts CASE` builds one hostile input (streamed, or a sparse
 * file on disk), hands it to the built parser, and prints one JSON line: what it was refused
 * as, how long the parse took and the process's peak RSS. It reads the built packages (dist),
 * as the `contactable` command does; `pnpm chaos` builds them first.
 */
import { closeSync, mkdtempSync, openSync, rmSync, ftruncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as Sims from '../../../packages/adapters-sims/dist/index.js';
import { zerosBomb, zipOf } from '../../../packages/adapters-sims/test/support/zip.js';

type ParseResult = { readonly _tag: 'Left'; readonly left: Sims.ParseError } | { readonly _tag: 'Right'; readonly right: unknown };
interface Trial {
  readonly what: string;
  /** Builds what the trial needs before the clock starts (a big archive, a generated school). */
  readonly prepare?: (sims: typeof Sims) => unknown;
  readonly run: (sims: typeof Sims, prepared: unknown) => Promise<ParseResult>;
}

const enc = new TextEncoder();
const MiB = 1 << 20;

/** A source that makes its text as it is read (nothing of it is held but the piece being read). */
const streamed = (name: string, pieces: () => Iterable<string>): Sims.ByteSource => ({
  name,
  read: async function* () {
    for (const p of pieces()) yield enc.encode(p);
  },
});

const CTF_HEAD = '<?xml version="1.0"?>\n<CTfile xmlns:cx="urn:contactable:ctf-extension:1">\n<Header><SupplierID>SIMS</SupplierID></Header>\n<CTFpupilData>\n';
const pupil = (n: number, surname = 'Evans', inner = ''): string => `<Pupil><UPN>A${String(n).padStart(12, '0')}</UPN><Surname>${surname}</Surname><Forename>Ava</Forename>${inner}<cx:PersonId>P${n}</cx:PersonId></Pupil>\n`;
const repeat = function* (head: string, piece: string, times: number, tail = ''): Generator<string> {
  yield head;
  const batch = piece.repeat(Math.max(1, Math.floor(65_536 / piece.length)));
  const per = Math.max(1, Math.floor(65_536 / piece.length));
  for (let i = 0; i < times; i += per) yield i + per <= times ? batch : piece.repeat(times - i);
  yield tail;
};
const STUDENTS = 'Person ID,UPN,Legal Surname,Legal Forename,Enrolment Status\n';
const CONTACTS = 'Person ID,Contact ID,Contact Surname,Contact Forename,Priority,Parental Responsibility\n';
const oneRosterFiles = (users: Uint8Array) => [
  { name: 'export/users.csv', data: users },
  { name: 'export/orgs.csv', data: enc.encode('sourcedId,name,type\norg-1,Example Academy,school\n') },
];
const USERS = enc.encode('sourcedId,role,givenName,familyName\nu1,student,Ava,Evans\n');

/** The trials: each one input over one limit (defaults unless said). */
export const TRIALS: Readonly<Record<string, Trial>> = {
  'ctf-text-node-200MB': {
    what: 'CTF: one text node of 200 MB',
    run: (s) => s.parseCtf(streamed('huge-text.xml', () => repeat(`${CTF_HEAD}<Pupil><UPN>A1</UPN><Surname>`, 'x', 200 * MiB, '</Surname></Pupil></CTFpupilData></CTfile>'))),
  },
  'ctf-attributes-200k': {
    what: 'CTF: a name with 200,000 attributes',
    run: (s) => s.parseCtf(streamed('attributes.xml', function* () {
      yield `${CTF_HEAD}<Pupil><UPN>A1</UPN><Surname`;
      for (let i = 0; i < 200_000; i += 1000) yield Array.from({ length: 1000 }, (_, k) => ` a${i + k}="x"`).join('');
      yield '>S</Surname></Pupil></CTFpupilData></CTfile>';
    })),
  },
  'ctf-depth-1M': {
    what: 'CTF: elements nested 1,000,000 deep',
    run: (s) => s.parseCtf(streamed('deep.xml', () => repeat(`${CTF_HEAD}<Pupil><UPN>A1</UPN>`, '<X>', 1_000_000))),
  },
  'ctf-record-100MB': {
    what: 'CTF: one pupil of 100 MB (many small elements)',
    run: (s) => s.parseCtf(streamed('record.xml', () => repeat(`${CTF_HEAD}<Pupil><UPN>A1</UPN>`, '<N>x</N>', (100 * MiB) / 8, '</Pupil></CTFpupilData></CTfile>'))),
  },
  'ctf-file-300MB': {
    what: 'CTF: a 300 MB file on disk',
    run: async (s) => {
      const dir = mkdtempSync(join(tmpdir(), 'contactable-trial-'));
      const path = join(dir, 'big.xml');
      const fd = openSync(path, 'w');
      ftruncateSync(fd, 300 * MiB);
      closeSync(fd);
      try {
        return await s.parseCtf(s.fileSource(path));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  },
  'ctf-pupils-over': {
    what: 'CTF: 10,200 pupils of a generated school (contacts, phones, emails)',
    prepare: (s) => s.generateSchool({ seed: 'trial', pupils: 10_200 }).snapshot,
    run: (s, school) => s.parseCtf(s.chunksSource('pupils.xml', () => s.ctfChunks(school as Sims.GeneratedSchool['snapshot']))),
  },
  'ctf-name-10k-chars': {
    what: 'CTF: a name of 10,000 characters',
    run: (s) => s.parseCtf(streamed('name.xml', () => [CTF_HEAD, pupil(1, 'x'.repeat(10_000)), '</CTFpupilData></CTfile>'])),
  },
  'ctf-phone-1000-digits': {
    what: 'CTF: a phone number of 1,000 digits',
    run: (s) => s.parseCtf(streamed('phone.xml', () => [CTF_HEAD, pupil(1, 'Evans', `<Contacts><Contact><Order>1</Order><Phones><Phone><TelephoneType>M</TelephoneType><PhoneNo>${'7'.repeat(1000)}</PhoneNo></Phone></Phones></Contact></Contacts>`), '</CTFpupilData></CTfile>'])),
  },
  'sims-row-100MB': {
    what: 'SIMS CSV: one row of 100 MB (a quoted field never closed)',
    run: (s) => s.parseSimsCsv({ students: streamed('students.csv', () => repeat(`${STUDENTS}1,A1,"`, 'x', 100 * MiB)), contacts: streamed('contacts.csv', () => [CONTACTS]) }),
  },
  'sims-pupils-over': {
    what: 'SIMS CSV: 12,000 pupils',
    run: (s) => s.parseSimsCsv({
      students: streamed('students.csv', function* () {
        yield STUDENTS;
        for (let n = 1; n <= 12_000; n += 1000) yield Array.from({ length: 1000 }, (_, k) => `${n + k},A${n + k},Evans,Ava,Current\n`).join('');
      }),
      contacts: streamed('contacts.csv', () => [CONTACTS]),
    }),
  },
  'sims-rows-over': {
    what: 'SIMS CSV: a groups report of 600,000 rows',
    run: (s) => s.parseSimsCsv({
      students: streamed('students.csv', () => [STUDENTS, '1,A1,Evans,Ava,Current\n']),
      contacts: streamed('contacts.csv', () => [CONTACTS]),
      groups: streamed('groups.csv', function* () {
        yield 'Group ID,Group Name,Person ID\n';
        for (let n = 0; n < 600_000; n += 1000) yield Array.from({ length: 1000 }, (_, k) => `G${(n + k) % 500},Group,1\n`).join('');
      }),
    }),
  },
  'oneroster-zip-bomb-3.4GB': {
    what: 'OneRoster zip: 3.4 MB that unpacks to 3.4 GB',
    prepare: () => {
      const bomb = zerosBomb(3400);
      return zipOf([...oneRosterFiles(USERS), { name: 'export/demographics.csv', packed: { bytes: bomb.bytes, size: bomb.size, crc: 0 } }]);
    },
    run: (s, zip) => s.parseOneRoster({ zip: s.bytesSource('bomb.zip', zip as Uint8Array) }),
  },
  'oneroster-zip-bomb-lying': {
    what: 'OneRoster zip: says 1 KiB, unpacks to 3.4 GB',
    prepare: () => {
      const bomb = zerosBomb(3400);
      return zipOf([{ name: 'export/users.csv', packed: { bytes: bomb.bytes, size: 1024, crc: 0 } }, oneRosterFiles(USERS)[1]!]);
    },
    run: (s, zip) => s.parseOneRoster({ zip: s.bytesSource('liar.zip', zip as Uint8Array) }),
  },
  'oneroster-zip-ratio': {
    what: 'OneRoster zip: users.csv packed 1000:1 (200 MB of zeros)',
    prepare: () => {
      const bomb = zerosBomb(200);
      return zipOf([{ name: 'export/users.csv', packed: { bytes: bomb.bytes, size: bomb.size, crc: 0 } }, oneRosterFiles(USERS)[1]!]);
    },
    run: (s, zip) => s.parseOneRoster({ zip: s.bytesSource('ratio.zip', zip as Uint8Array) }),
  },
  'oneroster-zip-entries-60k': {
    what: 'OneRoster zip: 60,000 entries',
    prepare: () => zipOf([...oneRosterFiles(USERS), ...Array.from({ length: 60_000 }, (_, i) => ({ name: `junk/${i}`, stored: true, data: new Uint8Array(0) }))]),
    run: (s, zip) => s.parseOneRoster({ zip: s.bytesSource('entries.zip', zip as Uint8Array) }),
  },
  'address-book-email-300': {
    what: 'Address book: an email of 300 characters',
    run: (s) => s.parseAddressBookCsv(streamed('ab.csv', () => [`Reference,Forename,Surname,Email\nG1,Theo,Walker,${'a'.repeat(288)}@example.org\n`])),
  },
};

const main = async (): Promise<void> => {
  const name = process.argv[2] ?? '';
  const trial = TRIALS[name];
  if (trial === undefined) throw new Error(`no trial named ${name}`);
  const sims = (await import('../../../packages/adapters-sims/dist/index.js')) as typeof Sims;
  const prepared = trial.prepare?.(sims);
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  const r = await trial.run(sims, prepared);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const used = process.cpuUsage(cpu);
  const refusedAs = r._tag === 'Left' ? `${r.left.code}${r.left.limit === null ? '' : ` ${r.left.limit}`}` : 'accepted';
  process.stdout.write(`${JSON.stringify({ name, what: trial.what, refusedAs, message: r._tag === 'Left' ? r.left.message : '', ms: Math.round(ms), cpuMs: Math.round((used.user + used.system) / 1000), peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) })}\n`);
};

if (process.argv[1]?.endsWith('limit-trial.ts') === true) await main();
