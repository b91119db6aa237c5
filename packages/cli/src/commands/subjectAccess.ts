/**
 * `subject-access PERSON --by NAME [--out FILE]`: everything held on a member or contact (GDPR
 * Art. 15) as JSON and as a printable HTML page, times in the school's zone; the report is recorded as
 * an event on the school's stream (who asked for it, when), its free-text reason sealed under the
 * person's own key.
 */
import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { DEFAULT_TIME_ZONE, handleCommand, schoolDecider, schoolStream, type TimeZone } from '@contactable/core';
import { subjectAccessReport, type SubjectAccessReport, type SubjectAccessSubject } from '@contactable/projections';
import { str, type Command } from '../command.js';
import { handled, person, reasonCodeFrom, resolveContact, resolveMember } from '../context.js';
import { CliError, usageError } from '../errors.js';
import { schoolTime } from '../schoolTime.js';

/** Escapes text for HTML (element content and quoted attribute values alike). */
export const escapeHtml = (value: unknown): string =>
  String(value ?? '').replace(/[&<>"'`]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' })[c]!);

/** The JSON document: the report, who asked, when, and every instant also in the school's time (`…Local`, zone in `timeZone`). */
export const subjectAccessDocument = (
  report: SubjectAccessReport,
  meta: { readonly schoolId: string; readonly generatedAt: string; readonly requestedBy: string; readonly timeZone?: TimeZone },
) => {
  const zone = meta.timeZone ?? DEFAULT_TIME_ZONE;
  const local = (at: string): string => schoolTime(at, zone);
  const withLocal = <T extends { readonly at: string }>(e: T) => ({ ...e, atLocal: local(e.at) });
  return {
    report: 'subject access (GDPR Art. 15)',
    school: meta.schoolId,
    generatedAt: meta.generatedAt,
    generatedAtLocal: local(meta.generatedAt),
    requestedBy: meta.requestedBy,
    timeZone: zone,
    subject: report.subject,
    status: report.status,
    mergedRecords: report.mergedRecords,
    details: report.details.map((d) => ({ ...d, sinceLocal: d.since === null ? null : local(d.since) })),
    links: report.links,
    consent: report.consent.map(withLocal),
    deliveries: report.deliveries.map(withLocal),
    messages: report.messages.map((m) => ({ ...m, requestedAtLocal: m.requestedAt === null ? null : local(m.requestedAt) })),
    dataIssues: report.dataIssues.map((i) => ({ ...i, raisedAtLocal: local(i.raisedAt) })),
    otherRecords: report.otherRecords.map(withLocal),
    auditTrail: report.auditTrail.map((a) => ({
      at: a.at,
      atLocal: local(a.at),
      event: a.type,
      actor: a.actor,
      reasonCode: a.reasonCode,
      reason: a.reason,
      summary: a.summary,
      position: a.position,
      // Written under a simulated clock (a demo, a rehearsal on a later day): said beside its time.
      simulatedClock: a.simulatedClock,
    })),
  };
};

type Doc = ReturnType<typeof subjectAccessDocument>;

const table = (headers: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<unknown>>): string =>
  rows.length === 0
    ? '<p class="none">None held.</p>'
    : `<table><thead><tr>${headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${rows
        .map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c === null || c === undefined ? '' : c)}</td>`).join('')}</tr>`)
        .join('')}</tbody></table>`;

const why = (code: string | null, reason: string | null): string => (code === null ? (reason ?? '') : reason === null ? code : `${code}: ${reason}`);

/** The printable page: every value escaped, times in the school's zone. */
export const subjectAccessHtml = (doc: Doc): string => {
  const name = doc.details.find((d) => d.field === 'name')?.value ?? doc.subject.id;
  const events = (rows: Doc['consent']) => table(['When', 'Event', 'Who', 'Why', 'What'], rows.map((e) => [e.atLocal, e.event, e.actor, why(e.reasonCode, e.reason), e.summary]));
  return `<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<title>Subject access report: ${escapeHtml(name)}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2em; color: #111; }
h1 { font-size: 1.4em; } h2 { font-size: 1.1em; margin-top: 1.6em; border-bottom: 1px solid #999; }
table { border-collapse: collapse; width: 100%; font-size: 0.9em; } th, td { border: 1px solid #bbb; padding: 0.3em 0.5em; text-align: left; vertical-align: top; }
th { background: #eee; } .none { color: #555; font-style: italic; } .meta td:first-child { width: 14em; font-weight: 600; }
@media print { body { margin: 1cm; } h2 { break-after: avoid; } tr { break-inside: avoid; } }
</style>
</head>
<body>
<h1>Subject access report: ${escapeHtml(name)}</h1>
<table class="meta"><tbody>
<tr><td>Who</td><td>${escapeHtml(`${doc.subject.kind} ${doc.subject.id}`)}</td></tr>
<tr><td>Status</td><td>${escapeHtml(doc.status)}</td></tr>
<tr><td>Earlier records joined in</td><td>${escapeHtml(doc.mergedRecords.length === 0 ? 'none' : doc.mergedRecords.map((id) => `contact ${id}`).join(', '))}</td></tr>
<tr><td>School</td><td>${escapeHtml(doc.school)}</td></tr>
<tr><td>Prepared</td><td>${escapeHtml(doc.generatedAtLocal)}</td></tr>
<tr><td>Requested by</td><td>${escapeHtml(doc.requestedBy)}</td></tr>
</tbody></table>
<p>Everything the school's contact records hold on this person. Times are the school's time (${escapeHtml(doc.timeZone)}${doc.timeZone === 'Europe/London' ? ', BST in summer, GMT in winter' : ''}). A value shown as XXXX was erased under the school's retention rules.</p>
<h2>Details held</h2>
${table(['Field', 'Value', 'Since'], doc.details.map((d) => [d.field, d.value ?? 'none', d.sinceLocal ?? '']))}
<h2>Linked people</h2>
${table(['Who', 'Name', 'Relationship', 'Priority', 'Prime', 'Parental responsibility'], doc.links.map((l) => [`${l.kind} ${l.id}`, l.name ?? '', l.relationship, l.priority, l.prime ? 'yes' : 'no', l.parentalResponsibility ? 'yes' : 'no']))}
<h2>Consent and blocks</h2>
${events(doc.consent)}
<h2>Deliveries</h2>
${events(doc.deliveries)}
<h2>Messages</h2>
${table(['Requested', 'Message', 'Channel', 'Subject', 'Body', 'Outcome'], doc.messages.map((m) => [m.requestedAtLocal ?? '', m.messageId, m.channel ?? '', m.subject ?? '', m.body ?? '', m.outcome]))}
<h2>Data issues</h2>
${table(['Raised', 'Type', 'About', 'Detail'], doc.dataIssues.map((i) => [i.raisedAtLocal, i.type, i.memberId === null ? '' : `member ${i.memberId}`, i.detail]))}
<h2>Other records naming them</h2>
${events(doc.otherRecords)}
<h2>Audit trail</h2>
${table(['When', 'Event', 'Who', 'Why', 'What changed'], doc.auditTrail.map((a) => [a.simulatedClock === null ? a.atLocal : `${a.atLocal} (simulated clock: ${a.simulatedClock})`, a.event, a.actor, why(a.reasonCode, a.reason), a.summary]))}
</body>
</html>
`;
};

/** Writes a file whole or not at all, readable by its owner only (it holds personal data). */
const writeWhole = (path: string, text: string): void => {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    throw new CliError(`cannot write ${path} (${(e as NodeJS.ErrnoException).code ?? 'error'}): check the folder exists and you may write there.`);
  }
};

/** `subject-access PERSON --by NAME [--out FILE] [--reason TEXT]` */
export const subjectAccess: Command = {
  name: 'subject-access',
  summary: 'Everything held on a member or contact (GDPR Art. 15), as JSON and a printable HTML page; recorded with who asked',
  usage:
    'contactable subject-access PERSON --by NAME [--out FILE] [--reason TEXT]\n' +
    '  PERSON: a member (id or MIS reference) or a contact (id or email address)\n' +
    '  writes FILE.json and FILE.html (default subject-access-<kind>-<id>-<date>)',
  options: { by: { type: 'string' }, out: { type: 'string' }, reason: { type: 'string' }, 'reason-code': { type: 'string' } },
  needsStore: true,
  run: async (ctx, args) => {
    const ref = args.positionals[0];
    if (ref === undefined) throw usageError('name the person: a member (id or MIS reference) or a contact (id or email address)', subjectAccess.usage);
    const actor = person(str(args, 'by'), 'A subject access report');
    const reasonCode = reasonCodeFrom(str(args, 'reason-code'), 'subject-access-request');
    const p = await ctx.projection();
    const views = await ctx.views();
    let subject: SubjectAccessSubject;
    try {
      subject = { kind: 'member', id: await resolveMember(views, ref) };
    } catch {
      try {
        subject = { kind: 'contact', id: await resolveContact(views, ref) };
      } catch (e) {
        // Several people match (a shared name or address): say who, so the office can pick one.
        if (e instanceof CliError && /could be any of|is held by/.test(e.message)) throw e;
        throw new CliError(`No member or contact with id, MIS reference, email address, mobile number or name "${ref}".`);
      }
    }
    const store = await ctx.store();
    const generatedAt = ctx.clock.now();
    const report = await subjectAccessReport(store, p, subject);
    const doc = subjectAccessDocument(report, { schoolId: ctx.schoolId, generatedAt, requestedBy: actor.kind === 'person' ? actor.name : '', timeZone: await ctx.zone() });
    const base = (str(args, 'out') ?? `subject-access-${subject.kind}-${subject.id}-${generatedAt.slice(0, 10)}`).replace(/\.(json|html?)$/i, '');
    const files = { json: `${base}.json`, html: `${base}.html` };
    writeWhole(files.json, `${JSON.stringify(doc, null, 2)}\n`);
    writeWhole(files.html, subjectAccessHtml(doc));
    const recorded = handled(
      await handleCommand(await ctx.deps(), schoolDecider, schoolStream(ctx.schoolId), { type: 'ReportSubjectAccess', subject: subject.kind, id: subject.id }, {
        schoolId: ctx.schoolId,
        actor,
        reason: str(args, 'reason') ?? null,
        reasonCode,
      }),
    );
    const json = {
      subject,
      status: report.status,
      files,
      sections: {
        details: report.details.length,
        links: report.links.length,
        consent: report.consent.length,
        deliveries: report.deliveries.length,
        messages: report.messages.length,
        dataIssues: report.dataIssues.length,
        otherRecords: report.otherRecords.length,
        auditTrail: report.auditTrail.length,
      },
      recorded: recorded.appended.map((e) => e.type),
    };
    ctx.out.result(json, () => {
      ctx.out.line(`subject access report for ${subject.kind} ${subject.id} (${report.status}): ${files.json} and ${files.html}`);
      ctx.out.line('Both files hold personal data: give them to the person securely, then delete your copies.');
    });
  },
};
