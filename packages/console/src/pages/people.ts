/**
 * `/members`, `/members/{ref}` and `/contacts/{id}`: find a member by name or MIS reference; a member's
 * linked people with opt-out, opt-in, re-enable (after a "confirmed with the contact" tick), a temporary
 * change of an MIS contact's details, choosing the prime parent; hand-added members and linked people.
 */
import { CHANNELS, type Channel, type MemberKind } from '@contactable/core';
import {
  blockCauseWords,
  channelWords,
  memberKindWords,
  memberLabel,
  personName,
  relationshipWords,
  rollStatusWords,
  type ContactSummary,
  type LinkedPeopleView,
  type LinkedPerson,
  type MemberSummary,
} from '@contactable/projections';
import { checkbox, contactHref, field, html, memberHref, postForm, select, table, type Html, type PageContext } from '../html.js';

/** The relationships a form offers (the MIS's own codes are shown in words wherever they appear). */
export const RELATIONSHIPS: ReadonlyArray<string> = ['Mother', 'Father', 'Parent', 'Carer', 'Grandparent', 'Step-parent', 'Foster parent', 'Other relative', 'Governor', 'Other contact'];

const KINDS: ReadonlyArray<readonly [MemberKind, string]> = [['external', 'External (not in the MIS)'], ['staff', 'Staff'], ['student', 'Student']];

const STATUSES: ReadonlyArray<readonly [string, string]> = [['', 'Any status'], ['on-roll', 'On roll'], ['pre-admission', 'Pre-admission'], ['leaver', 'Leaver'], ['deleted', 'Deleted']];

/** The members page: search by name or MIS reference. */
export const membersPage = (ctx: PageContext, o: { readonly q: string; readonly status: string; readonly list: ReadonlyArray<MemberSummary>; readonly limited: boolean }): Html => html`<h1>Members</h1>
<form method="get" action="/members" class="filters" role="search" aria-label="Find a member">
${field({ name: 'q', label: 'Name or MIS reference', value: o.q, type: 'search' })}
${select({ name: 'status', label: 'Status', value: o.status, options: STATUSES })}
<div class="field"><button type="submit">Find</button></div>
</form>
${ctx.may('act-on-contacts') ? html`<p><a href="/members/new">Add a member who is not in the MIS</a></p>` : ''}
${o.limited ? html`<p>The first ${o.list.length} by name are shown: search to narrow the list.</p>` : html`<p role="status">${o.list.length} member${o.list.length === 1 ? '' : 's'}.</p>`}
${table(
  'Members, by family name',
  ['Name', 'MIS reference', 'Kind', 'Status', 'Linked people'],
  o.list.map((m) => [html`<a href="${memberHref(m)}">${personName(m.name)}</a>`, m.misReference ?? '—', memberKindWords(m.kind), rollStatusWords(m.roll), m.linkedContacts]),
  { empty: 'No member matches.' },
)}`;

/** The form for a member not in the MIS. */
export const newMemberPage = (ctx: PageContext): Html => html`<h1>Add a member who is not in the MIS</h1>
<p class="lede">For someone the MIS has no home for, such as an external governor. The nightly sync never changes them.</p>
${postForm(
  ctx,
  '/members',
  html`<input type="hidden" name="_back" value="/members/new">
${field({ name: 'given', label: 'Given name', required: true, autocomplete: 'off' })}
${field({ name: 'family', label: 'Family name', required: true, autocomplete: 'off' })}
${select({ name: 'kind', label: 'Kind', options: KINDS, value: 'external' })}
<button type="submit">Add the member</button>`,
)}`;

const detailText = (d: { readonly value: string; readonly valid: boolean } | null): Html | string =>
  d === null ? html`<span class="status-bad">none held</span>` : d.valid ? d.value : html`${d.value} <span class="status-bad">(badly formed: not used)</span>`;

const usableText = (c: { readonly usableMethods: ReadonlyArray<Channel> }): Html =>
  c.usableMethods.length === 0 ? html`<span class="status-bad">cannot be messaged</span>` : html`<span class="status-ok">${c.usableMethods.map(channelWords).join(' and ')}</span>`;

/** What a contact card shows and acts on. */
export interface CardContact {
  readonly contact: ContactSummary;
  /** The link to the member whose page this is, when on a member's page. */
  readonly link: LinkedPerson | null;
  readonly member: MemberSummary | null;
}

const consentForms = (ctx: PageContext, c: ContactSummary, back: string): Html =>
  c.optedOut
    ? postForm(
        ctx,
        `/contacts/${c.contactId}/opt-in`,
        html`<input type="hidden" name="_back" value="${back}">
${field({ name: 'reason', label: 'Why (optional)', id: `optin-reason-${c.contactId}` })}
<button type="submit">Opt ${personName(c.name)} back in</button>`,
        { label: `Opt ${personName(c.name)} back in` },
      )
    : postForm(
        ctx,
        `/contacts/${c.contactId}/opt-out`,
        html`<input type="hidden" name="_back" value="${back}">
${field({ name: 'reason', label: 'Why (optional)', id: `optout-reason-${c.contactId}` })}
<button type="submit">Opt ${personName(c.name)} out</button>`,
        { label: `Opt ${personName(c.name)} out` },
      );

const reEnableForm = (ctx: PageContext, c: ContactSummary, channel: Channel, back: string): Html =>
  postForm(
    ctx,
    `/contacts/${c.contactId}/re-enable`,
    html`<input type="hidden" name="_back" value="${back}"><input type="hidden" name="channel" value="${channel}">
${checkbox({ name: 'confirmed', id: `confirm-${channel}-${c.contactId}`, required: true, label: `I have confirmed with the contact that ${personName(c.name)} wants ${channel === 'email' ? 'emails at this address' : 'texts on this number'}` })}
<button type="submit">Re-enable ${channelWords(channel)}s</button>`,
    { label: `Re-enable ${channelWords(channel)}s for ${personName(c.name)}` },
  );

const detailsForm = (ctx: PageContext, c: ContactSummary, back: string): Html =>
  c.source === 'mis'
    ? html`<details><summary>Make a temporary change to ${personName(c.name)}'s details</summary>
<p class="hint">Until the next MIS sync. If the MIS still holds the old value then, the sync puts it back and lists an issue: change it in the MIS too.</p>
${postForm(
  ctx,
  `/contacts/${c.contactId}/override`,
  html`<input type="hidden" name="_back" value="${back}">
${field({ name: 'email', label: 'Email address', type: 'email', value: c.email?.value ?? '', id: `override-email-${c.contactId}` })}
${field({ name: 'mobile', label: 'Mobile number', type: 'tel', value: c.mobile?.value ?? '', id: `override-mobile-${c.contactId}` })}
<button type="submit">Save the temporary change</button>`,
)}</details>`
    : html`<details><summary>Edit ${personName(c.name)}'s details</summary>
${postForm(
  ctx,
  `/contacts/${c.contactId}/edit`,
  html`<input type="hidden" name="_back" value="${back}">
${field({ name: 'given', label: 'Given name', value: c.name.given, required: true, id: `edit-given-${c.contactId}` })}
${field({ name: 'family', label: 'Family name', value: c.name.family, required: true, id: `edit-family-${c.contactId}` })}
${field({ name: 'email', label: 'Email address', type: 'email', value: c.email?.value ?? '', id: `edit-email-${c.contactId}` })}
${field({ name: 'mobile', label: 'Mobile number', type: 'tel', value: c.mobile?.value ?? '', id: `edit-mobile-${c.contactId}` })}
<button type="submit">Save the details</button>`,
)}
${postForm(
  ctx,
  `/contacts/${c.contactId}/delete`,
  html`<input type="hidden" name="_back" value="${back}">
${checkbox({ name: 'confirmed', id: `delete-${c.contactId}`, required: true, label: `Delete ${personName(c.name)} from the address book` })}
<button type="submit" class="danger">Delete</button>`,
  { label: `Delete ${personName(c.name)}` },
)}</details>`;

const linkForms = (ctx: PageContext, c: ContactSummary, link: LinkedPerson, member: MemberSummary, back: string): Html => html`<div class="row-actions">
${postForm(
  ctx,
  `/contacts/${c.contactId}/prime`,
  html`<input type="hidden" name="_back" value="${back}"><input type="hidden" name="member" value="${member.memberId}"><input type="hidden" name="prime" value="${link.prime ? 'no' : 'yes'}">
<button type="submit" class="secondary">${link.prime ? `Make ${personName(c.name)} not a prime parent` : `Make ${personName(c.name)} a prime parent`}</button>`,
)}
${link.linkSource === 'address-book'
  ? postForm(
      ctx,
      `/contacts/${c.contactId}/unlink`,
      html`<input type="hidden" name="_back" value="${back}"><input type="hidden" name="member" value="${member.memberId}">
${checkbox({ name: 'confirmed', id: `unlink-${c.contactId}`, required: true, label: `Remove ${personName(c.name)} from ${personName(member.name)}'s linked people` })}
<button type="submit" class="danger">Remove the link</button>`,
    )
  : ''}
</div>
${link.linkSource === 'mis' ? html`<p class="hint">This link comes from the MIS: a change of prime parent lasts until the next sync unless it is made in the MIS too.</p>` : ''}`;

/** One linked person or contact, with what the office can do. */
export const contactCard = (ctx: PageContext, card: CardContact, back: string): Html => {
  const c = card.contact;
  const l = card.link;
  const blocked = CHANNELS.filter((ch) => c.blocked[ch] !== null);
  return html`<section class="person" aria-labelledby="contact-${c.contactId}">
<h3 id="contact-${c.contactId}">${personName(c.name)}${l === null ? '' : html`, ${relationshipWords(l.relationship)}`}${l?.prime === true ? html`<span class="badge">prime parent</span>` : ''}</h3>
<dl class="facts">
${l === null ? '' : html`<dt>Priority</dt><dd>${l.priority}</dd><dt>Parental responsibility</dt><dd>${l.parentalResponsibility ? 'yes' : 'no'}</dd>`}
<dt>Email</dt><dd>${detailText(c.email)}</dd>
<dt>Mobile</dt><dd>${detailText(c.mobile)}</dd>
<dt>Can be messaged by</dt><dd>${usableText(c)}</dd>
<dt>Opted out</dt><dd>${c.optedOut ? html`<span class="status-bad">yes: no messages</span>` : 'no'}</dd>
${blocked.map((ch) => html`<dt>${channelWords(ch) === 'email' ? 'Email' : 'Texts'} blocked</dt><dd><span class="status-bad">${blockCauseWords(c.blocked[ch]!)}</span></dd>`)}
<dt>Comes from</dt><dd>${c.source === 'mis' ? 'the MIS' : 'the address book (added by hand)'}</dd>
</dl>
<p class="no-print"><a href="/audit/${c.contactId}">Audit trail</a> · <a href="/explain/${c.contactId}?channel=email">Explain: email</a> · <a href="/explain/${c.contactId}?channel=sms">Explain: texts</a>${card.member === null ? html` · <a href="${contactHref(c.contactId)}">All about ${personName(c.name)}</a>` : ''}</p>
${ctx.may('act-on-contacts') && c.status === 'active'
  ? html`<div class="row-actions">${consentForms(ctx, c, back)}${blocked.map((ch) => reEnableForm(ctx, c, ch, back))}</div>
${detailsForm(ctx, c, back)}
${l !== null && card.member !== null ? linkForms(ctx, c, l, card.member, back) : ''}`
  : ''}
</section>`;
};

/** A member's page with their linked people. */
export const memberPage = (ctx: PageContext, o: { readonly view: LinkedPeopleView; readonly cards: ReadonlyArray<CardContact>; readonly back: string }): Html => {
  const m = o.view.member;
  return html`<h1>${memberLabel(m)}</h1>
<p class="lede">${memberKindWords(m.kind)}, ${rollStatusWords(m.roll)}; ${m.source === 'mis' ? 'from the MIS' : 'added by hand'}. <a href="/audit/${encodeURIComponent(m.misReference ?? m.memberId)}">Audit trail</a></p>
${ctx.may('act-on-contacts') && m.source === 'address-book' && m.roll.status !== 'deleted'
  ? html`<details><summary>Edit ${personName(m.name)}</summary>${postForm(
      ctx,
      `/members/${encodeURIComponent(m.memberId)}/edit`,
      html`<input type="hidden" name="_back" value="${o.back}">
${field({ name: 'given', label: 'Given name', value: m.name.given, required: true })}
${field({ name: 'family', label: 'Family name', value: m.name.family, required: true })}
${select({ name: 'kind', label: 'Kind', options: KINDS, value: m.kind })}
<button type="submit">Save</button>`,
    )}</details>`
  : ''}
<h2>Linked people (${o.cards.length})</h2>
${o.cards.length === 0 ? html`<p class="empty">No linked people.</p>` : o.cards.map((card) => contactCard(ctx, card, o.back))}
${ctx.may('act-on-contacts') && m.roll.status !== 'deleted'
  ? html`<h2>Add a linked person</h2>
<p class="hint">Someone the MIS does not hold for ${personName(m.name)}. People from the MIS are added in the MIS and come across at the next sync.</p>
${postForm(
  ctx,
  `/members/${encodeURIComponent(m.memberId)}/contacts`,
  html`<input type="hidden" name="_back" value="${o.back}">
${field({ name: 'given', label: 'Given name', required: true, id: 'new-given', autocomplete: 'off' })}
${field({ name: 'family', label: 'Family name', required: true, id: 'new-family', autocomplete: 'off' })}
${field({ name: 'email', label: 'Email address', type: 'email', id: 'new-email', autocomplete: 'off' })}
${field({ name: 'mobile', label: 'Mobile number', type: 'tel', id: 'new-mobile', autocomplete: 'off' })}
${select({ name: 'relationship', label: 'Relationship', options: RELATIONSHIPS.map((r): readonly [string, string] => [r, r]), id: 'new-relationship' })}
${field({ name: 'priority', label: 'Priority (1 is called first)', type: 'number', value: String(o.cards.length + 1), id: 'new-priority' })}
${checkbox({ name: 'parentalResponsibility', label: 'Has parental responsibility', id: 'new-pr' })}
${checkbox({ name: 'prime', label: 'Prime parent (receives messages about this member)', id: 'new-prime' })}
<button type="submit">Add the linked person</button>`,
)}
<h3>Link someone the school already holds</h3>
${postForm(
  ctx,
  `/members/${encodeURIComponent(m.memberId)}/link`,
  html`<input type="hidden" name="_back" value="${o.back}">
${field({ name: 'contact', label: 'Their email address, mobile number or name', required: true, id: 'link-contact', autocomplete: 'off' })}
${select({ name: 'relationship', label: 'Relationship', options: RELATIONSHIPS.map((r): readonly [string, string] => [r, r]), id: 'link-relationship' })}
${checkbox({ name: 'prime', label: 'Prime parent', id: 'link-prime' })}
<button type="submit">Link them</button>`,
)}`
  : ''}`;
};

/** A contact's own page: their card and the members they are linked to. */
export const contactPage = (ctx: PageContext, c: ContactSummary): Html => html`<h1>${personName(c.name)}</h1>
<p class="lede">${c.status === 'active' ? '' : `${c.status}. `}Linked to ${c.members.length === 0 ? 'no member' : c.members.map((m, i) => html`${i === 0 ? '' : ', '}<a href="${memberHref(m)}">${memberLabel(m)}</a> (${relationshipWords(m.relationship)})`)}.</p>
${contactCard(ctx, { contact: c, link: null, member: null }, contactHref(c.contactId))}`;
