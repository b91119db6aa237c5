/** `/groups`: MIS groups (read only), the school's own groups (create, rename, add and remove people, delete, e.g. Governors), and sending to a group. */
import type { SendReport } from '@contactable/adapters-messaging';
import { channelWords, memberLabel, officeText, personName, type GroupSummary, type GroupView } from '@contactable/projections';
import { checkbox, contactHref, field, html, memberHref, postForm, select, table, type Html, type PageContext } from '../html.js';

/** The kinds of group a school makes by hand. */
export const OWN_GROUP_KINDS: ReadonlyArray<readonly [string, string]> = [['own', 'General'], ['governors', 'Governors'], ['staff', 'Staff'], ['club', 'Club or activity']];

const kindWords = (g: GroupSummary): string => {
  const own = OWN_GROUP_KINDS.find(([k]) => k === g.kind);
  if (own !== undefined) return own[1];
  return g.kind.replace(/[-_]/g, ' ');
};

const groupHref = (g: { readonly groupId: string }): string => `/groups/${encodeURIComponent(g.groupId)}`;

/** The groups page. */
export const groupsPage = (ctx: PageContext, groups: ReadonlyArray<GroupSummary>): Html => {
  const mis = groups.filter((g) => g.source === 'mis');
  const own = groups.filter((g) => g.source !== 'mis');
  return html`<h1>Groups</h1>
<h2>The school's own groups</h2>
${table('Groups made by the school', ['Name', 'Kind', 'People'], own.map((g) => [html`<a href="${groupHref(g)}">${g.name}</a>`, kindWords(g), g.size]), { empty: 'None yet.' })}
${ctx.may('act-on-contacts')
  ? html`<h3>Make a group</h3>${postForm(
      ctx,
      '/groups',
      html`<input type="hidden" name="_back" value="/groups">
${field({ name: 'name', label: 'Name', required: true, autocomplete: 'off' })}
${select({ name: 'kind', label: 'Kind', options: OWN_GROUP_KINDS, value: 'own' })}
<button type="submit">Make the group</button>`,
      { label: 'Make a group' },
    )}`
  : ''}
<h2>Groups from the MIS</h2>
<p class="hint">Classes, year and teaching groups come from the MIS and change there.</p>
${table('Groups from the MIS', ['Name', 'Kind', 'People', 'Active in the MIS'], mis.map((g) => [html`<a href="${groupHref(g)}">${g.name}</a>`, kindWords(g), g.size, g.active ? 'yes' : 'no']), { empty: 'None imported.' })}`;
};

/** One group: its people, and what the office can do with it. */
export const groupPage = (ctx: PageContext, g: GroupView, o: { readonly canSend: boolean; readonly back: string }): Html => {
  const own = g.source !== 'mis';
  const act = ctx.may('act-on-contacts');
  return html`<h1>${g.name}</h1>
<p class="lede">${kindWords(g)}; ${own ? 'made by the school' : 'from the MIS (changed there)'}; ${g.people.length} ${g.people.length === 1 ? 'person' : 'people'}.</p>
${table(
  'People in this group, by family name',
  own && act ? ['Name', 'Who', ''] : ['Name', 'Who'],
  g.people.map((p) => {
    const name = p.name === null ? 'someone no longer held' : personName(p.name);
    const cells: Array<Html | string> = [
      p.kind === 'member' ? html`<a href="${memberHref({ memberId: p.id, misReference: p.misReference })}">${p.name === null ? name : memberLabel({ name: p.name, misReference: p.misReference })}</a>` : html`<a href="${contactHref(p.id)}">${name}</a>`,
      p.kind === 'member' ? 'member (messages go to their prime parents)' : 'linked person',
    ];
    if (own && act) {
      cells.push(
        postForm(
          ctx,
          `${groupHref(g)}/remove`,
          html`<input type="hidden" name="_back" value="${o.back}"><input type="hidden" name="kind" value="${p.kind}"><input type="hidden" name="id" value="${p.id}"><button type="submit" class="secondary">Remove ${name}</button>`,
        ),
      );
    }
    return cells;
  }),
  { empty: 'Nobody in this group yet.' },
)}
${own && act
  ? html`<h2>Add people</h2>${postForm(
      ctx,
      `${groupHref(g)}/add`,
      html`<input type="hidden" name="_back" value="${o.back}">
${field({ name: 'who', label: 'A member (name or MIS reference) or a linked person (email address, mobile number or name)', required: true, autocomplete: 'off' })}
<button type="submit">Add to the group</button>`,
      { label: 'Add people to the group' },
    )}
<h2>Rename or delete</h2>
<div class="row-actions">${postForm(
      ctx,
      `${groupHref(g)}/rename`,
      html`<input type="hidden" name="_back" value="${o.back}">${field({ name: 'name', label: 'New name', value: g.name, required: true, id: 'rename-name' })}<button type="submit">Rename</button>`,
      { label: 'Rename the group' },
    )}
${postForm(
  ctx,
  `${groupHref(g)}/delete`,
  html`<input type="hidden" name="_back" value="${o.back}">${checkbox({ name: 'confirmed', required: true, label: `Delete the group ${g.name} (the people in it are kept)`, id: 'delete-group' })}<button type="submit" class="danger">Delete the group</button>`,
  { label: 'Delete the group' },
)}</div>`
  : ''}
${act
  ? html`<h2>Send a message to this group</h2>
${o.canSend
  ? postForm(
      ctx,
      `${groupHref(g)}/send`,
      html`<input type="hidden" name="_back" value="${o.back}">
<fieldset><legend>How</legend>
<div class="check"><input type="radio" id="channel-email" name="channel" value="email" checked><label for="channel-email">Email</label></div>
<div class="check"><input type="radio" id="channel-sms" name="channel" value="sms"><label for="channel-sms">Text message</label></div>
</fieldset>
${field({ name: 'subject', label: 'Subject (emails)', autocomplete: 'off' })}
<div class="field"><label for="f-body">Message</label><textarea id="f-body" name="body" required></textarea></div>
<p class="hint">Only to people who can be messaged that way: anyone opted out, blocked, or without a working address or number is skipped and listed.</p>
<button type="submit">Send</button>`,
      { label: 'Send a message to this group' },
    )
  : html`<p>Sending is not set up for this console: start it with a provider (see the README).</p>`}`
  : ''}`;
};

/** What a send did, with everyone skipped named and why. */
export const sentPage = (g: { readonly groupId: string; readonly name: string }, r: SendReport, names: ReadonlyMap<string, string>): Html => html`<h1>Sent to ${g.name}</h1>
<ul class="cards">
<li><span class="n">${r.sent.length}</span> sent by ${channelWords(r.channel)}</li>
<li><span class="n">${r.alreadySent.length}</span> sent earlier</li>
<li><span class="n">${r.skipped.length}</span> skipped</li>
<li><span class="n">${r.failed.length}</span> failed</li>
</ul>
${r.completed ? '' : html`<p class="flash refused" role="alert">Not finished${r.stopped === null ? '' : `: ${officeText(r.stopped)}`}. Send again from the group's page: nobody is sent the message twice.</p>`}
${table('Skipped, and why', ['Who', 'Why'], r.skipped.map((s) => [names.get(s.contactId ?? s.memberId ?? '') ?? 'someone no longer held', s.reasons.map(officeText).join('; ')]), { empty: 'Nobody was skipped.' })}
${table('Failed', ['Who', 'What the provider said'], r.failed.map((f) => [names.get(f.contactId) ?? 'someone no longer held', officeText(f.error)]), { empty: 'Nothing failed.' })}
<p><a href="${groupHref(g)}">Back to ${g.name}</a></p>`;
