/**
 * A synthetic school, deterministic from a seed: pupils in families (siblings
 * share parents), 1-4 contacts each with priorities and parental responsibility,
 * emails at Home/Work/Other and phones at Mobile/Home/Work (a few badly formed),
 * pre-admissions in every status (Rejected, Withdrawn and custom ones too) for
 * future and past intakes, pupils entered with a future admission date, staff,
 * year groups, classes, teaching groups and an inactive group. `day` > 0 gives
 * the export of a later day: ~1% churn a day (leavers, joiners, changed numbers).
 * Names and addresses are made up; emails use example.org, numbers made-up 071 mobiles and Ofcom drama-range landlines.
 */
import type { DataArea, LocatedDetail, MisContact, MisGroup, MisLink, MisMember, MisSnapshot, StandardApplicationStatus } from '@contactable/core';
import { rngFrom, type Rng } from './prng.js';

/** What to generate. */
export interface GenerateOptions {
  readonly seed: string | number;
  readonly pupils: number;
  /** The export of `day` days after the first: churn applied day by day. */
  readonly day?: number;
  /** The first day's date (YYYY-MM-DD). */
  readonly today?: string;
  readonly permissionFailures?: ReadonlyArray<DataArea>;
}

/** A generated export and the date it is from. */
export interface GeneratedSchool {
  readonly snapshot: MisSnapshot;
  readonly today: string;
}

const GIVEN = [
  'Amelia', 'Oliver', 'Isla', 'George', 'Ava', 'Noah', 'Mia', 'Arthur', 'Ivy', 'Leo', 'Freya', 'Muhammad', 'Zara', 'Theo', 'Aisha', 'Oscar', 'Ruby', 'Finley', 'Chloe', 'Harry', 'Priya', 'Kwame', 'Siobhan', 'Dylan',
  'Abigail', 'Adam', 'Adebayo', 'Agnieszka', 'Alfie', 'Alice', 'Amara', 'Amir', 'Ananya', 'Archie', 'Aria', 'Ayesha', 'Bartosz', 'Bea', 'Bella', 'Ben', 'Bilal', 'Bronwen', 'Caleb', 'Callum', 'Carys', 'Chidi', 'Ciara', 'Connor',
  'Daisy', 'Daniel', 'Darius', 'Deepa', 'Eleanor', 'Elif', 'Eliza', 'Elliot', 'Emeka', 'Emily', 'Erin', 'Ethan', 'Evie', 'Fatima', 'Felix', 'Florence', 'Gabriel', 'Grace', 'Hamza', 'Hannah', 'Harper', 'Hassan', 'Hugo', 'Ibrahim',
  'Imogen', 'Ines', 'Jack', 'Jacob', 'Jasmine', 'Jay', 'Joanna', 'Joseph', 'Jude', 'Kacper', 'Kai', 'Kate', 'Keira', 'Lara', 'Layla', 'Leah', 'Lewis', 'Liam', 'Lily', 'Logan', 'Lucy', 'Luka', 'Maja', 'Maryam', 'Matilda',
  'Max', 'Maya', 'Mohammed', 'Nadia', 'Nathan', 'Niamh', 'Nia', 'Nikhil', 'Olivia', 'Omar', 'Orla', 'Poppy', 'Rafael', 'Rhys', 'Riya', 'Rory', 'Rosie', 'Sam', 'Samuel', 'Sara', 'Seren', 'Sofia', 'Sophie', 'Stanley',
  'Tariq', 'Thomas', 'Tobi', 'Tom', 'Uma', 'Victoria', 'Wiktoria', 'William', 'Willow', 'Yasmin', 'Yusuf', 'Zain', 'Zoe', 'Zofia',
];
const FAMILY = ['Smith', 'Jones', 'Taylor', 'Brown', 'Williams', 'Wilson', 'Johnson', 'Davies', 'Patel', 'Khan', 'Evans', 'Thomas', 'Roberts', "O'Neill", 'Nowak', 'Okafor', 'Singh', 'Murphy', 'Walker', 'Wright', 'Hughes', 'Green', 'Ahmed', 'Clarke'];
// Surnames have a long tail: most families share theirs with few others in a school. Made up from parts.
const FAMILY_START = ['Ash', 'Bar', 'Black', 'Brad', 'Bram', 'Brook', 'Cal', 'Carr', 'Chad', 'Cole', 'Corn', 'Cran', 'Dal', 'Dun', 'East', 'Elm', 'Fair', 'Fen', 'Gar', 'Glad', 'Gold', 'Hal', 'Hart', 'Hay', 'Hol', 'Ing', 'Kel', 'Kings', 'Lang', 'Lin', 'Mar', 'Marsh', 'Mid', 'Mor', 'New', 'North', 'Oak', 'Pem', 'Pen', 'Pres', 'Ray', 'Red', 'Ros', 'Rud', 'Sal', 'Sand', 'Stan', 'Stock', 'Sum', 'Thorn', 'Tre', 'Under', 'Wal', 'West', 'Whit', 'Wil', 'Win', 'Wood', 'Wy', 'York'];
const FAMILY_END = ['bury', 'by', 'combe', 'croft', 'dale', 'den', 'field', 'ford', 'gate', 'ham', 'head', 'hill', 'hurst', 'ington', 'land', 'ley', 'low', 'man', 'mead', 'mere', 'more', 'port', 'ridge', 'row', 'shaw', 'side', 'stead', 'stone', 'thorpe', 'ton', 'wade', 'well', 'wick', 'win', 'wood', 'worth', 'ward', 'wright', 'cott', 'bourne'];
const familyName = (rng: Rng): string => {
  const made = (): string => `${rng.pick(FAMILY_START)}${rng.pick(FAMILY_END)}`;
  const r = rng.next();
  return r < 0.05 ? rng.pick(FAMILY) : r < 0.85 ? made() : `${made()}-${made()}`;
};
const APPLICATION: ReadonlyArray<readonly [string, StandardApplicationStatus]> = [
  ['Applied', 'applied'],
  ['Offered', 'offered'],
  ['Accepted', 'accepted'],
  ['Admitted', 'admitted'],
  ['Reserved', 'reserved'],
  ['Rejected', 'rejected'],
  ['Withdrawn', 'withdrawn'],
  ['Waiting list', 'offered'],
  ['Declined place', 'withdrawn'],
];
const YEARS = ['7', '8', '9', '10', '11'];

const addDays = (date: string, days: number): string => new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
const digits = (rng: Rng, n: number): string => Array.from({ length: n }, () => String(rng.int(0, 9))).join('');

interface State {
  rng: Rng;
  today: string;
  members: MisMember[];
  contacts: Map<string, MisContact>;
  links: MisLink[];
  groups: MisGroup[];
  pupilSeq: number;
  contactSeq: number;
  staffIds: string[];
}

// 071xx: valid UK mobile numbers to libphonenumber, in a block not handed to networks.
const mobile = (rng: Rng): string => `071${digits(rng, 2)} ${digits(rng, 6)}`;

const newContact = (s: State, family: string, given: string): MisContact => {
  const rng = s.rng;
  const n = ++s.contactSeq;
  const id = `C${String(n).padStart(6, '0')}`;
  const base = `${given}.${family}${n}`.toLowerCase().replace(/[^a-z0-9.]/g, '');
  const emails: LocatedDetail[] = [];
  if (rng.chance(0.88)) {
    const r = rng.next();
    emails.push({ value: rng.chance(0.02) ? `${base}.example.org` : `${base}@example.org`, location: r < 0.7 ? 'Home' : r < 0.9 ? 'Work' : 'Other' });
    if (rng.chance(0.15)) emails.push({ value: `${base}@work.example.com`, location: rng.chance(0.5) ? 'Work' : 'Other' });
  }
  // Canonical order (Home, Work, Other), as a SIMS report's columns give them back.
  emails.sort((a, b) => ['Home', 'Work', 'Other'].indexOf(a.location) - ['Home', 'Work', 'Other'].indexOf(b.location));
  const phones: LocatedDetail[] = [];
  if (rng.chance(0.85)) phones.push({ value: rng.chance(0.02) ? `${mobile(rng)}12` : mobile(rng), location: 'Mobile' });
  if (rng.chance(0.4)) phones.push({ value: `01632 960${digits(rng, 3)}`, location: 'Home' });
  if (rng.chance(0.15)) phones.push({ value: `020 7946 0${digits(rng, 3)}`, location: 'Work' });
  const c: MisContact = { externalId: id, name: { given, family }, emails, phones };
  s.contacts.set(id, c);
  return c;
};

const newPupil = (s: State, family: string, roll: MisMember['roll']): MisMember => {
  const n = ++s.pupilSeq;
  const m: MisMember = {
    externalId: `P${String(n).padStart(6, '0')}`,
    kind: 'student',
    name: { given: s.rng.pick(GIVEN), family },
    misReference: `X${String(n).padStart(12, '0')}`,
    roll,
    parentsRefusedSharing: s.rng.chance(0.003),
  };
  s.members.push(m);
  return m;
};

const RELATIONS: ReadonlyArray<readonly [string, boolean]> = [
  ['Mother', true],
  ['Father', true],
  ['Grandparent', false],
  ['Carer', true],
];

const newFamily = (s: State, children: number, applicantChance: number): void => {
  const rng = s.rng;
  const family = familyName(rng);
  const r = rng.next();
  const count = r < 0.3 ? 1 : r < 0.75 ? 2 : r < 0.9 ? 3 : 4;
  const parents = Array.from({ length: count }, () => newContact(s, rng.chance(0.8) ? family : familyName(rng), rng.pick(GIVEN)));
  for (let k = 0; k < children; k++) {
    let roll: MisMember['roll'];
    const x = rng.next();
    if (x < applicantChance) {
      const [status, standard] = rng.pick(APPLICATION);
      const intake = rng.chance(0.8) ? addDays(s.today, rng.int(20, 300)) : addDays(s.today, -rng.int(30, 400));
      roll = { status: 'applicant', application: { status, standardStatus: standard }, intakeAdmissionDate: intake };
    } else if (x < applicantChance + 0.01) roll = { status: 'on-roll', admissionDate: addDays(s.today, rng.int(1, 60)) };
    else if (x < applicantChance + 0.02) roll = { status: 'leaver', leftOn: addDays(s.today, -rng.int(1, 200)) };
    else roll = { status: 'on-roll', admissionDate: addDays(s.today, -rng.int(30, 1800)) };
    const pupil = newPupil(s, family, roll);
    parents.forEach((p, i) => {
      const [relationship, pr] = RELATIONS[i]!;
      s.links.push({ memberExternalId: pupil.externalId, contactExternalId: p.externalId, relationship, priority: i + 1, parentalResponsibility: pr && !(relationship === 'Carer' && rng.chance(0.5)) });
    });
    // R-LNK-4: an applicant whose parent was entered again in the application, with the same email and mobile.
    if (roll.status === 'applicant' && rng.chance(0.3) && parents[0] !== undefined) {
      const orig = parents[0];
      const dup: MisContact = { ...orig, externalId: `C${String(++s.contactSeq).padStart(6, '0')}` };
      s.contacts.set(dup.externalId, dup);
      const first = s.links.findIndex((l) => l.memberExternalId === pupil.externalId && l.contactExternalId === orig.externalId);
      s.links[first] = { ...s.links[first]!, contactExternalId: dup.externalId };
    }
  }
};

const onRoll = (m: MisMember, today: string): boolean => m.kind === 'student' && m.roll.status === 'on-roll' && (m.roll.admissionDate === null || m.roll.admissionDate <= today);

const build = (s: State, permissionFailures: ReadonlyArray<DataArea>, linked = new Set(s.links.map((l) => l.contactExternalId))): MisSnapshot => ({
  source: { system: 'sims', schoolRef: '999/4001', schoolName: 'Example Academy', region: 'GB' },
  areas: ['contacts', 'groups', 'members', 'staff'],
  permissionFailures: [...permissionFailures].sort(),
  members: [...s.members.filter((m) => m.kind === 'student'), ...s.members.filter((m) => m.kind === 'staff')],
  // An MIS export lists a contact under the people it is linked to: one linked to no one is not in it.
  contacts: [...s.contacts.values()].filter((c) => linked.has(c.externalId)),
  links: s.links,
  groups: s.groups,
});

const churn = (s: State, day: number): void => {
  const rng = s.rng;
  const today = addDays(s.today, day);
  const pupils = s.members.filter((m) => onRoll(m, today));
  const n = Math.max(1, Math.round(pupils.length * 0.003));
  const leaving = new Set<string>();
  for (let i = 0; i < n && pupils.length > 0; i++) leaving.add(rng.pick(pupils).externalId);
  s.members = s.members.flatMap((m) => {
    if (!leaving.has(m.externalId)) return [m];
    return rng.chance(0.5) ? [] : [{ ...m, roll: { status: 'leaver' as const, leftOn: today } }];
  });
  const present = new Set(s.members.map((m) => m.externalId));
  s.links = s.links.filter((l) => present.has(l.memberExternalId));
  s.groups = s.groups.map((g) => ({ ...g, memberExternalIds: g.memberExternalIds.filter((id) => !leaving.has(id)) }));
  for (let i = 0; i < n; i++) {
    const before = s.members.length;
    newFamily(s, 1, 0);
    const joiner = s.members[before]!;
    s.members[before] = { ...joiner, roll: { status: 'on-roll', admissionDate: today } };
    const yearId = `Y${rng.pick(YEARS)}`;
    const year = s.groups.find((g) => g.externalId === yearId);
    if (year !== undefined) (year.memberExternalIds as string[]).push(joiner.externalId);
  }
  const withMobile = [...s.contacts.values()].filter((c) => c.phones.some((p) => p.location === 'Mobile'));
  const changes = Math.max(1, Math.round(pupils.length * 0.004));
  for (let i = 0; i < changes && withMobile.length > 0; i++) {
    const c = rng.pick(withMobile);
    s.contacts.set(c.externalId, { ...c, phones: c.phones.map((p) => (p.location === 'Mobile' ? { ...p, value: mobile(rng) } : p)) });
  }
};

/** Generates a school's export for a day. */
export const generateSchool = (o: GenerateOptions): GeneratedSchool => {
  const start = o.today ?? '2026-09-01';
  const s: State = { rng: rngFrom(`school:${o.seed}`), today: start, members: [], contacts: new Map(), links: [], groups: [], pupilSeq: 0, contactSeq: 0, staffIds: [] };
  while (s.pupilSeq < o.pupils) {
    const r = s.rng.next();
    newFamily(s, Math.min(o.pupils - s.pupilSeq, r < 0.6 ? 1 : r < 0.9 ? 2 : 3), 0.07);
  }
  const staffCount = Math.max(2, Math.round(o.pupils / 15));
  for (let i = 1; i <= staffCount; i++) {
    const id = `S${String(i).padStart(5, '0')}`;
    const family = familyName(s.rng);
    const given = s.rng.pick(GIVEN);
    s.members.push({ externalId: id, kind: 'staff', name: { given, family }, misReference: `T${String(i).padStart(3, '0')}`, roll: { status: 'on-roll', admissionDate: null }, parentsRefusedSharing: false });
    const own: MisContact = { externalId: `SC${String(i).padStart(5, '0')}`, name: { given, family }, emails: [{ value: `${given}.${family}.staff${i}@school.example.org`.toLowerCase().replace(/[^a-z0-9.@]/g, ''), location: 'Work' }], phones: [{ value: mobile(s.rng), location: 'Mobile' }] };
    s.contacts.set(own.externalId, own);
    s.links.push({ memberExternalId: id, contactExternalId: own.externalId, relationship: 'Self', priority: 1, parentalResponsibility: false });
    s.staffIds.push(id);
  }
  // Groups: a year group and classes per year (a teacher in each), some teaching groups, one inactive group.
  const current = s.members.filter((m) => onRoll(m, start));
  const byYear = new Map<string, string[]>(YEARS.map((y) => [y, []]));
  for (const m of current) byYear.get(s.rng.pick(YEARS))!.push(m.externalId);
  for (const y of YEARS) {
    const ids = byYear.get(y)!;
    s.groups.push({ externalId: `Y${y}`, name: `Year ${y}`, kind: 'year', active: true, memberExternalIds: [...ids] });
    const classes = Math.max(1, Math.min(4, Math.ceil(ids.length / 30)));
    for (let k = 0; k < classes; k++) {
      s.groups.push({
        externalId: `${y}${'ABCD'[k]}`,
        name: `${y}${'ABCD'[k]}`,
        kind: 'class',
        active: true,
        memberExternalIds: [s.rng.pick(s.staffIds), ...ids.filter((_, i) => i % classes === k)],
      });
    }
  }
  for (let k = 1; k <= 3; k++) {
    s.groups.push({ externalId: `T${k}`, name: `Teaching group ${k}`, kind: 'teaching', active: true, memberExternalIds: current.filter(() => s.rng.chance(0.1)).map((m) => m.externalId) });
  }
  s.groups.push({ externalId: 'OLD1', name: 'Last year chess club', kind: 'teaching', active: false, memberExternalIds: current.slice(0, 5).map((m) => m.externalId) });
  const day = o.day ?? 0;
  for (let d = 1; d <= day; d++) {
    s.rng = rngFrom(`school:${o.seed}:day:${d}`);
    churn(s, d);
  }
  return { snapshot: build(s, o.permissionFailures ?? []), today: addDays(start, day) };
};
