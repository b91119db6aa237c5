/** The import core stays pure: no node: imports, no clock, no randomness. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '../../src');
const files = [...readdirSync(join(root, 'import')).map((f) => join(root, 'import', f)), join(root, 'deciders/importRun.ts')];

describe('import core purity', () => {
  for (const f of files) {
    it(`${f.slice(root.length + 1)} has no node: import, Date.now or Math.random`, () => {
      const text = readFileSync(f, 'utf8');
      expect(text).not.toMatch(/from ['"]node:/);
      expect(text).not.toMatch(/Date\.now\(|Math\.random\(|new Date\(\)/);
    });
  }
});
