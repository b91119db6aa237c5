/** `/import`: upload an export, see what the import would change (people named), confirm. */
import { formatLocalDate, type NamedEntry, type NamedPlan } from '@contactable/projections';
import { field, html, postForm, type Html, type PageContext } from '../html.js';

const FORMAT_WORDS: Readonly<Record<string, string>> = { ctf: 'CTF (XML)', 'sims-csv': 'SIMS CSV', oneroster: 'OneRoster', 'address-book': 'address-book CSV' };

/** The format of an export in words. */
export const formatWords = (f: string): string => FORMAT_WORDS[f] ?? f;

/** The upload form. */
export const importPage = (ctx: PageContext, o: { readonly today: string; readonly maxMb: number }): Html => html`<h1>Import</h1>
<p class="lede">Upload an export from the MIS to see what an import would change before anything is recorded.</p>
<p>Accepted: a CTF file (.xml), a OneRoster export or a SIMS CSV export as a .zip, or an address-book CSV (Reference, Forename, Surname...). Up to ${o.maxMb} MB.</p>
${postForm(
  ctx,
  '/import',
  html`<input type="hidden" name="_back" value="/import">
<div class="field"><label for="f-file">Export file</label><input id="f-file" name="file" type="file" required accept=".xml,.zip,.csv,.txt"></div>
${field({ name: 'today', label: 'Import as of', type: 'date', value: o.today, hint: 'Pre-admissions and leavers are judged on this day.' })}
<button type="submit">See what would change</button>`,
  { enctype: 'multipart/form-data', label: 'Upload an export' },
)}`;

const names = (list: ReadonlyArray<NamedEntry>, max = 50): Html =>
  list.length === 0
    ? html`<p class="empty">None.</p>`
    : html`<ul>${list.slice(0, max).map((e) => html`<li>${e.name}${e.misReference === null ? '' : ` (${e.misReference})`}${e.what === null ? '' : `: ${e.what}`}</li>`)}</ul>${list.length > max ? html`<p>and ${list.length - max} more.</p>` : ''}`;

/** The dry run: what an import of the upload would change, and the button that records it. */
export const planPage = (ctx: PageContext, o: { readonly fileName: string; readonly format: string; readonly today: string; readonly plan: NamedPlan; readonly token: string }): Html => {
  const p = o.plan;
  return html`<h1>What the import would change</h1>
<p class="lede">${o.fileName}, ${formatWords(o.format)}, as of ${formatLocalDate(o.today)}. Nothing has been recorded yet.</p>
<ul class="cards">
<li><span class="n">${p.members.added.length}</span> members added</li>
<li><span class="n">${p.members.changed.length}</span> members changed</li>
<li><span class="n">${p.members.leavers.length}</span> leavers</li>
<li><span class="n">${p.contacts.added.length}</span> linked people added</li>
<li><span class="n">${p.contacts.changed.length}</span> linked people changed</li>
<li><span class="n">${p.groups.added.length + p.groups.changed.length}</span> groups added or changed</li>
</ul>
${p.events === 0 ? html`<p role="status"><strong>Nothing would change: the school already holds this export.</strong></p>` : ''}
<h2>Leavers (${p.members.leavers.length})</h2>
<p class="hint">Marked as leavers, not deleted: deleting leavers is a separate, deliberate step.</p>
${names(p.members.leavers)}
<h2>Members added (${p.members.added.length})</h2>${names(p.members.added)}
<h2>Members changed (${p.members.changed.length})</h2>${names(p.members.changed)}
<h2>Linked people added (${p.contacts.added.length})</h2>${names(p.contacts.added)}
<h2>Linked people changed (${p.contacts.changed.length})</h2>${names(p.contacts.changed)}
<h2>Groups</h2>${names([...p.groups.added, ...p.groups.changed])}
<h2>Issues the import will list</h2>
<ul>
<li>${p.issues.invalidEmails.length} badly formed email addresses${p.issues.invalidEmails.length === 0 ? '' : `: ${p.issues.invalidEmails.slice(0, 20).map((e) => e.name).join(', ')}${p.issues.invalidEmails.length > 20 ? '…' : ''}`}</li>
<li>${p.issues.invalidMobiles.length} badly formed mobile numbers${p.issues.invalidMobiles.length === 0 ? '' : `: ${p.issues.invalidMobiles.slice(0, 20).map((e) => e.name).join(', ')}${p.issues.invalidMobiles.length > 20 ? '…' : ''}`}</li>
<li>${p.issues.stalePreAdmissions.length} old pre-admissions still open${p.issues.stalePreAdmissions.length === 0 ? '' : `: ${p.issues.stalePreAdmissions.slice(0, 20).map((e) => e.name).join(', ')}`}</li>
${p.permissionFailures.map((f) => html`<li>${f.area} could not be read: the MIS user needs the ${f.permissionGroup} permission group</li>`)}
</ul>
${p.warnings.length === 0 ? '' : html`<h2>Warnings</h2><ul>${p.warnings.map((w) => html`<li>${w}</li>`)}</ul>`}
${p.skipped.length === 0 ? '' : html`<h2>Not imported</h2><ul>${p.skipped.map((s) => html`<li>${s.count} ${s.reason}</li>`)}</ul>`}
${postForm(
  ctx,
  '/import/confirm',
  html`<input type="hidden" name="_back" value="/import"><input type="hidden" name="upload" value="${o.token}">
<button type="submit"${p.events === 0 ? html` disabled` : ''}>Record the import</button> <a href="/import">Cancel</a>`,
  { label: 'Record the import' },
)}`;
};

/** What an import recorded. */
export const importedPage = (o: { readonly fileName: string; readonly recorded: boolean; readonly counts: Readonly<Record<string, number>>; readonly refused: number }): Html => html`<h1>Import recorded</h1>
<p class="lede">${o.fileName}: ${o.recorded ? `${o.counts.eventsAppended ?? 0} changes recorded.` : 'nothing had changed, so nothing was recorded.'}</p>
<ul class="cards">
<li><span class="n">${o.counts.membersAdded ?? 0}</span> members added</li>
<li><span class="n">${o.counts.membersChanged ?? 0}</span> members changed</li>
<li><span class="n">${o.counts.leavers ?? 0}</span> leavers</li>
<li><span class="n">${o.counts.contactsAdded ?? 0}</span> linked people added</li>
<li><span class="n">${o.counts.contactsChanged ?? 0}</span> linked people changed</li>
</ul>
${o.refused > 0 ? html`<p class="flash refused" role="alert">${o.refused} change(s) were refused: see the data issues.</p>` : ''}
<p><a href="/data-issues">See the data issues</a> · <a href="/">Dashboard</a></p>`;
