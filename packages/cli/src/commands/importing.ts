/** `import` (R-IMP-1..12) and `generate` (the synthetic school). */
import { closeSync, createWriteStream, existsSync, mkdirSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import {
  Percent,
  contactDecider,
  contactStream,
  describeIdentity,
  handleCommand,
  memberIdFor,
  loadHeldState,
  loadImportSettings,
  normaliseNameText,
  normalisedName,
  parseImportSettings,
  planAddressBook,
  planCounts,
  runImport,
  schoolDecider,
  schoolStream,
  type ImportLimitsOverride,
  type ImportPlan,
  type ImportSettings,
  type MisSnapshot,
  type RefreshTarget,
} from '@contactable/core';
import { ctfChunks, fileSource, generateSchool, parseAddressBookCsv, parseCtf, parseOneRoster, parseSimsCsv, simsCsvChunks, type ParseError } from '@contactable/adapters-sims';
import { providersFromUrls, sendConfirmations, storeDirectory } from '@contactable/adapters-messaging';
import { uuidV7Ids } from '@contactable/adapters-store';
import { namePlan, officeText, type NamedEntry, type NamedPlan, type Views } from '@contactable/projections';
import { flag, str, strs, type Command } from '../command.js';
import { contactLabel, handled, memberLabel, resolveContacts, resolveMember, todayFrom, wholeNumber, type CliContext } from '../context.js';
import { CliError, usageError } from '../errors.js';
import { progressBar } from '../progress.js';

/** The export formats `import` reads. */
export type ImportFormat = 'ctf' | 'sims-csv' | 'oneroster' | 'address-book';
const FORMATS: ReadonlyArray<ImportFormat> = ['ctf', 'sims-csv', 'oneroster', 'address-book'];

const head = (path: string): string => {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(1024);
    const n = readSync(fd, buf, 0, buf.length, 0);
    const b = buf.subarray(0, n);
    // A UTF-16 export (a BOM, or ASCII with a zero byte beside each character) is told apart as the parsers do.
    const le = (b[0] === 0xff && b[1] === 0xfe) || (b[0] !== 0 && b[1] === 0 && b[2] !== 0 && b[3] === 0);
    const be = (b[0] === 0xfe && b[1] === 0xff) || (b[0] === 0 && b[1] !== 0 && b[2] === 0 && b[3] !== 0);
    const even = b.subarray(0, b.length & ~1);
    const text = le ? even.toString('utf16le') : be ? Buffer.from(even).swap16().toString('utf16le') : b.toString('utf8');
    return text.replace(/^\uFEFF/, '');
  } finally {
    closeSync(fd);
  }
};

/** Guesses an export's format from its name and first bytes; null when it cannot tell. */
export const guessFormat = (path: string): ImportFormat | null => {
  const st = statSync(path);
  if (st.isDirectory()) {
    if (existsSync(join(path, 'users.csv'))) return 'oneroster';
    if (existsSync(join(path, 'students.csv'))) return 'sims-csv';
    return null;
  }
  if (/\.zip$/i.test(path)) return 'oneroster';
  const start = head(path).trimStart();
  if (start.startsWith('<')) return 'ctf';
  const header = start.split(/\r?\n/)[0]?.toLowerCase() ?? '';
  if (header.includes('reference') && header.includes('forename') && header.includes('surname') && !header.includes('upn')) return 'address-book';
  return null;
};

const parseFailure = (e: ParseError): CliError =>
  new CliError(
    `${e.message}\nNothing was imported; the store is unchanged. ` +
      (e.code === 'over-limit' ? `Check the export; if it is right, raise limits.${e.limit ?? ''} in the import settings (--settings FILE).` : 'Fix the export (or choose --format) and run the import again.'),
  );

/** Reads an export into a snapshot, under the import limits. */
export const readExport = async (path: string, format: Exclude<ImportFormat, 'address-book'>, limits: ImportLimitsOverride = {}): Promise<MisSnapshot> => {
  let r: E.Either<ParseError, MisSnapshot>;
  switch (format) {
    case 'ctf':
      r = await parseCtf(fileSource(path), { limits });
      break;
    case 'oneroster':
      r = await parseOneRoster(statSync(path).isDirectory() ? { folder: path } : { zip: fileSource(path) }, { limits });
      break;
    case 'sims-csv': {
      if (!statSync(path).isDirectory()) throw new CliError(`${path}: a SIMS CSV export is a folder holding students.csv and contacts.csv (and staff.csv, groups.csv when exported).`);
      const f = (name: string) => join(path, name);
      for (const required of ['students.csv', 'contacts.csv']) if (!existsSync(f(required))) throw new CliError(`${path}: ${required} is missing from the SIMS CSV export.`);
      r = await parseSimsCsv({
        students: fileSource(f('students.csv')),
        contacts: fileSource(f('contacts.csv')),
        ...(existsSync(f('staff.csv')) ? { staff: fileSource(f('staff.csv')) } : {}),
        ...(existsSync(f('groups.csv')) ? { groups: fileSource(f('groups.csv')) } : {}),
      }, { limits });
      break;
    }
  }
  if (E.isLeft(r)) throw parseFailure(r.left);
  return r.right;
};

const settingsFor = async (ctx: CliContext, file: string | undefined): Promise<ImportSettings> => {
  if (file === undefined) {
    const saved = await loadImportSettings(await ctx.store(), ctx.schoolId);
    if (E.isLeft(saved)) throw new CliError(saved.left.message);
    return saved.right;
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new CliError(`cannot read the settings file ${file}: check the path.`);
  }
  const parsed = parseImportSettings(text, file);
  if (E.isLeft(parsed)) throw new CliError(`${parsed.left.message}\nNothing was imported.`);
  return parsed.right;
};

const nameOf = (list: ReadonlyArray<NamedEntry>) => {
  const byId = new Map(list.map((e) => [e.id, e]));
  return (id: string) => byId.get(id);
};

/** The issues of a plan, as the stable JSON shape, with the names of the people they are about. */
export const planIssues = (plan: ImportPlan, named?: NamedPlan) => {
  const stale = nameOf(named?.issues.stalePreAdmissions ?? []);
  const email = nameOf(named?.issues.invalidEmails ?? []);
  const mobile = nameOf(named?.issues.invalidMobiles ?? []);
  return [
    ...plan.permissionFailures.map((f) => ({ type: 'permissions', memberId: null, contactId: null, detail: `${f.area} could not be read: needs the ${f.permissionGroup} permission group` })),
    ...plan.issues.stalePreAdmissions.map((memberId) => ({ type: 'stale-pre-admission', memberId, contactId: null, detail: 'pre-admission from an earlier intake still open in the MIS', memberName: stale(memberId)?.name ?? null, misReference: stale(memberId)?.misReference ?? null })),
    ...plan.issues.invalidEmails.map((contactId) => ({ type: 'invalid-email', memberId: null, contactId, detail: 'the email address is badly formed', contactName: email(contactId)?.name ?? null })),
    ...plan.issues.invalidMobiles.map((contactId) => ({ type: 'invalid-mobile', memberId: null, contactId, detail: 'the mobile number is badly formed', contactName: mobile(contactId)?.name ?? null })),
    ...plan.warnings.map((w) => ({ type: 'warning', memberId: null, contactId: null, detail: `${w.code}: ${w.message}` })),
  ];
};

const SHOWN = 10;
const who = (list: ReadonlyArray<NamedEntry>): string =>
  list.length === 0 ? '' : `: ${list.slice(0, SHOWN).map((e) => `${e.name}${e.misReference === null ? '' : ` (${e.misReference})`}${e.what === null ? '' : ` [${e.what}]`}`).join(', ')}${list.length > SHOWN ? `, and ${list.length - SHOWN} more` : ''}`;

/** A plan as lines for the office: who is added, changed and marks as leaver, by name and MIS reference. */
export const describeNamedPlan = (plan: ImportPlan, n: NamedPlan): string =>
  [
    `Import for school ${plan.schoolId} from ${plan.system} on ${plan.today}${plan.firstImport ? ' (the first import: no confirmations are sent)' : ''}`,
    `Members: ${n.members.added.length} added, ${n.members.changed.length} changed, ${n.members.leavers.length} leaver(s)`,
    ...(n.members.leavers.length > 0 ? [`  leavers (marked, not deleted)${who(n.members.leavers)}`] : []),
    ...(n.members.added.length > 0 ? [`  added${who(n.members.added)}`] : []),
    ...(n.members.changed.length > 0 ? [`  changed${who(n.members.changed)}`] : []),
    `Linked people: ${n.contacts.added.length} added, ${n.contacts.changed.length} changed`,
    ...(n.contacts.added.length > 0 ? [`  added${who(n.contacts.added)}`] : []),
    ...(n.contacts.changed.length > 0 ? [`  changed${who(n.contacts.changed)}`] : []),
    `Groups: ${n.groups.added.length} added, ${n.groups.changed.length} changed${who([...n.groups.added, ...n.groups.changed])}`,
    `Pre-admissions linked to a parent the school already holds: ${plan.linkedToExistingParent}`,
    `Confirmations to send: ${plan.confirmations.length}`,
    `Issues: ${n.permissionFailures.length} missing MIS permission(s)${n.permissionFailures.length > 0 ? ` (${n.permissionFailures.map((f) => `${f.area}: needs the ${f.permissionGroup} permission group`).join('; ')})` : ''}, ${n.issues.stalePreAdmissions.length} old pre-admission(s) still open${who(n.issues.stalePreAdmissions)}, ${n.issues.invalidEmails.length} badly formed email address(es)${who(n.issues.invalidEmails)}, ${n.issues.invalidMobiles.length} badly formed mobile number(s)${who(n.issues.invalidMobiles)}`,
    ...n.warnings.map((w) => `Warning: ${w}`),
    `Not imported: ${n.skipped.length === 0 ? 'none' : n.skipped.map((x) => `${x.count} ${x.reason}`).join(', ')}`,
    `Changes to record: ${n.events}${n.events === 0 ? ' (nothing changed)' : ''}`,
  ].join('\n');

/** Names a plan for the office; the views are read once the plan is made (dry run) or recorded. */
const named = (plan: ImportPlan, views: Views): Promise<NamedPlan> => namePlan(plan, views);

const importAddressBook = async (ctx: CliContext, path: string, dryRun: boolean, settings: ImportSettings): Promise<void> => {
  const parsed = await parseAddressBookCsv(fileSource(path), { limits: settings.limits ?? {} });
  if (E.isLeft(parsed)) throw parseFailure(parsed.left);
  const held = await loadHeldState(await ctx.store(), ctx.schoolId);
  if (E.isLeft(held)) throw new CliError(held.left.message);
  const plan = planAddressBook(parsed.right.entries, held.right);
  // What reading the file changed (control characters removed) comes first; an upload records no run, so it is shown here.
  const warnings = [...parsed.right.warnings, ...plan.warnings];
  let appended = 0;
  if (!dryRun) {
    const deps = await ctx.deps();
    const runId = uuidV7Ids.next();
    for (const c of plan.commands) {
      const r = handled(await handleCommand(deps, contactDecider, contactStream(c.id), c.command, { schoolId: ctx.schoolId, actor: { kind: 'import', runId }, reason: `address-book upload ${basename(path)}` }));
      appended += r.appended.length;
    }
  }
  const added = plan.commands.filter((c) => c.change === 'add').length;
  const json = {
    dryRun,
    members: { added: 0, changed: 0, leavers: 0 },
    contacts: { added, changed: plan.commands.length - added },
    eventsAppended: appended,
    issues: warnings.map((w) => ({ type: 'warning', memberId: null, contactId: null, detail: `${w.code}: ${w.message}` })),
  };
  ctx.out.result(json, () => {
    ctx.out.line(`Address book ${basename(path)}: ${json.contacts.added} linked people added, ${json.contacts.changed} changed${dryRun ? ' (dry run: nothing written)' : `, ${appended} changes recorded`}`);
    for (const w of warnings) ctx.out.line(`Warning: ${officeText(w.message)}`);
  });
};

/**
 * `--refresh-member` / `--refresh-contact`: any id form an office uses (our id, an MIS reference such as a
 * UPN, the export's own id, an exact name; for a contact also an email address or mobile number), mapped
 * to the export's own id. One that names nobody, or someone this export does not hold, is an error.
 */
export const refreshTargetFrom = async (ctx: CliContext, snapshot: MisSnapshot, source: string, member: string | undefined, contact: string | undefined): Promise<RefreshTarget | undefined> => {
  const system = snapshot.source.system;
  if (member !== undefined) {
    const ref = member.trim();
    const direct = snapshot.members.filter((m) => m.externalId === ref || (m.misReference !== null && m.misReference.toLowerCase() === ref.toLowerCase()));
    if (direct.length === 1) return { member: direct[0]!.externalId };
    const extOf = new Map(snapshot.members.map((m) => [memberIdFor(ctx.schoolId, system, m.externalId), m.externalId]));
    let memberId: string;
    try {
      memberId = await resolveMember(await ctx.views(), ref);
    } catch (notHeld) {
      // Someone new in this export, named by name.
      const wanted = normaliseNameText(ref);
      const named = wanted === '' ? [] : snapshot.members.filter((m) => normalisedName(m.name) === wanted);
      if (named.length === 1) return { member: named[0]!.externalId };
      if (named.length > 1) throw new CliError(`--refresh-member "${ref}": ${named.length} members of ${source} have that name; use the MIS reference (UPN) or the export's id.`);
      throw new CliError(`--refresh-member: ${notHeld instanceof Error ? notHeld.message : String(notHeld)} (nor is anyone in ${source} known by it). Nothing was imported.`);
    }
    const ext = extOf.get(memberId);
    const held = await (await ctx.views()).member(memberId);
    if (ext === undefined) throw new CliError(`--refresh-member: ${held === null ? memberId : memberLabel(held)} is held, but ${source} does not hold them: there is nothing to refresh them from. Nothing was imported.`);
    return { member: ext };
  }
  if (contact !== undefined) {
    const ref = contact.trim();
    const exts = new Set(snapshot.contacts.map((c) => c.externalId));
    if (exts.has(ref)) return { contact: ref };
    const found = await resolveContacts(await ctx.views(), ref);
    const inExport = found.filter((c) => c.sourceIds.some((id) => exts.has(id)));
    if (inExport.length > 1) throw new CliError(`--refresh-contact "${ref}" names ${inExport.length} contacts of ${source}; refresh one at a time, by their own id:\n${inExport.map((c) => `  ${contactLabel(c)} (${c.contactId})`).join('\n')}`);
    const c = inExport[0];
    if (c === undefined) throw new CliError(`--refresh-contact: ${found.map(contactLabel).join('; ')} ${found.length === 1 ? 'is' : 'are'} held, but ${source} does not hold them: there is nothing to refresh from. Nothing was imported.`);
    return { contact: [...c.sourceIds].filter((id) => exts.has(id)).sort()[0]! };
  }
  return undefined;
};

/** A percentage option (0 to 100); anything else is a usage error naming the option. */
const percentOption = (value: string | undefined, option: string, usage: string): number | undefined => {
  if (value === undefined) return undefined;
  const n = value.trim() === '' ? Number.NaN : Number(value.replace(/%$/, ''));
  if (!Percent.is(n)) throw usageError(`${option} must be a percentage from 0 to 100 (got "${value}")`, usage);
  return n;
};

/** `import FILE [--format F] [--settings FILE] [--today D] [--dry-run]` */
export const importCommand: Command = {
  name: 'import',
  summary: 'Sync from an MIS export (CTF XML, SIMS CSV folder, OneRoster folder or zip, address-book CSV); records only change',
  usage:
    'contactable import FILE [--format ctf|sims-csv|oneroster|address-book] [--settings FILE [--save-settings --by NAME]] [--today YYYY-MM-DD] [--dry-run]\n' +
    '                        [--refresh-member MEMBER | --refresh-contact CONTACT] [--provider URL ...]\n' +
    '                        [--allow-mass-change --by NAME] [--mass-change-threshold PERCENT]\n' +
    '  --today D                  the day the export describes (events still record the real time)\n' +
    '  --dry-run                  print the plan as a diff and write nothing\n' +
    '  --refresh-member M         a targeted refresh of one member (or --refresh-contact C), by any id, MIS reference or name\n' +
    '  --provider URL             where to send confirmations of new or changed details (one per channel; repeat for email and texts);\n' +
    '                             without one they wait in the outbox for: contactable send-pending --provider URL\n' +
    '  --allow-mass-change        go ahead although the import would mark many leavers or unlink many contacts (recorded with --by)\n' +
    '  --mass-change-threshold P  the guard\'s threshold for this run, 0-100 (default: the settings\' massChangeThreshold, 10)',
  options: {
    format: { type: 'string' },
    settings: { type: 'string' },
    'save-settings': { type: 'boolean' },
    by: { type: 'string' },
    today: { type: 'string' },
    'dry-run': { type: 'boolean' },
    'refresh-member': { type: 'string' },
    'refresh-contact': { type: 'string' },
    provider: { type: 'string', multiple: true },
    'allow-mass-change': { type: 'boolean' },
    'mass-change-threshold': { type: 'string' },
  },
  needsStore: true,
  run: async (ctx, args) => {
    const path = args.positionals[0];
    if (path === undefined) throw usageError('name the export file or folder', importCommand.usage);
    if (!existsSync(path)) throw new CliError(`${path} does not exist: check the path to the export.`);
    const given = str(args, 'format');
    if (given !== undefined && !(FORMATS as ReadonlyArray<string>).includes(given)) throw usageError(`--format must be one of ${FORMATS.join(', ')}`, importCommand.usage);
    const format = (given as ImportFormat | undefined) ?? guessFormat(path);
    if (format === null) throw new CliError(`cannot tell the format of ${path}: give --format ${FORMATS.join('|')}.`);
    const dryRun = flag(args, 'dry-run');
    const allow = flag(args, 'allow-mass-change');
    const by = str(args, 'by')?.trim();
    if (allow && (by === undefined || by === '')) throw usageError('--allow-mass-change is recorded with who allowed it: add --by "Your Name"', importCommand.usage);
    const threshold = percentOption(str(args, 'mass-change-threshold'), '--mass-change-threshold', importCommand.usage);
    // Bad provider URLs fail before anything is read or written.
    const providers = providersFromUrls(strs(args, 'provider'));
    if (E.isLeft(providers)) throw usageError(providers.left.message, importCommand.usage);
    // --today names the day the export describes; every event still records the real time.
    const today = todayFrom(str(args, 'today'), ctx.clock, await ctx.zone());
    const read = await settingsFor(ctx, str(args, 'settings'));
    const settings: ImportSettings = threshold === undefined ? read : { ...read, massChangeThreshold: threshold };
    if (flag(args, 'save-settings') && !dryRun && str(args, 'settings') === undefined) throw usageError('--save-settings saves the file given with --settings', importCommand.usage);
    if (format === 'address-book') return importAddressBook(ctx, path, dryRun, settings);
    if (!ctx.out.json && process.stderr.isTTY === true) ctx.out.note(`reading ${basename(path)}...`);
    const snapshot = await readExport(path, format, settings.limits ?? {});
    const only = await refreshTargetFrom(ctx, snapshot, basename(path), str(args, 'refresh-member'), str(args, 'refresh-contact'));
    const runId = uuidV7Ids.next();
    const started = Date.now();
    const showProgress = !ctx.out.json && process.stderr.isTTY === true;
    const planning = progressBar('planning', showProgress);
    const writing = progressBar('writing (log and views)', showProgress);
    const outcome = await runImport(await ctx.deps(), snapshot, settings, today, {
      dryRun,
      runId,
      format,
      sourceName: basename(path),
      schoolId: ctx.schoolId,
      ...(only !== undefined ? { only } : {}),
      ...(allow && by !== undefined ? { allowMassChange: { by } } : {}),
      onProgress: (step, done, total) => {
        if (step === 'plan') {
          planning.update(done, total);
          planning.finish();
        } else writing.update(done, total);
      },
    });
    writing.finish();
    if (E.isLeft(outcome)) {
      if (outcome.left._tag === 'MassChangeRefused') throw new CliError(outcome.left.message);
      const cause = outcome.left._tag === 'ImportInterrupted' ? outcome.left.cause : null;
      if (process.env.CONTACTABLE_DEBUG === '1' && cause !== null) ctx.out.note(`cause: ${cause instanceof Error ? (cause.stack ?? cause.message) : String(cause)}`);
      throw new CliError(`${outcome.left.message}${cause instanceof Error ? ` (${cause.message.split('\n')[0]})` : ''}\nRun the import again: it carries on where it stopped and records nothing twice.`);
    }
    const o = outcome.right;
    // Saved once the import is through (a refused import writes nothing, settings included).
    if (flag(args, 'save-settings') && !dryRun) {
      handled(await handleCommand(await ctx.deps(), schoolDecider, schoolStream(ctx.schoolId), { type: 'ChangeImportSettings', settings }, { schoolId: ctx.schoolId, actor: by === undefined ? { kind: 'import', runId } : { kind: 'person', name: by }, reason: 'import settings saved' }));
    }
    const counts = planCounts(o.plan);
    const confirmations = o.plan.confirmations;
    const confirmed = { planned: confirmations.length, queued: 0, handedOver: 0, pending: 0 };
    if (!dryRun && confirmations.length > 0) {
      // Into the outbox always; sent now through the provider for each channel given, the rest by send-pending (R-CON-10).
      const sent = await sendConfirmations(
        { ...(await ctx.deps()), schoolId: ctx.schoolId, directory: storeDirectory(await ctx.store()), email: providers.right.email, sms: providers.right.sms, actor: { kind: 'import', runId } },
        confirmations,
        { messageId: `confirm-${runId}` },
      );
      if (E.isLeft(sent)) ctx.out.note(`confirmations: ${sent.left.message}`);
      else {
        confirmed.queued = sent.right.queued.reduce((n, q) => n + q.recipients, 0);
        confirmed.handedOver = sent.right.reports.reduce((n, r) => n + r.handedOver, 0);
        confirmed.pending = sent.right.pending.reduce((n, q) => n + q.recipients, 0);
        if (sent.right.pending.length > 0) {
          ctx.out.note(`${confirmed.pending} confirmation(s) of new or changed details wait in the outbox (${sent.right.pending.map((q) => q.channel).join(' and ')}: no provider given); send them with: contactable send-pending --provider URL`);
        }
      }
    }
    const namedPlan = await named(o.plan, await ctx.views());
    // Names for what the plan found to be one person, from the export in hand (a plan holds ids only).
    const memberNames = new Map(snapshot.members.map((m) => [memberIdFor(ctx.schoolId, snapshot.source.system, m.externalId), `${m.name.given} ${m.name.family}`.trim()]));
    const json = {
      dryRun,
      format,
      today,
      recorded: o.recorded,
      partial: o.plan.partial,
      members: { added: counts.membersAdded, changed: counts.membersChanged, leavers: counts.leavers, excluded: counts.excluded },
      contacts: { added: counts.contactsAdded, changed: counts.contactsChanged },
      groups: { added: counts.groupsAdded, changed: counts.groupsChanged },
      eventsAppended: o.counts.eventsAppended,
      confirmations: confirmed,
      massChange: { ...o.plan.massChange, allowedBy: allow && o.recorded ? (by ?? null) : null },
      refused: o.refused,
      issues: planIssues(o.plan, namedPlan),
      identities: o.plan.identities.map((n) => ({
        contactId: n.contactId,
        contactName: `${n.name.given} ${n.name.family}`.trim(),
        members: n.memberIds.map((memberId) => ({ memberId, memberName: memberNames.get(memberId) ?? null })),
        records: n.records,
        joined: n.joined,
        because: n.because,
        isNew: n.isNew,
      })),
    };
    ctx.out.result(json, () => {
      ctx.out.line(describeNamedPlan(o.plan, namedPlan));
      const notes = o.plan.identities.filter((n) => n.memberIds.length > 1 || n.joined.length > 0);
      if (notes.length > 0) {
        ctx.out.line(`One person, one contact: ${notes.length} contact(s) stand for more than one record or member`);
        for (const n of notes.slice(0, 20)) ctx.out.line(`  ${officeText(describeIdentity(n, (id) => memberNames.get(id) ?? null))}`);
        if (notes.length > 20) ctx.out.line(`  and ${notes.length - 20} more (see --json)`);
      }
      ctx.out.line();
      ctx.out.line(dryRun ? 'Dry run: nothing was written.' : o.recorded ? `Recorded: ${o.counts.eventsAppended} events in ${((Date.now() - started) / 1000).toFixed(1)}s.` : 'Nothing changed: nothing was recorded.');
      for (const r of o.refused) ctx.out.line(`refused: ${officeText(r.message)}`);
    });
  },
};

/** The most pupils `generate` writes: the benchmarks' largest school (importing more than limits.maxPupils needs the limit raised). */
export const MAX_GENERATED_PUPILS = 200_000;
/** The latest day `generate` plays churn to (each day costs a pass over the school). */
export const MAX_GENERATED_DAY = 366;

/** `generate --pupils N [--seed S] [--day D] [--today YYYY-MM-DD] --format ctf|sims-csv --out PATH` */
export const generate: Command = {
  name: 'generate',
  summary: 'Write a synthetic school (deterministic from a seed; --day N for the export N days later, with churn)',
  usage:
    'contactable generate --pupils N [--seed S] [--day D] [--today YYYY-MM-DD] --format ctf|sims-csv [--plain] --out PATH\n' +
    '  --plain   a CTF as any MIS writes it: none of our extension (no contact or person ids, no staff or groups)',
  options: { pupils: { type: 'string' }, seed: { type: 'string' }, day: { type: 'string' }, today: { type: 'string' }, format: { type: 'string' }, out: { type: 'string' }, plain: { type: 'boolean' } },
  needsStore: false,
  run: async (ctx, args) => {
    const pupils = wholeNumber(str(args, 'pupils'), '--pupils', 1, MAX_GENERATED_PUPILS);
    const day = wholeNumber(str(args, 'day'), '--day (days after the first export)', 0, MAX_GENERATED_DAY, 0);
    const format = str(args, 'format');
    if (format !== 'ctf' && format !== 'sims-csv') throw usageError('--format must be ctf or sims-csv', generate.usage);
    const out = str(args, 'out');
    if (out === undefined) throw usageError('--out PATH is required (a file for ctf, a folder for sims-csv)', generate.usage);
    const today = str(args, 'today');
    if (today !== undefined) todayFrom(today, ctx.clock);
    const school = generateSchool({ seed: str(args, 'seed') ?? 'contactable', pupils, day, ...(today !== undefined ? { today } : {}) });
    const write = async (file: string, chunks: Iterable<string>): Promise<void> => {
      const stream = createWriteStream(file);
      for (const c of chunks) if (!stream.write(c)) await new Promise<void>((r) => stream.once('drain', () => r()));
      await new Promise<void>((resolve, reject) => stream.end((e?: Error | null) => (e ? reject(e) : resolve())));
    };
    if (flag(args, 'plain') && format !== 'ctf') throw usageError('--plain applies to --format ctf', generate.usage);
    if (format === 'ctf') await write(out, ctfChunks(school.snapshot, { plain: flag(args, 'plain') }));
    else {
      mkdirSync(out, { recursive: true });
      const chunks = simsCsvChunks(school.snapshot);
      for (const [name, gen] of Object.entries(chunks)) await write(join(out, `${name}.csv`), (gen as () => Iterable<string>)());
    }
    const json = { format, out, pupils, day, today: school.today, members: school.snapshot.members.length, contacts: school.snapshot.contacts.length };
    ctx.out.result(json, () => ctx.out.line(`wrote ${format} of ${json.members} members and ${json.contacts} contacts (day ${day}, ${school.today}) to ${out}`));
  },
};

