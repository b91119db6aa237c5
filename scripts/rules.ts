/**
 * Keeps docs/rules.md honest: each rule there lists the tests that cite its id,
 * generated from the test files. `pnpm rules` rewrites the lists; the test suite
 * fails when a listed rule is cited by no test or a list is out of date.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const root = fileURLToPath(new URL('..', import.meta.url));
/** The rules catalogue. */
export const rulesPath = join(root, 'docs', 'rules.md');

const RULE_ID = /R-[A-Z]{3}-\d+/g;

const testFiles = (dir: string): string[] => {
  let out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(testFiles(p));
    else if (/\.test\.ts$/.test(name)) out.push(p);
  }
  return out;
};

/** Every test name (from `it(`/`test(`) that cites a rule id, by rule id. */
export const citations = (): Map<string, Array<{ file: string; name: string }>> => {
  const byRule = new Map<string, Array<{ file: string; name: string }>>();
  const files = ['packages', 'test', 'examples'].flatMap((d) => testFiles(join(root, d))).sort();
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/\b(?:it|test)(?:\.\w+)?\(\s*(['"`])((?:(?!\1).)*R-[A-Z]{3}-\d+(?:(?!\1).)*)\1/g)) {
      const name = m[2]!;
      for (const id of new Set(name.match(RULE_ID) ?? [])) {
        const list = byRule.get(id) ?? [];
        list.push({ file: relative(root, file), name });
        byRule.set(id, list);
      }
    }
  }
  return byRule;
};

/** The rule ids the catalogue lists (its `### R-...` headings). */
export const listedRules = (doc: string): string[] => [...doc.matchAll(/^### (R-[A-Z]{3}-\d+)/gm)].map((m) => m[1]!);

/** The catalogue with each rule's "verified by" list regenerated. */
export const regenerate = (doc: string, byRule = citations()): string =>
  doc.replace(/<!-- tests:(R-[A-Z]{3}-\d+) -->[\s\S]*?<!-- \/tests -->/g, (_all, id: string) => {
    const tests = byRule.get(id) ?? [];
    const lines = tests.length === 0 ? ['- (no test cites this rule yet)'] : tests.map((t) => `- \`${t.file}\` › ${t.name}`);
    return `<!-- tests:${id} -->\n${lines.join('\n')}\n<!-- /tests -->`;
  });

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const doc = readFileSync(rulesPath, 'utf8');
  writeFileSync(rulesPath, regenerate(doc));
  console.log(`docs/rules.md: ${listedRules(doc).length} rules, lists regenerated`);
}
