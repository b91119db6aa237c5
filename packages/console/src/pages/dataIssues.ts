/** `/data-issues`: the open issues, filtered by type, member, contact and dates, with saved filters; each row names the person and links to them. */
import type { DataIssueFilter } from '@contactable/core';
import { ISSUE_TYPES, formatInstant, issueTypeWords, officeText, type DataIssueRow, type SavedFilter } from '@contactable/projections';
import { contactHref, field, html, memberHref, postForm, select, table, type Html, type PageContext } from '../html.js';

/** The filter as typed into the form, and what it resolved to. */
export interface IssueFilterForm {
  readonly type: string;
  readonly member: string;
  readonly contact: string;
  readonly from: string;
  readonly to: string;
  readonly saved: string;
}

/** How many rows a page shows (the count says how many there are). */
export const ISSUES_SHOWN = 500;

const personCell = (i: DataIssueRow): Html | string => {
  if (i.memberId !== null) return html`<a href="${memberHref({ memberId: i.memberId, misReference: i.misReference })}">${i.memberName ?? 'a member no longer held'}${i.misReference === null ? '' : ` (${i.misReference})`}</a>`;
  return '—';
};

const contactCell = (i: DataIssueRow): Html | string =>
  i.contactId === null
    ? '—'
    : html`<a href="${contactHref(i.contactId)}">${i.contactName ?? 'a contact no longer held'}</a>${i.relatedContactId === null ? '' : html` and <a href="${contactHref(i.relatedContactId)}">${i.relatedContactName ?? 'a contact no longer held'}</a>`}`;

/** The data-issues page. */
export const dataIssuesPage = (
  ctx: PageContext,
  o: { readonly form: IssueFilterForm; readonly filter: DataIssueFilter; readonly rows: ReadonlyArray<DataIssueRow>; readonly saved: ReadonlyArray<SavedFilter>; readonly notes: ReadonlyArray<Html | string>; readonly backTo: string },
): Html => html`<h1>Data issues</h1>
<p class="lede">Problems in the contact data the office can fix. An issue goes away by itself once the data is right.</p>
<form method="get" action="/data-issues" class="filters" aria-label="Filter the data issues">
${select({ name: 'type', label: 'Type', value: o.form.type, options: [['', 'All types'], ...ISSUE_TYPES.map((t): readonly [string, string] => [t, issueTypeWords(t)])] })}
${field({ name: 'member', label: 'Member', value: o.form.member, hint: 'Name or MIS reference' })}
${field({ name: 'contact', label: 'Linked person', value: o.form.contact, hint: 'Name, email or mobile' })}
${field({ name: 'from', label: 'Raised from', type: 'date', value: o.form.from })}
${field({ name: 'to', label: 'Raised to', type: 'date', value: o.form.to })}
${o.saved.length === 0 ? '' : select({ name: 'filter', label: 'Saved filter', value: o.form.saved, options: [['', 'None'], ...o.saved.map((f): readonly [string, string] => [f.name, f.name])] })}
<div class="field"><button type="submit">Filter</button></div>
<div class="field"><a href="/data-issues">Clear the filter</a></div>
</form>
${o.notes.map((n) => html`<p class="flash refused" role="alert">${n}</p>`)}
${ctx.may('act-on-contacts')
  ? html`<details><summary>Save this filter</summary>${postForm(
      ctx,
      '/data-issues/filters',
      html`<input type="hidden" name="_back" value="${o.backTo}">
${(['type', 'memberId', 'contactId', 'from', 'to'] as const).map((k) => (o.filter[k] === undefined ? '' : html`<input type="hidden" name="${k}" value="${o.filter[k]}">`))}
${field({ name: 'name', label: 'Name for this filter', required: true })}
<button type="submit">Save the filter</button>`,
      { label: 'Save this filter' },
    )}</details>`
  : ''}
<p role="status">${o.rows.length} open issue${o.rows.length === 1 ? '' : 's'}${o.rows.length > ISSUES_SHOWN ? `; the first ${ISSUES_SHOWN} are shown, narrow the filter to see the rest` : ''}.</p>
${table(
  'Open data issues, oldest first',
  ['Issue', 'Member', 'Linked person', 'What to do', 'Raised'],
  o.rows.slice(0, ISSUES_SHOWN).map((i) => [issueTypeWords(i.type), personCell(i), contactCell(i), officeText(i.detail), formatInstant(i.raisedAt, ctx.zone)]),
  { empty: 'No open issues match this filter.' },
)}`;
