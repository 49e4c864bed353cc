#!/usr/bin/env node
// The modern kernel profile's knobs in docs/VALIDATION.md (issue #21), called by docs/gen-validation.mjs;
// run alone (`node docs/gen-validation-modern.mjs`) it rewrites only its own section, from its title
// to the next top-level heading. Each knob on its preset, against the preset as it is, nothing
// re-tuned: what the model predicts, with the command that prints it. Runs are the presets' own
// lengths (kbuild: 5 simulated s of its build) so the section regenerates in about a minute.
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { num, pct, presetRunner, rewriteSection, runsFooter } from './validation-kit.mjs';

const TITLE = '# Modern kernel profile: each knob on its preset (issue #21)';
/** Run lengths per preset: long enough to pass the per-CPU lists' warm-up, short enough for a quick regeneration. */
const LENGTH = {
  'modern-2s-page-fault1': 'durationNs=200000000',
  'modern-2s-page-fault1-threads': 'durationNs=10000000',
  'modern-2s-pft-threads': 'durationNs=10000000',
  'modern-2s-kbuild': 'durationNs=5000000000',
  'modern-2s-readtwice-memcg': 'durationNs=100000000',
};

const cmd = (preset, sets) => `\`numasim run ${preset}${sets.map((s) => ` --set ${s}`).join('')}\``;

/** What the benchmark itself prints. */
function score(r) {
  const w = r.workload;
  if (w.kind === 'will-it-scale') return `${num(w.score)} faults/s`;
  if (w.kind === 'pft') return `${num(w.faultsPerSecond)} faults/s`;
  if (w.kind === 'kbuild') return `${num(w.jobsDone)} jobs`;
  return `${num(w.throughputMBps)} MB/s`;
}

const HEADER =
  '| knob | command | benchmark | zone->lock (alloc / free) | zone->lock acq. | LRU locks | mmap_lock wait | ptl | VMA-lock fallbacks |\n' +
  '|---|---|---|---|---|---|---|---|---|';

export function modernSections() {
  const { go, runs } = presetRunner();
  const lines = [];
  const say = (s) => lines.push(s);
  const row = (knob, preset, sets) => {
    const all = [LENGTH[preset], ...sets];
    const r = go(preset, all);
    const w = r.workload;
    const z = w.zoneLockSpin;
    say(
      `| ${knob} | ${cmd(preset, all)} | ${score(r)} | ${pct(z.totalPercent)} (${pct(z.allocPercent)} / ${pct(z.freePercent)}) | ${num(w.vmstat.zoneLockAcquisitions)} | ` +
        `${pct(w.lruLockSpinPercent)} | ${pct(w.mmapLockSpinPercent)} | ${pct(w.ptlSpinPercent ?? 0)} | ${num(w.vmstat.vmaLockRetry ?? 0)} |`,
    );
    return r;
  };
  say(TITLE);
  say('');
  say('Each knob of the modern profile (docs/WORKLOADS.md#modern, MEMORY-MODEL.md#modern) on the preset it belongs to, against that');
  say('preset unchanged; nothing re-tuned, no figure fitted. Percentages are of all CPU cycles (CPUs × simulated time), as');
  say('`perf lock contention` and Aaron Lu\'s profile count them; "mmap_lock wait" is time queued on the rwsem (its waiters sleep);');
  say('"VMA-lock fallbacks" counts faults whose lock_vma_under_rcu failed (vmstat VMA_LOCK_RETRY). Each run is as');
  say('long as its preset\'s own (kbuild: its first 5 simulated seconds) — predictions of direction and size.');
  say('');

  say('## The per-CPU page lists: pcpBatch, pcpHigh, zoneInstances');
  say('');
  say(HEADER);
  const pf = 'modern-2s-page-fault1';
  const base = row('preset (4.16: batch 31, high 186)', pf, []);
  const b63 = row('pcpBatch=63', pf, ['pcpBatch=63']);
  const b127 = row('pcpBatch=127', pf, ['pcpBatch=127']);
  const z4 = row('zoneInstances=4', pf, ['zoneInstances=4']);
  const kb = 'modern-2s-kbuild';
  const kBase = row('preset (6.6 high)', kb, []);
  const kAuto = row('pcpHigh=auto', kb, ['pcpHigh=auto']);
  const kZ = row('zoneInstances=4', kb, ['zoneInstances=4']);
  say('');
  const acq = (r) => r.workload.vmstat.zoneLockAcquisitions / Math.max(1, r.workload.vmstat.pgalloc + r.workload.vmstat.pgfree);
  say(
    `- pcpBatch: zone->lock acquisitions per page moved ${acq(base).toFixed(4)} → ${acq(b63).toFixed(4)} → ${acq(b127).toFixed(4)} for batch 31 → 63 → 127 ` +
      `(the lock is taken once per batch each way, each hold the longer); the spinning share ${pct(base.workload.zoneLockSpin.totalPercent)} → ${pct(b63.workload.zoneLockSpin.totalPercent)} → ` +
      `${pct(b127.workload.zoneLockSpin.totalPercent)}, score ${score(base)} → ${score(b63)} → ${score(b127)}.`,
  );
  say(
    `- zoneInstances=4 on page_fault1: ${pct(base.workload.zoneLockSpin.totalPercent)} → ${pct(z4.workload.zoneLockSpin.totalPercent)} spinning, ` +
      `score ${score(base)} → ${score(z4)}; on kbuild ${pct(kBase.workload.zoneLockSpin.totalPercent)} → ${pct(kZ.workload.zoneLockSpin.totalPercent)}.`,
  );
  say(
    `- pcpHigh=auto on kbuild: ${pct(kBase.workload.zoneLockSpin.totalPercent)} → ${pct(kAuto.workload.zoneLockSpin.totalPercent)} spinning on zone->lock ` +
      `(high ${kBase.workload.pcp.high} → ${kAuto.workload.pcp.high} on CPU 0 at the end), acquisitions ${num(kBase.workload.vmstat.zoneLockAcquisitions)} → ${num(kAuto.workload.vmstat.zoneLockAcquisitions)}.`,
  );
  say('');

  say('## The LRU lock: per-node vs per-memcg');
  say('');
  say(HEADER);
  const rt = 'modern-2s-readtwice-memcg';
  const memcg = row('preset (lruLock=per-memcg, 40 cgroups)', rt, []);
  const node = row('lruLock=per-node', rt, ['lruLock=per-node']);
  say('');
  say(
    `- One pgdat->lru_lock per node instead of a lruvec lock per cgroup per node: LRU spinning ${pct(memcg.workload.lruLockSpinPercent)} → ${pct(node.workload.lruLockSpinPercent)}, ` +
      `throughput ${score(memcg)} → ${score(node)}.`,
  );
  const rc = (r) => r.workload.reclaim;
  const spinBy = (r) => {
    const s = rc(r).lruLockSpinPercent;
    return `lru_add ${pct(s.lruAdd)}, folio_activate ${pct(s.folioActivate)}, shrink_inactive_list ${pct(s.shrinkInactiveList)}, shrink_active_list ${pct(s.shrinkActiveList)}`;
  };
  say(
    `- Reclaim (the preset's 1 GiB nodes fill after ~30 ms): pgscan kswapd ${num(rc(memcg).pgscanKswapd)} / direct ${num(rc(memcg).pgscanDirect)}, ` +
      `pgsteal kswapd ${num(rc(memcg).pgstealKswapd)} / direct ${num(rc(memcg).pgstealDirect)}, pgdeactivate ${num(rc(memcg).pgdeactivate)}, allocstall ${num(rc(memcg).allocstall)} (per-memcg). ` +
      `LRU spinning by caller, per-memcg: ${spinBy(memcg)}; per-node: ${spinBy(node)}.`,
  );
  say('');

  say('## Spinlocks: qspinlock vs CNA');
  say('');
  say(HEADER);
  const pq = row('preset (qspinlock)', pf, []);
  const pc = row('spinlock=cna', pf, ['spinlock=cna']);
  const th = 'modern-2s-page-fault1-threads';
  const tq = row('pteLocks=mm, qspinlock', th, ['pteLocks=mm']);
  const tc = row('pteLocks=mm, spinlock=cna', th, ['pteLocks=mm', 'spinlock=cna']);
  say('');
  say(
    `- On page_fault1 in process mode the spinlocks are zone->lock and the LRU locks, each taken only by its own node's CPUs: CNA has no ` +
      `remote waiter to defer, and the run ${pq.workload.score === pc.workload.score ? 'is the same to the fault' : 'barely changes'} (${score(pq)} vs ${score(pc)}).`,
  );
  const gain = tc.workload.score / tq.workload.score - 1;
  say(
    `- A lock both sockets spin on — one mm->page_table_lock for 112 threads — is where CNA can act: ptl spinning ${pct(tq.workload.ptlSpinPercent ?? 0)} → ` +
      `${pct(tc.workload.ptlSpinPercent ?? 0)}, score ${score(tq)} → ${score(tc)} (${(100 * gain).toFixed(1)}%). ` +
      (Math.abs(gain) < 0.05
        ? 'Here munmap\'s zap_pte_range holds that one lock across 512 ptes at a time and every fault queues behind those holds, so the order ' +
          'of the queue changes little; services/node-sim/test/modern-mm-locks.test.ts shows CNA\'s effect on the faults\' hand-offs with a near-free zap.'
        : 'The remote socket\'s waiters are deferred up to numa_spinlock_threshold_ns (1 ms).'),
  );
  say('');

  say('## The fault path\'s locks: vmaLocks, pteLocks, process vs thread');
  say('');
  say(HEADER);
  const tv = row('preset (thread, vmaLocks=true, split ptl)', th, []);
  const tnv = row('vmaLocks=false', th, ['vmaLocks=false']);
  const tmm = row('pteLocks=mm', th, ['pteLocks=mm']);
  const tp = row('mode=process', th, ['mode=process']);
  const ft = 'modern-2s-pft-threads';
  const fv = row('preset (vmaLocks=true)', ft, []);
  const fnv = row('vmaLocks=false', ft, ['vmaLocks=false']);
  say('');
  say(
    `- vmaLocks on page_fault1 threads (each thread faults its own VMA): mmap_lock wait ${pct(tnv.workload.mmapLockSpinPercent)} → ${pct(tv.workload.mmapLockSpinPercent)}, ` +
      `score ${score(tnv)} → ${score(tv)}, ${num(tv.workload.vmstat.vmaLockRetry ?? 0)} fallbacks: mmap_lock is left to mmap and munmap.`,
  );
  say(
    `- vmaLocks on pft (one VMA shared by every thread): ${num(fv.workload.vmstat.vmaLockRetry ?? 0)} faults fell back while a munmap had the VMA ` +
      `write-locked; mmap_lock wait ${pct(fnv.workload.mmapLockSpinPercent)} → ${pct(fv.workload.mmapLockSpinPercent)}, ${score(fnv)} → ${score(fv)}.`,
  );
  say(
    `- pteLocks=mm: every pte of the mm under one page_table_lock: ptl spinning ${pct(tv.workload.ptlSpinPercent ?? 0)} → ${pct(tmm.workload.ptlSpinPercent ?? 0)}, ` +
      `score ${score(tv)} → ${score(tmm)}.`,
  );
  say(`- mode=process (an mm per task, so a private mmap_lock and ptl each): score ${score(tv)} → ${score(tp)}.`);
  say('');
  say(runsFooter(runs));
  say('');
  return lines;
}

// Alone: rewrite this section of VALIDATION.md in place; a new one goes in front of the task-area section, which rewrites
// itself to the end of the file.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = join(dirname(fileURLToPath(import.meta.url)), 'VALIDATION.md');
  rewriteSection(out, TITLE, modernSections(), '# Kernel stack and task_struct in the per-task area');
  console.log(`wrote the modern section of ${out}`);
}
