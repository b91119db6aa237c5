/** HTML building blocks: escaped templates (hono/html), the page layout, forms that carry their CSRF and one-time tokens. */
import { html, raw } from 'hono/html';
import type { StaffPermission, StaffRole } from '@contactable/core';

/** Rendered HTML (escaped where it came from a value). */
export type Html = ReturnType<typeof html>;

export { html, raw };

/** What a page needs to render forms and menus for the signed-in person. */
export interface PageContext {
  readonly user: { readonly name: string; readonly role: StaffRole };
  readonly csrf: string;
  /** A fresh one-time token for a form rendered now. */
  readonly once: () => string;
  readonly may: (permission: StaffPermission) => boolean;
  /** The school's time zone. */
  readonly zone: string;
  /** A message from the last action (after a redirect), if any. */
  readonly flash: { readonly kind: 'done' | 'refused'; readonly text: string } | null;
}

/** The hidden fields every form posts: the session's CSRF token and the form's one-time token. */
export const tokens = (ctx: PageContext): Html => html`<input type="hidden" name="_csrf" value="${ctx.csrf}"><input type="hidden" name="_once" value="${ctx.once()}">`;

/** A POST form with its tokens. */
export const postForm = (ctx: PageContext, action: string, body: Html, options: { readonly className?: string; readonly label?: string; readonly enctype?: string } = {}): Html =>
  html`<form method="post" action="${action}"${options.className === undefined ? '' : html` class="${options.className}"`}${options.label === undefined ? '' : html` aria-label="${options.label}"`}${options.enctype === undefined ? '' : html` enctype="${options.enctype}"`}>${tokens(ctx)}${body}</form>`;

const NAV: ReadonlyArray<{ readonly href: string; readonly label: string; readonly key: string; readonly needs?: StaffPermission }> = [
  { href: '/', label: 'Dashboard', key: 'dashboard' },
  { href: '/data-issues', label: 'Data issues', key: 'data-issues' },
  { href: '/members', label: 'Members', key: 'members' },
  { href: '/groups', label: 'Groups', key: 'groups' },
  { href: '/import', label: 'Import', key: 'import', needs: 'act-on-contacts' },
  { href: '/settings', label: 'Settings', key: 'settings', needs: 'change-settings' },
  { href: '/staff', label: 'Staff', key: 'staff', needs: 'manage-staff' },
];

const ROLE_WORDS: Readonly<Record<StaffRole, string>> = { office: 'office', compliance: 'compliance (read only)', admin: 'admin' };

/** The page around a body: skip link, header with the menu and who is signed in, the flash, main. */
export const layout = (ctx: PageContext | null, o: { readonly title: string; readonly active?: string; readonly body: Html; readonly printable?: boolean }): Html => html`<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${o.title} · contactable</title>
<link rel="stylesheet" href="/assets/console.css">
<script src="/assets/console.js" defer></script>
</head>
<body${o.printable === true ? raw(' class="printable"') : ''}>
<a class="skip" href="#main">Skip to the content</a>
<header class="top">
<p class="brand"><a href="/">contactable</a></p>
${ctx === null
  ? ''
  : html`<nav aria-label="Main"><ul>${NAV.filter((n) => n.needs === undefined || ctx.may(n.needs)).map(
      (n) => html`<li><a href="${n.href}"${n.key === o.active ? raw(' aria-current="page"') : ''}>${n.label}</a></li>`,
    )}</ul></nav>
<div class="who"><span>${ctx.user.name}, ${ROLE_WORDS[ctx.user.role]}</span>
<form method="post" action="/logout"><input type="hidden" name="_csrf" value="${ctx.csrf}"><button type="submit" class="link">Sign out</button></form></div>`}
</header>
<main id="main" tabindex="-1">
${ctx?.flash == null ? '' : html`<p class="flash ${ctx.flash.kind}" role="${ctx.flash.kind === 'refused' ? 'alert' : 'status'}">${ctx.flash.text}</p>`}
${o.body}
</main>
</body>
</html>`;

/** A table with a caption and column headers; rows are already cells. */
export const table = (caption: string, headers: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<Html | string | number>>, options: { readonly empty?: string; readonly captionHidden?: boolean } = {}): Html =>
  rows.length === 0
    ? html`<p class="empty">${options.empty ?? 'Nothing to show.'}</p>`
    : html`<div class="table-wrap"><table>
<caption${options.captionHidden === true ? raw(' class="visually-hidden"') : ''}>${caption}</caption>
<thead><tr>${headers.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead>
<tbody>${rows.map((r) => html`<tr>${r.map((c) => html`<td>${c}</td>`)}</tr>`)}</tbody>
</table></div>`;

/** A labelled text input. */
export const field = (o: { readonly name: string; readonly label: string; readonly value?: string; readonly type?: string; readonly required?: boolean; readonly hint?: string; readonly autocomplete?: string; readonly id?: string }): Html => {
  const id = o.id ?? `f-${o.name}`;
  return html`<div class="field"><label for="${id}">${o.label}</label>${o.hint === undefined ? '' : html`<span class="hint" id="${id}-hint">${o.hint}</span>`}<input id="${id}" name="${o.name}" type="${o.type ?? 'text'}" value="${o.value ?? ''}"${o.required === true ? raw(' required') : ''}${o.autocomplete === undefined ? '' : html` autocomplete="${o.autocomplete}"`}${o.hint === undefined ? '' : html` aria-describedby="${id}-hint"`}></div>`;
};

/** A labelled select. */
export const select = (o: { readonly name: string; readonly label: string; readonly options: ReadonlyArray<readonly [string, string]>; readonly value?: string; readonly id?: string }): Html => {
  const id = o.id ?? `f-${o.name}`;
  return html`<div class="field"><label for="${id}">${o.label}</label><select id="${id}" name="${o.name}">${o.options.map(([v, l]) => html`<option value="${v}"${v === (o.value ?? '') ? raw(' selected') : ''}>${l}</option>`)}</select></div>`;
};

/** A labelled checkbox. */
export const checkbox = (o: { readonly name: string; readonly label: string; readonly checked?: boolean; readonly required?: boolean; readonly id?: string; readonly value?: string }): Html => {
  const id = o.id ?? `f-${o.name}`;
  return html`<div class="check"><input type="checkbox" id="${id}" name="${o.name}" value="${o.value ?? 'yes'}"${o.checked === true ? raw(' checked') : ''}${o.required === true ? raw(' required') : ''}><label for="${id}">${o.label}</label></div>`;
};

/** A link to a member's page by their MIS reference (their id when they have none). */
export const memberHref = (m: { readonly memberId: string; readonly misReference: string | null }): string => `/members/${encodeURIComponent(m.misReference ?? m.memberId)}`;

/** A link to a contact's page. */
export const contactHref = (contactId: string): string => `/contacts/${encodeURIComponent(contactId)}`;

/** A whole number with a percentage of a total: "214 (80.1%)". */
export const withPercent = (n: number, total: number): string => (total === 0 ? String(n) : `${n} (${((100 * n) / total).toFixed(1)}%)`);
