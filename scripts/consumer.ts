/**
 * `pnpm consumer`: what a TypeScript service sees when it depends on our packages from npm.
 *
 * Packs every package (`pnpm pack`, so `workspace:*` becomes a version), then for each one makes a fresh
 * project that installs only that package from its tarball (our other packages from their tarballs too,
 * everything else from the npm registry, with npm as a user would) and compiles its README's examples
 * strict, `skipLibCheck` off. The root README's "Embedding the library" block is compiled the same way
 * with the packages it imports. Then a PGlite-only install (`@contactable/adapters-store` and
 * `@contactable/core`, runtime dependencies only) is measured on disk and run: it opens an embedded store,
 * appends and reads back, and asks for an esdb:// store, which must fail naming the package to install.
 *
 * Options: `--root DIR` packs another checkout (to measure an older version), `--size-only` skips the
 * compiles, `--keep` leaves the temporary folder. Exits non-zero when anything fails.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const args = process.argv.slice(2);
const flag = (name: string): boolean => args.includes(name);
const option = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};

const root = resolve(option('--root') ?? process.cwd());
const work = mkdtempSync(join(tmpdir(), 'contactable-consumer-'));
const run = (cmd: string, argv: ReadonlyArray<string>, cwd: string): string =>
  execFileSync(cmd, argv, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });

interface Packed {
  readonly name: string;
  readonly dir: string;
  readonly tarball: string;
}

const failures: string[] = [];
const started = Date.now();

// 1. Build and pack.
process.stdout.write(`building and packing ${root} ...\n`);
run('pnpm', ['-s', 'tsc', '-b'], root);
const tarballs = join(work, 'tarballs');
mkdirSync(tarballs);
const packed: Packed[] = readdirSync(join(root, 'packages'))
  .sort()
  .map((d) => {
    const dir = join(root, 'packages', d);
    const name = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string }).name;
    const before = new Set(readdirSync(tarballs));
    run('pnpm', ['pack', '--pack-destination', tarballs], dir);
    const tarball = readdirSync(tarballs).find((f) => !before.has(f))!;
    return { name, dir, tarball: join(tarballs, tarball) };
  });
const byName = new Map(packed.map((p) => [p.name, p]));

const rootManifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { devDependencies?: Record<string, string> };
const versionOf = (name: string): string => rootManifest.devDependencies?.[name] ?? 'latest';

/** A fresh npm project depending on `deps` (ours from their tarballs), installed. */
const project = (label: string, deps: ReadonlyArray<string>, dev: Record<string, string> = {}): string => {
  const dir = join(work, label);
  mkdirSync(dir);
  const spec = (n: string): string => (byName.has(n) ? `file:${byName.get(n)!.tarball}` : versionOf(n));
  const overrides = Object.fromEntries(packed.map((p) => [p.name, `file:${p.tarball}`]));
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: `consumer-${label}`, private: true, type: 'module', dependencies: Object.fromEntries(deps.map((n) => [n, spec(n)])), devDependencies: dev, overrides }, null, 2),
  );
  run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], dir);
  return dir;
};

const tsBlocks = (markdown: string): string[] => {
  const out: string[] = [];
  const re = /^```ts\n([\s\S]*?)^```$/gm;
  for (let m = re.exec(markdown); m !== null; m = re.exec(markdown)) out.push(m[1]!);
  return out;
};
const importedPackages = (code: string): string[] =>
  [...code.matchAll(/from '([^'.][^']*)'/g)].map((m) => {
    const parts = m[1]!.split('/');
    return m[1]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
  });

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    lib: ['ES2022'],
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    noUncheckedIndexedAccess: true,
    exactOptionalPropertyTypes: false,
    skipLibCheck: false,
    noEmit: true,
    types: ['node'],
  },
  include: ['*.ts'],
};

/** Installs what some examples import, compiles them strict with skipLibCheck off; the count of errors. */
const compile = (label: string, examples: ReadonlyArray<string>): number => {
  const deps = [...new Set(examples.flatMap(importedPackages))].sort();
  const dir = project(label, deps, { typescript: versionOf('typescript'), '@types/node': versionOf('@types/node') });
  examples.forEach((code, i) => writeFileSync(join(dir, `example-${i}.ts`), code));
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(TSCONFIG, null, 2));
  try {
    run('npx', ['tsc', '-p', '.'], dir);
    process.stdout.write(`  ${label.padEnd(28)} ${deps.join(', ')}: 0 errors\n`);
    return 0;
  } catch (e) {
    const out = String((e as { stdout?: string }).stdout ?? e);
    const errors = out.split('\n').filter((l) => /error TS\d+/.test(l));
    process.stdout.write(`  ${label.padEnd(28)} ${deps.join(', ')}: ${errors.length} errors\n${errors.map((l) => `    ${l}\n`).join('')}`);
    failures.push(`${label}: ${errors.length} type errors`);
    return errors.length;
  }
};

// 2. Each package alone, compiling its README's examples; then the root README's.
let errors = 0;
if (!flag('--size-only')) {
  process.stdout.write('strict consumer, skipLibCheck off:\n');
  for (const p of packed) {
    let readme = '';
    try {
      readme = readFileSync(join(p.dir, 'README.md'), 'utf8');
    } catch {
      // no README: nothing but the import itself to compile
    }
    const examples = tsBlocks(readme);
    errors += compile(p.name.replace('@contactable/', ''), examples.length > 0 ? examples : [`import * as m from '${p.name}';\nconsole.log(Object.keys(m).length);\n`]);
  }
  const embedding = tsBlocks(readFileSync(join(root, 'README.md'), 'utf8'));
  errors += compile('root-readme', embedding);
}

// 3. A PGlite-only user: runtime dependencies only, measured, then run.
const sizeOf = (dir: string): number => Number(run('du', ['-sb', dir], work).split('\t')[0]);
const pglite = project('pglite-only', ['@contactable/adapters-store', '@contactable/core']);
const bytes = sizeOf(join(pglite, 'node_modules'));
const packages = run('npm', ['ls', '--all', '--parseable', '--omit=dev'], pglite).split('\n').filter((l) => l.includes('node_modules')).length;
// Measured by this script with --root on a checkout of f836b55, before issue 15 (the README keeps both figures).
const BEFORE = { bytes: 71.1e6, packages: 64 };
process.stdout.write(
  `PGlite-only install (@contactable/adapters-store + @contactable/core): ${(bytes / 1e6).toFixed(1)} MB in ${packages} packages ` +
    `(before issue 15: ${(BEFORE.bytes / 1e6).toFixed(1)} MB in ${BEFORE.packages}; ${Math.round(100 * (1 - bytes / BEFORE.bytes))}% smaller)\n`,
);
if (!flag('--size-only') && byName.has('@contactable/adapters-eventstoredb')) {
  writeFileSync(
    join(pglite, 'smoke.mjs'),
    `import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '@contactable/adapters-store';
const store = await openStore(join(mkdtempSync(join(tmpdir(), 'smoke-')), 'store'));
const e = { id: 'e-1', type: 'GroupCreated', schemaVersion: 1, data: {}, metadata: { occurredAt: '2026-09-07T08:00:00.000Z', actor: { kind: 'system', name: 'smoke' }, reason: null, correlationId: 'c', causationId: null, schoolId: 'default' } };
const appended = await store.append('group-g1', [e], { kind: 'no-stream' });
if (appended._tag !== 'Right' || (await store.readStream('group-g1')).length !== 1) throw new Error('the embedded store did not keep an event');
await store.close();
try {
  await openStore('esdb://localhost:1?tls=false');
  throw new Error('esdb:// opened without its package');
} catch (err) {
  if (!String(err.message).includes('@contactable/adapters-eventstoredb')) throw err;
  console.log('  esdb:// without the package: ' + err.message);
}
console.log('  embedded store: appended and read back');
`,
  );
  try {
    process.stdout.write(run('node', ['smoke.mjs'], pglite));
  } catch (e) {
    failures.push(`PGlite-only smoke run: ${String((e as { stderr?: string }).stderr ?? e)}`);
  }
}

process.stdout.write(`\n${errors} type errors; ${failures.length === 0 ? 'all good' : failures.join('; ')} (${Math.round((Date.now() - started) / 1000)} s)\n`);
if (flag('--keep')) process.stdout.write(`kept ${work}\n`);
else rmSync(work, { recursive: true, force: true });
process.exit(failures.length === 0 ? 0 : 1);
