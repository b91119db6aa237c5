/** The sign-in page (the only page without a session). */
import { html, layout, type Html } from '../html.js';

/** The sign-in form; `csrf` is the value of the sign-in cookie it must echo. */
export const loginPage = (o: { readonly csrf: string; readonly next: string; readonly email?: string; readonly message?: { readonly kind: 'refused' | 'note'; readonly text: string } }): Html =>
  layout(null, {
    title: 'Sign in',
    body: html`<h1>Sign in</h1>
<p class="lede">The school's contact data: for office and compliance staff.</p>
${o.message === undefined ? '' : html`<p class="flash ${o.message.kind === 'refused' ? 'refused' : 'done'}" role="${o.message.kind === 'refused' ? 'alert' : 'status'}">${o.message.text}</p>`}
<form method="post" action="/login">
<input type="hidden" name="_csrf" value="${o.csrf}">
<input type="hidden" name="next" value="${o.next}">
<div class="field"><label for="email">Email address</label><input id="email" name="email" type="email" autocomplete="username" required value="${o.email ?? ''}"></div>
<div class="field"><label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required></div>
<button type="submit">Sign in</button>
</form>`,
  });
