import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const srcDir = new URL('../src/', import.meta.url).pathname;
const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });

describe('the core is pure', () => {
  const sources = files(srcDir).map((path) => ({ path: path.slice(srcDir.length), text: readFileSync(path, 'utf8') }));

  it('has sources to check', () => {
    expect(sources.length).toBeGreaterThan(10);
  });

  it('imports nothing from node: modules or other @contactable packages', () => {
    const offenders = sources.filter(({ text }) => /from\s+['"](node:|@contactable\/|fs['"]|path['"]|crypto['"])/.test(text)).map((s) => s.path);
    expect(offenders).toEqual([]);
  });

  it('reads no clock and makes no randomness (Date.now, new Date(), Math.random, randomUUID)', () => {
    const offenders = sources.filter(({ text }) => /Date\.now\(|new Date\(\)|Math\.random\(|randomUUID\(/.test(text)).map((s) => s.path);
    expect(offenders).toEqual([]);
  });
});
