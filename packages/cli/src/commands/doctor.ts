/** `doctor`: reads the whole store and reports what is wrong with it (exit 1 when anything is). */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { inspectionOf, lockStatus, maskUrl, storeKind, type LockStatus } from '@contactable/adapters-store';
import type { Command } from '../command.js';
import { runDoctor } from '../doctor/checks.js';
import { CliError } from '../errors.js';

/** `contactable doctor` */
export const doctor: Command = {
  name: 'doctor',
  summary: 'Check the store: events that do not decode, personal data without its key (and keys without data), checkpoints out of step, a lock left by a dead process',
  usage: 'contactable doctor [--store URL] [--json]\n  exits 1 when anything is wrong, listing each problem with where it is and what to do',
  options: {},
  needsStore: true,
  run: async (ctx) => {
    // The lock is looked at before the store is opened: opening takes it over.
    let lock: LockStatus | null = null;
    if (storeKind(ctx.storeUrl) === 'pglite') {
      const folder = /^file:/i.test(ctx.storeUrl) ? fileURLToPath(ctx.storeUrl) : ctx.storeUrl;
      // Opening a folder that is not there would make an empty store: nothing to check, and a new folder left behind.
      if (!existsSync(folder)) throw new CliError(`${folder} does not exist: there is no store there to check (see --store).`);
      lock = await lockStatus(folder);
      if (lock.state === 'held') {
        throw new CliError(`${folder} is in use by ${lock.holder === null ? 'another process' : `process ${lock.holder.pid}`}: run doctor once it has finished (one process at a time opens an embedded store).`);
      }
    }
    const store = await ctx.store();
    const report = await runDoctor({ store, inspection: inspectionOf(store), lock });
    const json = { store: maskUrl(ctx.storeUrl), ...report };
    ctx.out.result(json, () => {
      for (const c of report.checks) {
        const mark = c.status === 'ok' ? 'ok     ' : c.status === 'skipped' ? 'skipped' : 'PROBLEM';
        ctx.out.line(`${mark} ${c.title}${c.looked !== null ? ` (${c.looked})` : ''}${c.skipped !== null ? `: ${c.skipped}` : ''}`);
        for (const f of c.findings) {
          ctx.out.line(`  - ${f.problem}${f.where !== null ? `\n    where: ${f.where}` : ''}\n    what to do: ${f.fix}`);
        }
      }
    });
    if (!report.ok) throw new CliError(`${report.problems} problem(s) found in ${maskUrl(ctx.storeUrl)}; see each one's "what to do".`);
  },
};
