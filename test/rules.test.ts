import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { citations, listedRules, regenerate, rulesPath } from '../scripts/rules.js';

describe('docs/rules.md, the rules catalogue', () => {
  const doc = readFileSync(rulesPath, 'utf8');
  const byRule = citations();

  it('lists rules', () => {
    expect(listedRules(doc).length).toBeGreaterThan(20);
  });

  it('every rule it lists is cited by at least one test', () => {
    const uncited = listedRules(doc).filter((id) => (byRule.get(id) ?? []).length === 0);
    expect(uncited).toEqual([]);
  });

  it('every rule id a test cites is listed', () => {
    const listed = new Set(listedRules(doc));
    expect([...byRule.keys()].filter((id) => !listed.has(id)).sort()).toEqual([]);
  });

  it('its "verified by" lists match the tests (run `pnpm rules` to refresh)', () => {
    expect(doc).toBe(regenerate(doc, byRule));
  });
});
