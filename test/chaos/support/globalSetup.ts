/** `pnpm chaos`: a folder for the suites' targets, and the table of them printed when every suite has run. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import type { TargetRecord } from './targets.js';

export default function setup(project: TestProject): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'contactable-chaos-'));
  project.provide('chaosResults', dir);
  return () => {
    let records: TargetRecord[] = [];
    try {
      records = readFileSync(join(dir, 'targets.jsonl'), 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as TargetRecord);
    } catch {
      records = [];
    }
    rmSync(dir, { recursive: true, force: true });
    const rows = records.map((r) => [r.met ? 'MET' : 'NOT MET', r.suite, r.name, r.measured, r.target]);
    const head = ['', 'suite', 'target', 'measured', 'must be'];
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const line = (r: ReadonlyArray<string>) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
    const out = ['', 'chaos targets', line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line), '', `${records.filter((r) => r.met).length} of ${records.length} targets met`, ''];
    process.stdout.write(`${out.join('\n')}\n`);
  };
}
