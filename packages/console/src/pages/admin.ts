/** `/settings` (import settings and the scheduled sync) and `/staff` (who may sign in): admins only. */
import type { ImportSettings, StaffRole, SyncSchedule } from '@contactable/core';
import { formatInstant, type StaffAccount } from '@contactable/projections';
import { checkbox, field, html, postForm, select, table, type Html, type PageContext } from '../html.js';

const ROLE_OPTIONS: ReadonlyArray<readonly [StaffRole, string]> = [['office', 'Office: reads and acts on contacts'], ['compliance', 'Compliance: reads only'], ['admin', 'Admin: also settings and staff']];

const rule = (name: string, legend: string, r: { readonly import: boolean; readonly prime: boolean }): Html => html`<fieldset><legend>${legend}</legend>
${checkbox({ name: `${name}.import`, label: 'Import them', checked: r.import, id: `f-${name}-import` })}
${checkbox({ name: `${name}.prime`, label: 'Flag them as prime parents', checked: r.prime, id: `f-${name}-prime` })}
</fieldset>`;

/** The settings page. */
export const settingsPage = (ctx: PageContext, o: { readonly settings: ImportSettings; readonly schedule: SyncSchedule; readonly nextRun: number | null; readonly lastSync: string | null }): Html => {
  const s = o.settings;
  return html`<h1>Settings</h1>
<h2>What the import brings across</h2>
${postForm(
  ctx,
  '/settings/import',
  html`<input type="hidden" name="_back" value="/settings">
${checkbox({ name: 'preAdmissions', label: 'Import pre-admissions (applicants joining later)', checked: s.preAdmissions })}
${select({ name: 'groups', label: 'Groups', value: s.groups, options: [['all', 'All groups'], ['active', 'Active groups only (faster)']] })}
${checkbox({ name: 'email', label: 'Import email addresses (Home or Work)', checked: s.email })}
${checkbox({ name: 'mobile', label: 'Import mobile numbers', checked: s.mobile })}
${rule('priorityOne', 'Priority 1 contacts', s.contacts.priorityOne)}
${rule('otherPriorities', 'Contacts of other priorities', s.contacts.otherPriorities)}
${rule('parentalResponsibility', 'Anyone with parental responsibility', s.contacts.parentalResponsibility)}
${checkbox({ name: 'notifyNewOrChangedDetails', label: 'Send one confirmation to each new or changed address or number (never on a first import)', checked: s.notifyNewOrChangedDetails })}
<div class="field"><label for="f-exceptions">Students left out entirely (MIS ids, one a line)</label><span class="hint" id="f-exceptions-hint">Students whose parents refused any sharing.</span><textarea id="f-exceptions" name="exceptions" aria-describedby="f-exceptions-hint">${s.exceptions.join('\n')}</textarea></div>
<button type="submit">Save the import settings</button>`,
  { label: 'Import settings' },
)}
<h2>The nightly sync</h2>
<p>${o.schedule.at === null || o.schedule.exportPath === null ? 'No scheduled sync: set the export and a time.' : html`Runs every day at ${o.schedule.at} (the school's time)${o.nextRun === null ? '' : `; next at ${formatInstant(o.nextRun, ctx.zone)}`}.`}${o.lastSync === null ? '' : html` Last: ${o.lastSync}`}</p>
${postForm(
  ctx,
  '/settings/schedule',
  html`<input type="hidden" name="_back" value="/settings">
${field({ name: 'exportPath', label: 'The export the sync reads (a file or folder on this server)', value: o.schedule.exportPath ?? '', hint: 'A CTF file, a SIMS CSV or OneRoster folder, or a zip of one.' })}
${field({ name: 'at', label: 'Time of day (HH:MM, the school\'s time)', value: o.schedule.at ?? '', hint: 'Leave empty for no scheduled sync.' })}
<button type="submit">Save the schedule</button>`,
  { label: 'Schedule' },
)}
${postForm(ctx, '/settings/sync-now', html`<input type="hidden" name="_back" value="/settings"><button type="submit" class="secondary">Run the sync now</button>`, { label: 'Run the sync now' })}`;
};

/** The staff page. */
export const staffPage = (ctx: PageContext, accounts: ReadonlyArray<StaffAccount>): Html => html`<h1>Staff</h1>
<p class="lede">Who may sign in, and what they may do. Every change is recorded with who made it; a removed person's details are erased.</p>
${table(
  'Staff accounts, by name',
  ['Name', 'Email address', 'Role', 'Added', 'Change'],
  accounts.map((a) => [
    a.name,
    a.email,
    a.role,
    formatInstant(a.addedAt, ctx.zone),
    html`<div class="row-actions">${postForm(
      ctx,
      `/staff/${a.staffId}/role`,
      html`<input type="hidden" name="_back" value="/staff">${select({ name: 'role', label: `Role of ${a.name}`, value: a.role, options: ROLE_OPTIONS, id: `role-${a.staffId}` })}<button type="submit" class="secondary">Change role</button>`,
    )}${postForm(
      ctx,
      `/staff/${a.staffId}/remove`,
      html`<input type="hidden" name="_back" value="/staff">${checkbox({ name: 'confirmed', required: true, label: `Remove ${a.name}`, id: `remove-${a.staffId}` })}<button type="submit" class="danger">Remove</button>`,
    )}</div>`,
  ]),
)}
<h2>Add someone</h2>
${postForm(
  ctx,
  '/staff',
  html`<input type="hidden" name="_back" value="/staff">
${field({ name: 'email', label: 'Email address', type: 'email', required: true, autocomplete: 'off' })}
${field({ name: 'name', label: 'Name', required: true, autocomplete: 'off' })}
${select({ name: 'role', label: 'Role', options: ROLE_OPTIONS, value: 'office' })}
${field({ name: 'password', label: 'First password (at least 10 characters; tell them in person)', type: 'password', required: true, autocomplete: 'new-password' })}
<button type="submit">Add</button>`,
  { label: 'Add someone' },
)}
`;
