/** A progress bar on a terminal (stderr), and nothing at all when piped. */

/** Reports progress of long work. */
export interface Progress {
  readonly update: (done: number, total: number) => void;
  readonly finish: () => void;
}

const silent: Progress = { update: () => undefined, finish: () => undefined };

/** A progress bar labelled `label` when stderr is a terminal and output is not JSON. */
export const progressBar = (label: string, enabled = process.stderr.isTTY === true): Progress => {
  if (!enabled) return silent;
  let last = -1;
  return {
    update: (done, total) => {
      const pct = total === 0 ? 100 : Math.floor((done / total) * 100);
      if (pct === last) return;
      last = pct;
      const width = 30;
      const filled = Math.round((pct / 100) * width);
      process.stderr.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${pct}% (${done}/${total})`);
    },
    finish: () => {
      if (last >= 0) process.stderr.write('\n');
    },
  };
};
