/**
 * Every ```ts block of a package README, and of the root README (its "Embedding the library" block
 * included), compiles strict. A block fenced ```ts fragment is an excerpt and is not compiled. Each example
 * is checked as a module inside its package's folder, so it resolves our packages and the third-party ones
 * as a user who installed that package would: through package.json `exports` to the built declarations
 * (`pnpm test` builds first; alone, run `pnpm build` before this file).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { ROOT, workspacePackages } from './workspace.js';

interface Example {
  readonly readme: string;
  readonly line: number;
  readonly file: string;
  readonly code: string;
}

/** The ```ts blocks of a Markdown text, with the line each starts on. */
export const tsBlocks = (markdown: string): ReadonlyArray<{ readonly line: number; readonly code: string }> => {
  const out: Array<{ line: number; code: string }> = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.trim() !== '```ts') continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && lines[end]!.trim() !== '```') end++;
    out.push({ line: start + 1, code: lines.slice(start, end).join('\n') });
    i = end;
  }
  return out;
};

const packages = workspacePackages();

/** Every example, placed as a file in the folder of the package whose dependencies it may use. */
const examples = (): ReadonlyArray<Example> => {
  const out: Example[] = [];
  const add = (readme: string, dir: string): void => {
    const path = join(ROOT, readme);
    if (!existsSync(path)) return;
    for (const [n, b] of tsBlocks(readFileSync(path, 'utf8')).entries()) {
      out.push({ readme, line: b.line, file: join(ROOT, dir, `README.example-${n}.ts`), code: b.code });
    }
  };
  for (const p of packages) add(`${p.dir}/README.md`, p.dir);
  // The root README embeds every library package: the CLI's folder sees them all.
  add('README.md', 'packages/cli');
  return out;
};

describe('README examples compile', () => {
  const all = examples();

  it('finds the examples: the root README and one per package', () => {
    expect(all.some((e) => e.readme === 'README.md')).toBe(true);
    for (const p of packages) expect(all.some((e) => e.readme === `${p.dir}/README.md`), `${p.dir}/README.md has no \`\`\`ts example`).toBe(true);
  });

  it('every ```ts block type-checks, strict', { timeout: 120_000 }, () => {
    const options: ts.CompilerOptions = {
      target: ts.ScriptTarget.ES2022,
      lib: ['lib.es2022.d.ts'],
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      strict: true,
      noUncheckedIndexedAccess: true,
      skipLibCheck: true,
      noEmit: true,
      types: ['node'],
      typeRoots: [join(ROOT, 'node_modules/@types')],
    };
    const byFile = new Map(all.map((e) => [e.file, e]));
    const host = ts.createCompilerHost(options);
    const { fileExists, readFile, getSourceFile } = host;
    host.fileExists = (f) => byFile.has(f) || fileExists.call(host, f);
    host.readFile = (f) => byFile.get(f)?.code ?? readFile.call(host, f);
    host.getSourceFile = (f, v, onError, create) => {
      const e = byFile.get(f);
      return e === undefined ? getSourceFile.call(host, f, v, onError, create) : ts.createSourceFile(f, e.code, v, true);
    };
    const program = ts.createProgram([...byFile.keys()], options, host);
    const problems = ts
      .getPreEmitDiagnostics(program)
      .filter((d) => d.file !== undefined && byFile.has(d.file.fileName))
      .map((d) => {
        const e = byFile.get(d.file!.fileName)!;
        const { line } = d.file!.getLineAndCharacterOfPosition(d.start ?? 0);
        return `${e.readme}:${e.line + line}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
      });
    expect(problems).toEqual([]);
  });
});
