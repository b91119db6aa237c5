/**
 * A package's runtime dependencies are exactly what its sources import (GUIDE; issue 15), checked from the
 * sources so it stays true as code changes. Each failure names the package, the file and the import, and the fix.
 *
 * - Every package a file under src/ imports (value or type: types reach our declarations) is in
 *   `dependencies` or `peerDependencies`.
 * - Every entry of `dependencies` is imported by some file under src/, or gives one of our packages it
 *   depends on a peer it asks for.
 * - An optional peer is never loaded, even indirectly, by the package's main entry: only by another entry
 *   (`@contactable/core/testing` and fast-check) or on demand, named in a string (`openStore('esdb://')`).
 */
import { isBuiltin } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { ROOT, tsFiles, workspacePackages, type WorkspacePackage } from './workspace.js';

/** One import of a file: what it names, and whether it loads code (a type-only import does not). */
interface Import {
  readonly specifier: string;
  readonly loadsCode: boolean;
}

/** The imports of a TypeScript file: import/export ... from, import('literal'), and import('x').T in types. */
export const importsOf = (file: string, text: string): ReadonlyArray<Import> => {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const out: Import[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const named = clause?.namedBindings;
      const typeOnly =
        clause !== undefined &&
        (clause.isTypeOnly ||
          (clause.name === undefined && named !== undefined && ts.isNamedImports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly)));
      out.push({ specifier: node.moduleSpecifier.text, loadsCode: !typeOnly });
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier !== undefined && ts.isStringLiteral(node.moduleSpecifier)) {
      const named = node.exportClause;
      const typeOnly = node.isTypeOnly || (named !== undefined && ts.isNamedExports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly));
      out.push({ specifier: node.moduleSpecifier.text, loadsCode: !typeOnly });
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      // A dynamic import loads on demand, never when the entry loads.
      const arg = node.arguments[0];
      if (arg !== undefined && ts.isStringLiteralLike(arg)) out.push({ specifier: arg.text, loadsCode: false });
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      out.push({ specifier: node.argument.literal.text, loadsCode: false });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
};

/** The package an import names (`fp-ts/lib/Either.js` -> `fp-ts`), or null for a relative path or a Node built-in. */
export const packageOf = (specifier: string): string | null => {
  if (specifier.startsWith('.') || specifier.startsWith('/') || isBuiltin(specifier)) return null;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
};

interface SourceFile {
  readonly file: string;
  readonly text: string;
  readonly imports: ReadonlyArray<Import>;
}

const sourcesOf = (pkg: WorkspacePackage): ReadonlyArray<SourceFile> =>
  tsFiles(`${pkg.dir}/src`).map((file) => {
    const text = readFileSync(join(ROOT, file), 'utf8');
    return { file, text, imports: importsOf(file, text) };
  });

/** The files a file loads through relative value imports, transitively (the code that runs when it is loaded). */
const loadedFrom = (entry: string, files: ReadonlyMap<string, SourceFile>): ReadonlyArray<SourceFile> => {
  const seen = new Map<string, SourceFile>();
  const visit = (file: string): void => {
    const f = files.get(file);
    if (f === undefined || seen.has(file)) return;
    seen.set(file, f);
    for (const i of f.imports) {
      if (!i.loadsCode || !i.specifier.startsWith('.')) continue;
      visit(normalize(join(dirname(file), i.specifier.replace(/\.js$/, '.ts'))));
    }
  };
  visit(entry);
  return [...seen.values()];
};

/** Everything wrong with one package's dependencies, as sentences. */
const problemsOf = (pkg: WorkspacePackage): ReadonlyArray<string> => {
  const m = pkg.manifest;
  const deps = Object.keys(m.dependencies ?? {});
  const peers = Object.keys(m.peerDependencies ?? {});
  const optionalPeers = peers.filter((p) => m.peerDependenciesMeta?.[p]?.optional === true);
  const sources = sourcesOf(pkg);
  const problems: string[] = [];
  const importers = new Map<string, string[]>();
  for (const s of sources) {
    for (const i of s.imports) {
      const name = packageOf(i.specifier);
      if (name === null || name === m.name) continue;
      importers.set(name, [...(importers.get(name) ?? []), s.file]);
      if (!deps.includes(name) && !peers.includes(name) && !(m.optionalDependencies ?? {})[name]) {
        problems.push(`${s.file} imports '${i.specifier}', but ${m.name} does not declare ${name}: add it to "dependencies" in ${pkg.dir}/package.json (pnpm --filter ${m.name} add ${name})`);
      }
    }
  }
  // A dependency nothing imports is still right when it is there to give one of our packages an optional
  // peer (the CLI brings `pg`, so `--store postgres://` works wherever the CLI is installed).
  const peersOfOurs = new Set(
    deps.flatMap((d) => Object.keys(workspacePackages().find((w) => w.manifest.name === d)?.manifest.peerDependencies ?? {})),
  );
  for (const d of deps) {
    if (!importers.has(d) && !peersOfOurs.has(d)) {
      problems.push(`${m.name} lists ${d} in "dependencies", but no file under ${pkg.dir}/src imports it: remove it (pnpm --filter ${m.name} remove ${d}), or move it to devDependencies if only tests use it`);
    }
  }
  for (const p of optionalPeers) {
    const named = sources.some((s) => s.text.includes(`'${p}'`) || s.text.includes(`"${p}"`));
    if (!importers.has(p) && !named) problems.push(`${m.name} lists ${p} as an optional peer, but nothing under ${pkg.dir}/src imports or names it: remove it`);
  }
  // The main entry must load no optional peer: a user who never asked for it has not installed it.
  const byFile = new Map(sources.map((s) => [s.file, s]));
  for (const f of loadedFrom(`${pkg.dir}/src/index.ts`, byFile)) {
    for (const i of f.imports) {
      const name = packageOf(i.specifier);
      if (name !== null && i.loadsCode && optionalPeers.includes(name)) {
        problems.push(`${m.name}'s main entry loads ${name}, an optional peer, through ${f.file} ('${i.specifier}'): load it from another entry or on demand (import() when asked for)`);
      }
    }
  }
  return problems;
};

describe('package dependencies are what the sources import', () => {
  const packages = workspacePackages();

  it('finds the packages', () => {
    expect(packages.map((p) => p.manifest.name)).toEqual(expect.arrayContaining(['@contactable/core', '@contactable/adapters-store', '@contactable/adapters-eventstoredb', '@contactable/cli']));
  });

  it.each(packages.map((p) => [p.manifest.name, p] as const))('%s declares exactly what it imports', (_name, pkg) => {
    expect(problemsOf(pkg)).toEqual([]);
  });

  it('the checker sees every kind of import, and tells type-only and on-demand ones from loads', () => {
    const text = [
      "import a from 'alpha';",
      "import type { B } from 'beta/sub.js';",
      "import { type C } from '@scope/gamma/deep';",
      "export * from 'delta';",
      "export type { E } from 'epsilon';",
      "const z = await import('zeta');",
      "type T = import('eta').T;",
      "import { readFileSync } from 'node:fs';",
      "import { x } from './local.js';",
      'const v = "iota"; await import(v);',
    ].join('\n');
    const found = importsOf('x.ts', text).map((i) => [packageOf(i.specifier), i.loadsCode]);
    expect(found).toEqual([
      ['alpha', true],
      ['beta', false],
      ['@scope/gamma', false],
      ['delta', true],
      ['epsilon', false],
      ['zeta', false],
      ['eta', false],
      [null, true],
      [null, true],
    ]);
  });

  it('fast-check stays out of core unless the testing entry is used (R-OPS: an optional peer)', () => {
    const core = packages.find((p) => p.manifest.name === '@contactable/core')!.manifest;
    expect(core.dependencies?.['fast-check']).toBeUndefined();
    expect(core.peerDependenciesMeta?.['fast-check']?.optional).toBe(true);
  });

  it('the EventStoreDB client is not installed with the store adapters', () => {
    const store = packages.find((p) => p.manifest.name === '@contactable/adapters-store')!.manifest;
    expect(Object.keys(store.dependencies ?? {}).filter((d) => /eventstore|kurrent|grpc/.test(d))).toEqual([]);
    expect(store.peerDependenciesMeta?.['@contactable/adapters-eventstoredb']?.optional).toBe(true);
  });
});
