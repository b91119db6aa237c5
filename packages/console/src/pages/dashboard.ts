/** `/`: on-roll students with a contactable prime parent by email, mobile, either; the named list without; a 7-day chart of messages. */
import { formatLocalDate, memberLabel, type DashboardView, type MemberSummary } from '@contactable/projections';
import { html, memberHref, table, withPercent, type Html, type PageContext } from '../html.js';

/** How many of those without are listed by name. */
export const WITHOUT_SHOWN = 200;

/** An accessible bar chart of messages per day and channel (the table below says the same). */
const chart = (days: DashboardView['messagesLast7Days']): Html => {
  const max = Math.max(1, ...days.flatMap((d) => [d.email, d.sms]));
  const w = 560;
  const h = 200;
  const base = 170;
  const slot = w / days.length;
  const bar = Math.min(22, slot / 3);
  const height = (n: number): number => (n === 0 ? 0 : Math.max(2, (140 * n) / max));
  const total = days.reduce((n, d) => n + d.email + d.sms, 0);
  return html`<figure class="chart">
<svg viewBox="0 0 ${w} ${h}" role="img" aria-labelledby="chart-title chart-desc" focusable="false">
<title id="chart-title">Messages sent in the last 7 days</title>
<desc id="chart-desc">${total} messages in all; per day: ${days.map((d) => `${formatLocalDate(d.date)}: ${d.email} emails, ${d.sms} texts`).join('; ')}.</desc>
<line x1="0" y1="${base}" x2="${w}" y2="${base}" stroke="#1b1b1b" stroke-width="1"></line>
${days.map((d, i) => {
  const x = i * slot + slot / 2;
  return html`<rect class="email" x="${(x - bar - 1).toFixed(1)}" y="${(base - height(d.email)).toFixed(1)}" width="${bar.toFixed(1)}" height="${height(d.email).toFixed(1)}"></rect>
<rect class="sms" x="${(x + 1).toFixed(1)}" y="${(base - height(d.sms)).toFixed(1)}" width="${bar.toFixed(1)}" height="${height(d.sms).toFixed(1)}"></rect>
<text x="${x.toFixed(1)}" y="${base + 15}" text-anchor="middle">${formatLocalDate(d.date).slice(0, 3)} ${d.date.slice(8)}</text>
${d.email > 0 ? html`<text x="${(x - bar / 2 - 1).toFixed(1)}" y="${(base - height(d.email) - 3).toFixed(1)}" text-anchor="middle">${d.email}</text>` : ''}
${d.sms > 0 ? html`<text x="${(x + bar / 2 + 1).toFixed(1)}" y="${(base - height(d.sms) - 3).toFixed(1)}" text-anchor="middle">${d.sms}</text>` : ''}`;
})}
</svg>
<figcaption class="key"><span class="email">Emails</span><span class="sms">Texts</span></figcaption>
</figure>`;
};

/** The dashboard page. */
export const dashboardPage = (_ctx: PageContext, d: DashboardView, shown: ReadonlyArray<MemberSummary>): Html => {
  const s = d.studentsWithContactablePrimeParent;
  return html`<h1>Dashboard</h1>
<p class="lede">${formatLocalDate(d.today)}. Students on roll with a prime parent the school can reach; pre-admissions and leavers are not counted.</p>
<h2>Students with a contactable prime parent</h2>
<ul class="cards">
<li><span class="n">${s.total}</span> students on roll</li>
<li><span class="n">${withPercent(s.byEmail, s.total)}</span> by email</li>
<li><span class="n">${withPercent(s.byMobile, s.total)}</span> by mobile</li>
<li><span class="n">${withPercent(s.byEither, s.total)}</span> by either</li>
</ul>
<h2 id="without">Students without a contactable prime parent (${s.without.length})</h2>
${s.without.length === 0
  ? html`<p>Every student on roll has a prime parent the school can reach.</p>`
  : html`<p>Check their linked people: add a prime parent, or ask the family for a working email address or mobile number.</p>
<ul class="without">${shown.map((m) => html`<li><a href="${memberHref(m)}">${memberLabel(m)}</a></li>`)}</ul>
${s.without.length > shown.length ? html`<p>and ${s.without.length - shown.length} more: see the <a href="/data-issues?type=no-prime-parent">data issues</a>.</p>` : ''}`}
<h2>Messages sent in the last 7 days</h2>
${chart(d.messagesLast7Days)}
${table('Messages sent per day', ['Day', 'Emails', 'Texts'], d.messagesLast7Days.map((m) => [formatLocalDate(m.date), m.email, m.sms]))}
`;
};
