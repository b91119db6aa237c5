/** The console's one stylesheet (screen and a clean A4 print) and its one small script: no front-end build. */

/** The stylesheet. Colours keep at least 4.5:1 contrast on their backgrounds. */
export const CSS = `
:root { --ink: #1b1b1b; --muted: #4a4a4a; --line: #b1b4b6; --accent: #1d4e89; --accent-ink: #ffffff; --done: #00703c; --refused: #b10e1e; --soft: #f3f2f1; }
* { box-sizing: border-box; }
html { font-family: system-ui, -apple-system, "Segoe UI", Arial, sans-serif; color: var(--ink); background: #fff; line-height: 1.45; }
body { margin: 0; }
a { color: var(--accent); }
a:focus, button:focus, input:focus, select:focus, textarea:focus, main:focus-visible { outline: 3px solid #ffbf47; outline-offset: 1px; }
.skip { position: absolute; left: -9999px; }
.skip:focus { left: 1rem; top: 1rem; background: #ffbf47; color: #000; padding: .5rem; z-index: 10; }
.top { display: flex; flex-wrap: wrap; align-items: center; gap: 1rem 2rem; padding: .6rem 1.5rem; background: var(--accent); color: var(--accent-ink); }
.top a { color: var(--accent-ink); }
.brand { margin: 0; font-weight: 700; font-size: 1.15rem; }
.brand a { text-decoration: none; }
nav ul { list-style: none; display: flex; flex-wrap: wrap; gap: .25rem 1rem; margin: 0; padding: 0; }
nav a[aria-current="page"] { font-weight: 700; text-decoration-thickness: 3px; }
.who { margin-left: auto; display: flex; gap: .75rem; align-items: center; }
.who form { margin: 0; }
button.link { background: none; border: 0; color: var(--accent-ink); text-decoration: underline; cursor: pointer; font: inherit; padding: 0; }
main { max-width: 72rem; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
h1 { font-size: 1.8rem; margin: .8rem 0 .4rem; }
h2 { font-size: 1.35rem; margin: 1.6rem 0 .5rem; }
h3 { font-size: 1.1rem; margin: 1rem 0 .3rem; }
.lede { color: var(--muted); margin-top: 0; }
.flash { padding: .6rem .9rem; border-left: 6px solid; background: var(--soft); }
.flash.done { border-color: var(--done); }
.flash.refused { border-color: var(--refused); }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(11rem, 1fr)); gap: .75rem; margin: .75rem 0; padding: 0; list-style: none; }
.cards li { border: 1px solid var(--line); padding: .6rem .8rem; }
.cards .n { display: block; font-size: 1.6rem; font-weight: 700; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
caption { text-align: left; font-weight: 700; padding: .3rem 0; }
th, td { text-align: left; vertical-align: top; padding: .35rem .5rem; border-bottom: 1px solid var(--line); }
thead th { border-bottom: 2px solid var(--ink); }
.empty { color: var(--muted); font-style: italic; }
form { margin: .4rem 0; }
fieldset { border: 1px solid var(--line); margin: .6rem 0; padding: .5rem .8rem; }
legend { font-weight: 700; padding: 0 .3rem; }
.field { margin: .4rem 0; display: flex; flex-direction: column; max-width: 28rem; }
.field label { font-weight: 600; }
.hint { color: var(--muted); font-size: .9rem; }
.check { display: flex; gap: .4rem; align-items: flex-start; margin: .35rem 0; }
.check input { width: 1.2rem; height: 1.2rem; margin-top: .15rem; }
input, select, textarea { font: inherit; padding: .3rem .4rem; border: 2px solid var(--ink); border-radius: 0; background: #fff; color: var(--ink); }
textarea { width: 100%; max-width: 40rem; min-height: 6rem; }
button, .button { font: inherit; background: var(--accent); color: var(--accent-ink); border: 0; padding: .4rem .9rem; cursor: pointer; text-decoration: none; display: inline-block; }
button.secondary { background: #dedede; color: var(--ink); }
button.danger { background: var(--refused); color: #fff; }
.filters { display: flex; flex-wrap: wrap; gap: .3rem 1rem; align-items: flex-end; }
.filters .field { min-width: 10rem; }
.row-actions { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: flex-end; }
.row-actions form { margin: 0; }
.person { border: 1px solid var(--line); padding: .3rem 1rem .8rem; margin: 1rem 0; }
.person h3 { margin-top: .6rem; }
.status-ok { color: var(--done); font-weight: 600; }
.status-bad { color: var(--refused); font-weight: 600; }
.badge { display: inline-block; border: 1px solid var(--ink); padding: 0 .35rem; font-size: .85rem; margin-left: .3rem; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: .5rem 0; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; }
details { margin: .4rem 0; }
summary { cursor: pointer; color: var(--accent); }
.chart svg { max-width: 40rem; width: 100%; height: auto; }
.chart .email { fill: #1d4e89; }
.chart .sms { fill: #6f3c00; }
.chart text { font-size: 11px; fill: #1b1b1b; }
.key { display: flex; gap: 1rem; font-size: .9rem; }
.key span::before { content: ""; display: inline-block; width: .8rem; height: .8rem; margin-right: .3rem; vertical-align: middle; }
.key .email::before { background: #1d4e89; }
.key .sms::before { background: #6f3c00; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.print-only { display: none; }
@media print {
  @page { size: A4; margin: 15mm 12mm; }
  html { font-size: 10.5pt; }
  body { color: #000; background: #fff; }
  .top, .skip, .no-print, form, .flash, nav { display: none !important; }
  .print-only { display: block; }
  main { max-width: none; padding: 0; margin: 0; }
  a { color: #000; text-decoration: none; }
  h1 { font-size: 16pt; margin-top: 0; }
  table { font-size: 9pt; page-break-inside: auto; }
  tr, td, th { page-break-inside: avoid; break-inside: avoid; }
  thead { display: table-header-group; }
  th, td { border-bottom: 1px solid #777; padding: 2pt 4pt; }
}
`;

/** Progressive enhancement only: every page works without it (a print button appears where a script can run). */
export const JS = `
document.addEventListener('click', function (e) {
  var t = e.target;
  if (t instanceof Element && t.closest('[data-print]')) { e.preventDefault(); window.print(); }
});
document.querySelectorAll('[data-print]').forEach(function (b) { b.hidden = false; });
`;
