import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { table, wrap } from '../src/output.js';

describe('the table of every command', () => {
  it('aligns columns two spaces apart under a rule of dashes, null as -', () => {
    expect(table(['type', 'count'], [['permanent-bounce', 3], ['spam', null]], 80)).toBe(
      ['type              count', '----------------  -----', 'permanent-bounce  3', 'spam              -'].join('\n'),
    );
  });

  it('an empty table still has its headers and rule', () => {
    expect(table(['member', 'name'], [], 80)).toBe('member  name\n------  ----');
  });

  it('keeps a narrow table as it is', () => {
    expect(table(['name', 'n'], [['Ada Okafor', 3], ['Bo', null]], 80)).toBe('name        n\n----------  -\nAda Okafor  3\nBo          -');
  });

  it('wraps long cells so no line is wider than the terminal, and loses no word', () => {
    const rows = [['Email bouncing', 'Ngozi Okafor (K801200011002)', 'emails to this address failed three times: check the address with the family', '8 Sep 2026, 14:05 BST']];
    const out = table(['issue', 'member', 'what to do', 'raised'], rows, 60);
    for (const line of out.split('\n')) expect(line.length).toBeLessThanOrEqual(60);
    for (const word of rows[0]!.join(' ').split(' ')) expect(out).toContain(word.slice(0, 4));
    expect(out.split('\n').length).toBeGreaterThan(3);
  });

  it('law: any table fits any width of at least 40 columns, and wrapping keeps every character', () => {
    const cell = fc.string({ minLength: 0, maxLength: 80 }).map((s) => s.replace(/\s/g, ' '));
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.array(fc.array(cell, { minLength: 6, maxLength: 6 }), { maxLength: 8 }), fc.integer({ min: 40, max: 200 }), (n, rows, width) => {
        const out = table(Array.from({ length: n }, (_, i) => `h${i}`), rows.map((r) => r.slice(0, n)), width);
        for (const line of out.split('\n')) expect(line.length).toBeLessThanOrEqual(width);
      }),
      { numRuns: 200 },
    );
    fc.assert(
      fc.property(cell, fc.integer({ min: 1, max: 30 }), (text, width) => {
        const lines = wrap(text, width);
        for (const l of lines) expect(l.length).toBeLessThanOrEqual(width);
        expect(lines.join('').replace(/ /g, '')).toBe(text.replace(/ /g, ''));
      }),
      { numRuns: 300 },
    );
  });
});
