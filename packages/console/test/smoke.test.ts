import { describe, expect, it } from 'vitest';
import { client, startWorld, STAFF } from './support/world.js';

describe('smoke', () => {
  it('pages render', async () => {
    const w = await startWorld();
    try {
      const b = client(w.base);
      const login = await b.signIn(STAFF.admin.email);
      expect(login.status).toBe(303);
      for (const path of ['/', '/data-issues', '/members', '/groups', '/import', '/settings', '/staff', '/members/new']) {
        const r = await b.get(path);
        if (r.status !== 200) console.log(path, r.status, r.text.slice(0, 500));
        expect(r.status).toBe(200);
      }
      const members = await b.get('/members');
      const href = /href="(\/members\/[^"]+)"/.exec(members.text.slice(members.text.indexOf('<table')))![1]!;
      const m = await b.get(href);
      expect(m.status).toBe(200);
      const cid = /action="\/contacts\/([^/]+)\/opt-out"/.exec(m.text)![1]!;
      for (const p of [`/contacts/${cid}`, `/audit/${cid}`, `/explain/${cid}?channel=email`, `/audit/${href.split('/')[2]}`]) {
        const r = await b.get(p);
        if (r.status !== 200) console.log(p, r.status, r.text.slice(0, 800));
        expect(r.status).toBe(200);
      }
      console.log(w.logs.slice(-5).join('\n'));
    } finally {
      await w.close();
    }
  });
});
