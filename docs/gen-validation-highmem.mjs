// The highmem and address-space sweeps of docs/VALIDATION.md (issue #4), called by
// docs/gen-validation.mjs: kmap modes, the pool size, page-table placement and kernel text
// replication on numaq-16 and numaq-32, each answered with a table and a sentence saying whether
// the direction agrees with what the lists reported (docs/SOURCES.md#kmap, #pte-highmem, #text-replication). Every figure
// comes from the runs made here.
import { formatDuration } from '@numasim/shared';
import { lockOf, num, pct, presetRunner } from './validation-kit.mjs';

const MACHINES = { 'numaq-16': [], 'numaq-32': ['machine=numaq-32', 'parallelJobs=64'] };
const { go, runs } = presetRunner();

const secs = (ns) => (ns === null || ns === undefined ? 'unfinished' : `${(ns / 1e9).toFixed(2)} s`);
/** Throughput of a run: the build time (kernbench), reads per second (file-read). */
const perf = (r) => (r.workload.kind === 'kernbench' ? secs(r.workload.completionNs) : `${num(r.workload.readsPerSecond)} reads/s`);
const better = (a, b) =>
  a.workload.kind === 'kernbench' ? (b.workload.completionNs ?? Infinity) < (a.workload.completionNs ?? Infinity) : b.workload.readsPerSecond > a.workload.readsPerSecond;

function kmapRow(label, r) {
  const k = r.memory.kmap;
  const high = k.callers.reduce((s, c) => s + c.kmapHigh, 0);
  const atomic = k.callers.reduce((s, c) => s + c.kmapAtomic, 0);
  const lock = k.mode === 'global' ? lockOf(r, 'kmap_lock') : k.mode === 'per-mm' ? lockOf(r, 'mm->kmap_lock') : null;
  const lockCell = lock ? `${lock.n > 1 ? `×${lock.n} ` : ''}${pct(lock.util)} / ${pct(lock.con)} / ${lock.waitUs.toFixed(1)} µs` : '—';
  return `| ${label} | ${perf(r)} | ${num(high)} | ${num(atomic)} | ${lockCell} | ${num(k.poolWraps)} | ${num(k.globalFlushes + k.mmFlushes)} | ${num(k.ipisSent)} | ${formatDuration(k.ipiStolenNs)} | ${num(k.sleeps)} | ${pct(lockOf(r, 'pagemap_lru_lock').con)} |`;
}
const KMAP_HEADER =
  '| run | build time / reads | kmap_high | kmap_atomic | kmap lock UTIL / CON / WAIT mean | pool wraps | cross-CPU flushes | IPIs | CPU time in IPIs | sleeps | pagemap_lru_lock CON |\n|---|---|---|---|---|---|---|---|---|---|---|';

export function highmemSections() {
  const lines = [];
  const say = (s) => lines.push(s);
  say('# Highmem and address-space proposals (issue #4)');
  say('');
  say('The calibrated kernbench leaves exec\'s copy_strings, the kmap pool and kernel-text fetches out (`execStringKmaps=0`,');
  say('`kmap=atomic`, `textMissLines=0`: the calibration above was made that way). Here they are switched on one question at a');
  say('time, on numaq-16 (4 quads) and numaq-32 (8 quads, `make -j64`), and under a second workload for each: `file-read` (a');
  say('read-heavy server, `numaq-16-file-read`), `shm-db` (`numaq-32-shm-db`) and a fork/exec/exit-heavy run (`numaq-16-fork-exit`).');
  say('The kmap questions run kernbench with `execStringKmaps=64` (64 strings an exec, an assumption: shared/src/workload/kernbench.ts)');
  say('besides the kmaps of file_read_actor and generic_file_write.');
  say('');

  // --- Q1: kmap modes -----------------------------------------------------------------------------
  say('## kmap: global pool vs kmap_atomic vs per-mm vs per-task');
  say('');
  say(KMAP_HEADER);
  const modes = ['global', 'atomic', 'per-mm', 'per-task'];
  const q1 = {};
  for (const [m, msets] of Object.entries(MACHINES)) {
    for (const wl of ['numaq-16-kernbench', 'numaq-16-file-read']) {
      for (const mode of modes) {
        const sets = [...(wl.includes('kernbench') ? [...msets, 'execStringKmaps=64'] : msets.filter((s) => s.startsWith('machine'))), `kmap=${mode}`];
        const r = go(wl, sets);
        (q1[`${m} ${wl}`] ??= {})[mode] = r;
        say(kmapRow(`${m} ${wl.replace('numaq-16-', '')} kmap=${mode}`, r));
      }
    }
  }
  say('');
  const cases = Object.entries(q1).map(([name, rs]) => [name.replace(' numaq-16-', ' '), rs]);
  const gains = cases.filter(([, rs]) => ['atomic', 'per-mm', 'per-task'].every((mode) => better(rs.global, rs[mode])));
  const others = cases.filter((c) => !gains.includes(c));
  say(
    `- **Dropping the global kmap_lock** speeds up ${gains.length} of ${cases.length} cases: ` +
      cases.map(([name, rs]) => `${name}: global ${perf(rs.global)}, atomic ${perf(rs.atomic)}, per-mm ${perf(rs['per-mm'])}, per-task ${perf(rs['per-task'])}`).join('; ') +
      `. ${others.length === 0 ? 'Agrees with the lists' : 'Where kmap_lock is the wall, this agrees with the lists'}: the minutes call a per-address-space kmap "much more scalable than the current system", and the global kmap_lock was one of the three global locks that were the wall on NUMA-Q (SOURCES.md#kmap, #pte-highmem).` +
      others
        .map(([name, rs]) => {
          const top = rs.atomic.locks.reduce((a, l) => (l.conPercent * l.acquisitions > a.conPercent * a.acquisitions ? l : a));
          return ` In ${name} every mode is held back by ${top.name} (CON ${pct(top.conPercent)}, WAIT mean ${(top.waitMeanNs / 1000).toFixed(0)} µs with kmap=atomic): with test-and-set spinlocks and 31 spinners its hand-offs collapse, so the kmap mode cannot show.`;
        })
        .join(''),
  );
  const g16 = q1['numaq-16 numaq-16-kernbench'].global.memory.kmap;
  const g32 = q1['numaq-32 numaq-16-kernbench'].global.memory.kmap;
  const r16 = q1['numaq-16 numaq-16-kernbench'].global;
  const r32 = q1['numaq-32 numaq-16-kernbench'].global;
  const perFlush = (k) => (k.globalFlushes > 0 ? k.ipiStolenNs / k.globalFlushes : 0);
  const perSec = (r) => (r.memory.kmap.globalFlushes * 1e9) / r.run.simulatedNs;
  const dearer = perFlush(g32) > 1.8 * perFlush(g16);
  const oftener = perSec(r32) > 1.5 * perSec(r16);
  say(
    `- **The global flush costs O(N²)** in CPUs (Martin Bligh, SOURCES.md#kmap: each flush N times dearer, N times as frequent): from 16 to 32 CPUs each flush costs the machine ${formatDuration(perFlush(g16))} → ${formatDuration(perFlush(g32))} of CPU time (${dearer ? 'N times dearer' : 'not N times dearer'}), ` +
      `and the build flushes ${perSec(r16).toFixed(1)} → ${perSec(r32).toFixed(1)} times a second (${oftener ? 'more often' : 'not more often'}). ${dearer && oftener ? 'Agrees' : dearer ? 'Agrees on the cost of a flush, not on their frequency' : 'Does not agree'}: ` +
      'a build is a fixed amount of work making the same new mappings whatever the CPU count, and on 32 CPUs it is held back by pagemap_lru_lock, so the wraps do not come faster; the frequency grows with N where each CPU maps at its own pace (a throughput workload that no lock holds back).',
  );
  const gl = lockOf(q1['numaq-16 numaq-16-kernbench'].global, 'kmap_lock');
  say(
    `- **"The cost is the global flush more than the lock"** (Martin, SOURCES.md#kmap): in the model the kmap_lock waits cost ${formatDuration(gl.waitTotalNs)} of CPU time in the numaq-16 build against ${formatDuration(g16.ipiStolenNs)} in IPIs. ` +
      `${gl.waitTotalNs < g16.ipiStolenNs ? 'Agrees' : 'Does not agree'}: ${gl.waitTotalNs < g16.ipiStolenNs ? '' : 'the model charges no TLB refill after a flush and holds kmap_lock for several remote misses on NUMA-Q (the pool, page->virtual and the pte are node 0\'s), so the lock dominates; the model\'s flush is only the IPI (ipiNs, itself an assumption).'}`,
  );
  say('');

  // --- Q2: pool size ------------------------------------------------------------------------------
  say('## Pool size: LAST_PKMAP 512 → 4096 (global pool)');
  say('');
  say(KMAP_HEADER);
  const sizes = [512, 1024, 2048, 4096];
  const q2 = [];
  for (const [wl, machine, msets] of [
    ['numaq-16-kernbench', 'numaq-16', ['execStringKmaps=64']],
    ['numaq-16-file-read', 'numaq-16', []],
    ['numaq-16-file-read', 'numaq-32', ['machine=numaq-32']],
  ]) {
    const rs = sizes.map((n) => go(wl, [...msets, 'kmap=global', `pkmapEntries=${n}`]));
    rs.forEach((r, k) => say(kmapRow(`${machine} ${wl.replace('numaq-16-', '')} pkmapEntries=${sizes[k]}`, r)));
    q2.push({ name: `${machine} ${wl.replace('numaq-16-', '')}`, rs });
  }
  say('');
  const fewer = q2.every(({ rs }) => rs.every((r, k) => k === 0 || r.memory.kmap.globalFlushes <= rs[k - 1].memory.kmap.globalFlushes));
  say(
    `- A bigger pool ${fewer ? 'wraps and flushes less often' : 'does not always flush less'}: ` +
      q2.map(({ name, rs }) => `${name} ${rs.map((r) => num(r.memory.kmap.globalFlushes)).join(' → ')} flushes (${rs.map(perf).join(' → ')})`).join('; ') +
      `. ${fewer ? 'Agrees' : 'Does not agree'} with why a larger pool was tried on NUMA-Q (SOURCES.md#kmap): fewer wraps, fewer flush_tlb_all. It leaves kmap_lock as it is, so with the lock as the wall the throughput barely moves.`,
  );
  say('');

  // --- Q3: page-table placement ------------------------------------------------------------------
  say('## Page tables: lowmem vs pte-highmem vs UKVA');
  say('');
  say('| run | build time / outcome | fault latency mean | pte kmap_atomic | page-table pages (zone) | processes attached |');
  say('|---|---|---|---|---|---|');
  const ptes = ['lowmem', 'highmem', 'ukva'];
  const q3 = {};
  const pteRow = (label, r) => {
    const w = r.workload;
    const pteK = r.memory.kmap.callers.find((c) => c.caller === 'pte_offset_map').kmapAtomic;
    if (w.kind === 'kernbench') return `| ${label} | ${secs(w.completionNs)} | ${formatDuration(w.faultLatencyNs.mean)} | ${num(pteK)} | — | — |`;
    const zones = [...new Set(w.ptePages.map((p) => p.zone))].join(', ');
    const outcome = w.outOfMemory ? `OOM (first failure at process ${w.firstFailureProcess})` : `all attached in ${secs(w.completionNs)}`;
    return `| ${label} | ${outcome} | — | ${num(pteK)} | ${num(w.ptePages.reduce((s, p) => s + p.pages, 0))} (${zones}) | ${num(w.attached)} of ${num(w.processes)} |`;
  };
  for (const [m, msets] of Object.entries(MACHINES)) {
    // highmem-kmap (the 2.4 -aa pte-highmem: page tables through the persistent pool) on the build only: shm-db's attach has its own pte path.
    for (const pte of [...ptes, 'highmem-kmap']) {
      const r = go('numaq-16-kernbench', [...msets, `pte=${pte}`]);
      (q3[`${m} kernbench`] ??= {})[pte] = r;
      say(pteRow(`${m} kernbench pte=${pte}`, r));
    }
  }
  for (const [m, sets] of [
    ['numaq-16', ['machine=numaq-16', 'processes=2000', 'segmentMiB=512']],
    ['numaq-32', []],
  ]) {
    for (const pte of ptes) {
      const r = go('numaq-32-shm-db', [...sets, `pte=${pte}`]);
      (q3[`${m} shm-db`] ??= {})[pte] = r;
      say(pteRow(`${m} shm-db${sets.length ? ' (2,000 × 512 MiB)' : ' (2,000 × 2 GiB)'} pte=${pte}`, r));
    }
  }
  say('');
  const shm = ['numaq-16 shm-db', 'numaq-32 shm-db'].map((k) => q3[k]);
  const oomAgrees = shm.every((rs) => rs.lowmem.workload.outOfMemory && !rs.highmem.workload.outOfMemory && !rs.ukva.workload.outOfMemory);
  say(
    `- **shm-db**: lowmem page tables ${oomAgrees ? 'run out' : 'do not run out'} of ZONE_NORMAL while highmem and UKVA page tables fit (${shm.map((rs) => `${num(rs.lowmem.workload.attached)} vs ${num(rs.highmem.workload.attached)} processes attached`).join('; ')}). ` +
      `${oomAgrees ? 'Agrees' : 'Does not agree'} with the motivation of pte-highmem (Andrea Arcangeli, SOURCES.md#pte-highmem): thousands of tasks sharing a big SGA need page tables far larger than 896 MB of lowmem.`,
  );
  const ukvaFaster = shm.every((rs) => (rs.ukva.workload.completionNs ?? Infinity) < (rs.highmem.workload.completionNs ?? Infinity));
  say(
    `- **UKVA vs pte-highmem**: mapping the page tables permanently in the mm's UKVA ${ukvaFaster ? 'is faster' : 'is not faster'} than a kmap_atomic per access (${shm.map((rs) => `${secs(rs.highmem.workload.completionNs)} → ${secs(rs.ukva.workload.completionNs)}`).join('; ')}). ${ukvaFaster ? 'Agrees' : 'Does not agree'} with the minutes: the UKVA "saves most kmaps".`,
  );
  const kb = ['numaq-16 kernbench', 'numaq-32 kernbench'].map((k) => [k, q3[k]]);
  say(
    `- **kernbench**: fault latency ${kb.map(([k, rs]) => `${k}: lowmem ${formatDuration(rs.lowmem.workload.faultLatencyNs.mean)}, highmem ${formatDuration(rs.highmem.workload.faultLatencyNs.mean)}, ukva ${formatDuration(rs.ukva.workload.faultLatencyNs.mean)}`).join('; ')}. ` +
      'On i386 NUMA-Q lowmem page tables are on node 0, so three quads in four pay a remote miss per pte; pte-highmem puts them on the local quad but pays a kmap_atomic. The lists reported the kmap cost of pte-highmem; they did not measure it against node-0 page tables on NUMA-Q, so this row is a prediction, not a check.',
  );
  say('');

  // --- Q4: text replication -----------------------------------------------------------------------
  say('## Kernel text: node 0 vs replicated (textMissLines=4)');
  say('');
  say('| run | build time | remote text lines | text fetch time (all nodes) | replica pages | remaps | pagemap_lru_lock CON |');
  say('|---|---|---|---|---|---|---|');
  const q4 = [];
  for (const [wl, m, msets] of [
    ['numaq-16-kernbench', 'numaq-16', []],
    ['numaq-16-kernbench', 'numaq-32', MACHINES['numaq-32']],
    ['numaq-16-fork-exit', 'numaq-16', ['kmap=atomic']],
    ['numaq-16-fork-exit', 'numaq-32', ['kmap=atomic', ...MACHINES['numaq-32']]],
  ]) {
    const rs = ['node0', 'replicated'].map((text) => go(wl, [...msets, 'textMissLines=4', `text=${text}`]));
    rs.forEach((r) => {
      const t = r.memory.text;
      const sum = (f) => t.perNode.reduce((s, p) => s + f(p), 0);
      say(`| ${m} ${wl.replace('numaq-16-', '')} text=${t.mode} | ${secs(r.workload.completionNs)} | ${num(sum((p) => p.remoteFetchLines))} | ${formatDuration(sum((p) => p.fetchNs))} | ${num(sum((p) => p.replicaPages))} | ${num(sum((p) => p.remaps))} | ${pct(lockOf(r, 'pagemap_lru_lock').con)} |`);
    });
    q4.push({ name: `${m} ${wl.replace('numaq-16-', '')}`, rs });
  }
  say('');
  const noRemote = q4.every(({ rs }) => rs[1].memory.text.perNode.every((p) => p.remoteFetchLines === 0));
  const fetch = (r) => r.memory.text.perNode.reduce((s, p) => s + p.fetchNs, 0);
  say(
    `- Replication ${noRemote ? 'removes every remote instruction fetch' : 'leaves remote fetches'} and cuts the kernel's text fetch time ${q4.map(({ name, rs }) => `${name} ${formatDuration(fetch(rs[0]))} → ${formatDuration(fetch(rs[1]))}`).join('; ')}, at the price of a ${q4[1].rs[1].memory.text.sizeKiB} KiB copy on every node but node 0. ` +
      `${noRemote ? 'Agrees' : 'Does not agree'} with the design (Dave Hansen's RFC, ia64's replication, SOURCES.md#text-replication): a node-local copy for every node.`,
  );
  const faster = q4.filter(({ rs }) => better(rs[0], rs[1])).map(({ name }) => name);
  say(
    `- Build time: replication is faster in ${faster.length} of ${q4.length} cases (${q4.map(({ name, rs }) => `${name} ${perf(rs[0])} → ${perf(rs[1])}`).join('; ')}). ` +
      'The lists give no measured gain to check against. In the model the saved fetch time is a few per cent of each remote CPU\'s time, and where a global lock is the wall (pagemap_lru_lock, pagecache_lock) the faster CPUs only queue on it sooner: the gain shows in CPU time, not in the build time.',
  );
  say('');
  say(`_Highmem runs: ${runs.length}; wall time ${runs.reduce((a, b) => a + b, 0).toFixed(0)} s._`);
  say('');
  return lines;
}
