import { getPreset, resolveWorkload } from '@numasim/shared';
import { runWorkload } from '@numasim/node-sim';
const extra = process.argv.slice(2);
for (const s of ['none', '2.4', 'o1', 'numa']) {
  const sets = s === 'none' ? [...extra] : [`scheduler=${s}`, ...extra];
  const t0 = Date.now();
  const r = runWorkload(resolveWorkload(getPreset('numaq-16-kernbench').workload, ['seed=1', ...sets]));
  const w = r.workload;
  const lru = r.locks.find((l) => l.name === 'pagemap_lru_lock');
  console.log(JSON.stringify({ scheduler: s, extra, buildS: w.completionNs / 1e9, time: w.time, sched: w.sched, lruUtil: lru?.utilPercent, lruCon: lru?.conPercent, wallS: (Date.now() - t0) / 1000 }));
}
