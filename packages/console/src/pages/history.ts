/** `/audit/{ref}` and `/explain/{ref}`: printable reads of one person's stream (a clean A4 page from the print stylesheet). */
import { actorWords, eventWords, formatInstant, officeText, type AuditEntry, type Explanation } from '@contactable/projections';
import { field, html, select, table, type Html, type PageContext } from '../html.js';

// The code says why even after erasure; the free text beside it reads XXXX then.
const why = (code: string | null, reason: string | null): string => (code === null ? (reason ?? '—') : reason === null ? code : `${code}: ${reason}`);

const printButton = html`<p class="no-print"><button type="button" data-print hidden>Print this page</button></p>`;

/** An audit trail: every event with when, who, why and what changed (XXXX once erased). */
export const auditPage = (ctx: PageContext, o: { readonly who: string; readonly entries: ReadonlyArray<AuditEntry & { readonly named: string }>; readonly asOf: string | null; readonly printedAt: string }): Html => html`<h1>Audit trail: ${o.who}</h1>
<p class="lede">Everything recorded about them${o.asOf === null ? '' : `, as it stood at ${formatInstant(o.asOf, ctx.zone)}`}: when, who, why and what changed. Personal details read XXXX once they are erased.</p>
<p class="print-only">Printed ${o.printedAt}.</p>
${printButton}
${table(
  `Audit trail of ${o.who}`,
  ['When', 'What', 'Who', 'Why', 'What changed'],
  o.entries.map((e) => [formatInstant(e.at, ctx.zone), eventWords(e.type), actorWords(e.actor), why(e.reasonCode, e.reason), officeText(e.named)]),
  { empty: 'Nothing recorded.' },
)}`;

/** Why a contact could or could not be messaged at a moment, with the chain of events. */
export const explainPage = (ctx: PageContext, o: { readonly who: string; readonly x: Explanation; readonly channel: string; readonly atText: string; readonly printedAt: string }): Html => html`<h1>${o.x.channel === 'email' ? 'Email' : 'Texts'} to ${o.who}</h1>
<form method="get" class="filters no-print" aria-label="Choose the channel and moment">
${select({ name: 'channel', label: 'Channel', value: o.channel, options: [['email', 'Email'], ['sms', 'Text message']] })}
${field({ name: 'at', label: 'At (the school\'s time)', type: 'datetime-local', value: o.atText })}
<div class="field"><button type="submit">Explain</button></div>
</form>
<p class="print-only">Printed ${o.printedAt}.</p>
${printButton}
<p><strong>At ${formatInstant(o.x.at, ctx.zone)}: ${o.x.usable ? 'could be messaged' : 'could not be messaged'}.</strong> ${officeText(o.x.summary)}</p>
${table(
  'What made it so',
  ['When', 'What happened', 'Who', 'Still in force'],
  o.x.reasons.map((r) => [r.at === null ? '—' : formatInstant(r.at, ctx.zone), officeText(r.because), r.actor === null ? '—' : `${actorWords(r.actor)}${r.reason === null ? '' : `: ${r.reason}`}`, r.standing ? 'yes' : 'no']),
  { empty: 'Nothing stood in the way.' },
)}`;
