/** The workspace's publishable packages, read from disk: what the packaging tests check. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** What we read of a package.json. */
export interface Manifest {
  readonly name: string;
  readonly description?: string;
  readonly type?: string;
  readonly license?: string;
  readonly engines?: Record<string, string>;
  readonly repository?: { readonly type?: string; readonly url?: string; readonly directory?: string } | string;
  readonly files?: ReadonlyArray<string>;
  readonly exports?: Record<string, unknown>;
  readonly dependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
  readonly peerDependenciesMeta?: Record<string, { readonly optional?: boolean }>;
  readonly optionalDependencies?: Record<string, string>;
  readonly devDependencies?: Record<string, string>;
}

/** One package of packages/. */
export interface WorkspacePackage {
  /** Its folder, relative to the root (`packages/core`). */
  readonly dir: string;
  readonly manifest: Manifest;
}

/** Every package under packages/ (a folder with a package.json), in name order. */
export const workspacePackages = (): ReadonlyArray<WorkspacePackage> =>
  readdirSync(join(ROOT, 'packages'))
    .filter((d) => statSync(join(ROOT, 'packages', d, 'package.json'), { throwIfNoEntry: false })?.isFile() === true)
    .map((d) => ({ dir: `packages/${d}`, manifest: JSON.parse(readFileSync(join(ROOT, 'packages', d, 'package.json'), 'utf8')) as Manifest }))
    .sort((a, b) => a.manifest.name.localeCompare(b.manifest.name));

/** Every .ts file (not .d.ts) under a folder of the root, relative to the root. */
export const tsFiles = (dir: string): ReadonlyArray<string> => {
  const out: string[] = [];
  const walk = (abs: string): void => {
    for (const e of readdirSync(abs, { withFileTypes: true })) {
      const p = join(abs, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'node_modules' && e.name !== 'dist') walk(p);
      } else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(relative(ROOT, p));
    }
  };
  walk(join(ROOT, dir));
  return out.sort();
};
