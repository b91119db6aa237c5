/** The CLI's text tables (output.ts): the layout the commands print, drawn by cli-table3. */
import { describe, expect, it } from 'vitest';
import { table } from '../src/output.js';

describe('table', () => {
  it('aligns columns two spaces apart under a rule of dashes, null as -', () => {
    expect(table(['type', 'count'], [['permanent-bounce', 3], ['spam', null]])).toBe(
      ['type              count', '----------------  -----', 'permanent-bounce  3', 'spam              -'].join('\n'),
    );
  });

  it('measures wide characters by their width on a terminal', () => {
    const out = table(['name', 'ok'], [['李小龍', true], ['Zoë', false]]).split('\n');
    // 李小龍 is three characters but six columns wide: the next column starts where it does for "name  ".
    expect(out).toEqual(['name    ok', '------  -----', '李小龍  true', 'Zoë     false']);
  });

  it('an empty table still has its headers and rule', () => {
    expect(table(['member', 'name'], [])).toBe('member  name\n------  ----');
  });
});
