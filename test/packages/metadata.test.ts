/** Every package can be published and depended on: engines, license, repository, files, a README that says ESM only. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, workspacePackages } from './workspace.js';

describe('package metadata', () => {
  it.each(workspacePackages().map((p) => [p.manifest.name, p] as const))('%s has engines, license, repository, files and a README', (_name, { dir, manifest: m }) => {
    expect(m.type, `${dir}/package.json: "type": "module" (ESM only)`).toBe('module');
    expect(m.engines?.['node'], `${dir}/package.json: engines.node`).toBe('>=20');
    expect(m.license, `${dir}/package.json: license`).toBe('MIT');
    expect(typeof m.repository === 'object' && m.repository.directory, `${dir}/package.json: repository.directory`).toBe(dir);
    expect(m.files, `${dir}/package.json: files`).toEqual(expect.arrayContaining(['dist']));
    expect(m.description, `${dir}/package.json: description`).toBeTruthy();
    const readme = join(ROOT, dir, 'README.md');
    expect(existsSync(readme), `${dir}/README.md`).toBe(true);
    expect(readFileSync(readme, 'utf8'), `${dir}/README.md says it is ESM only`).toMatch(/ESM only/);
  });
});
