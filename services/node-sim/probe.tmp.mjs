import { resolveWorkload, getPreset } from '@numasim/shared';
import { runWorkload } from '@numasim/node-sim';
const small = { kind: 'kernbench', machine: 'numaq-16', jobs: 48, parallelJobs: 32, treePages: 300, processes: [
    { name: 'cpp', anonPages: 40, fileFaults: 10, readPages: 60, writePages: 0, cpuNs: 8_000_000 },
    { name: 'cc1', anonPages: 120, fileFaults: 30, readPages: 0, writePages: 0, cpuNs: 48_000_000 },
    { name: 'as', anonPages: 20, fileFaults: 5, readPages: 0, writePages: 3, cpuNs: 4_000_000 } ] };
for (const s of ['2.4','o1','numa']) {
  const t0 = Date.now();
  const r = runWorkload(resolveWorkload(small, [`scheduler=${s}`]), { checkInvariants: true });
  const w = r.workload;
  console.log(s, w.completionNs/1e6, JSON.stringify(w.sched), JSON.stringify(w.time), Date.now()-t0, 'ms');
}
