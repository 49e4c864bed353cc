// The reclaim sweeps of docs/VALIDATION.md, called by docs/gen-validation.mjs: reclaim of mapped
// pages through reverse maps, the out-of-context page-table accesses of that walk (UKVA's fallback
// to kmap_atomic, kswapd's own kmap pool) and bounce buffers, each answered with a table and a
// sentence saying whether the direction agrees with what the lists reported (docs/SOURCES.md
// #lru-lock, #reclaim, #kmap, #pte-highmem, the minutes of 22 March 2002). Every figure comes from the runs made here.
import { formatDuration } from '@numasim/shared';
import { lockOf, num, pct, presetRunner } from './validation-kit.mjs';

const { go, runs } = presetRunner();
const kmapAtomic = (r, caller) => r.memory.kmap.callers.find((c) => c.caller === caller)?.kmapAtomic ?? 0;

export function reclaimSections() {
  const lines = [];
  const say = (s) => lines.push(s);
  say('# Reclaim of mapped pages, out-of-context page-table access, bounce buffers');
  say('');
  say('`numaq-16-mmap-pressure`: 16 long-lived readers map pages of files 1.5× the memory of a NUMA-Q scaled down to 32 MiB a quad');
  say('(lowmemMiB=24, so every quad still has highmem) with a 100 µs disk, so that the LRU lists turn over within the 3 simulated');
  say('seconds and kswapd meets pages that are mapped. The mapped pages stay mapped until reclaim unmaps them (the readers do not exit).');
  say('');

  // --- reverse maps ---------------------------------------------------------------------------------
  say('## Mapped pages: 2.4 vs rmap vs 2.5-zone (UKVA page tables)');
  say('');
  say('| run | reads/s | pages reclaimed | mapped pages passed over | swap_out calls / ptes scanned / unmapped | swap_out walk time | ptes try_to_unmap cleared | kswapd time in try_to_unmap | per pte | pagemap_lru_lock UTIL / CON / WAIT mean | allocation failures |');
  say('|---|---|---|---|---|---|---|---|---|---|---|');
  const lrus = {};
  for (const lru of ['2.4', 'rmap', '2.5-zone']) {
    const r = go('numaq-16-mmap-pressure', [`lru=${lru}`]);
    lrus[lru] = r;
    const rc = r.memory.reclaim;
    const l = lockOf(r, 'pagemap_lru_lock');
    const lockCell = l.acq > 0 ? `${pct(l.util)} / ${pct(l.con)} / ${l.waitUs.toFixed(1)} µs` : '— (zone->lru_lock)';
    const swap = rc.swapOuts > 0 ? `${num(rc.swapOuts)} / ${num(rc.swapPtesScanned)} / ${num(rc.swapPtesUnmapped)}` : '—';
    say(`| lru=${lru} | ${num(r.workload.readsPerSecond)} | ${num(rc.pagesReclaimed)} | ${num(rc.mappedSkipped)} | ${swap} | ${rc.swapOuts > 0 ? formatDuration(rc.swapWalkNs) : '—'} | ${num(rc.ptesUnmapped)} | ${formatDuration(rc.unmapWalkNs)} | ${rc.ptesUnmapped > 0 ? formatDuration(rc.unmapWalkNs / rc.ptesUnmapped) : '—'} | ${lockCell} | ${num(r.workload.allocationFailures)} |`);
  }
  say('');
  const old = lrus['2.4'].memory.reclaim;
  const rmapPtes = lrus.rmap.memory.reclaim.ptesUnmapped;
  const moreWork = old.swapPtesUnmapped > rmapPtes;
  say(
    `- Both free mapped pages, by different scans. rmap unmaps ${num(rmapPtes)} ptes, each of a page shrink_cache chose off the inactive tail, and reads ${num(lrus.rmap.workload.readsPerSecond)} pages/s. ` +
      `2.4's shrink_cache passes over mapped pages ${num(old.mappedSkipped)} times and, past max_mapped, calls swap_out ${num(old.swapOuts)} times; the virtual scan looks at ${num(old.swapPtesScanned)} ptes and unmaps ${num(old.swapPtesUnmapped)} ` +
      `(${(old.swapPtesUnmapped / Math.max(1, rmapPtes)).toFixed(1)}× rmap's count) in ${formatDuration(old.swapWalkNs)} of walks, against rmap's ${formatDuration(lrus.rmap.memory.reclaim.unmapWalkNs)} in try_to_unmap: it unmaps whatever old pte the next mm holds, wanted by reclaim or not, and reads ${num(lrus['2.4'].workload.readsPerSecond)} pages/s with ${num(lrus['2.4'].workload.allocationFailures)} allocation failures. ` +
      `${moreWork ? 'Agrees' : 'Does not agree'} with the case made for Rik van Riel's -rmap (SOURCES.md#lru-lock): reclaim by physical page unmaps the pages reclaim wants, where the page-table scan unmaps by address space.`,
  );
  const rl = lockOf(lrus.rmap, 'pagemap_lru_lock');
  say(
    `- rmap pays with the global lock: pagemap_lru_lock runs at ${pct(rl.util)} UTIL and ${pct(rl.con)} CON, with every map and unmap taking it and try_to_unmap walking pte_chains inside shrink_cache's hold; ` +
      `2.5-zone, whose pte_chains have a per-page lock and whose LRU locks are per zone, reads ${num(lrus['2.5-zone'].workload.readsPerSecond)} pages/s against rmap's ${num(lrus.rmap.workload.readsPerSecond)}. ` +
      'Agrees with the lists (SOURCES.md#lru-lock, the minutes\' "pagemap_lru_lock subdivision in the -rmap VM"): the lock that also guards the pte_chains was the point of contention to split.',
  );
  say('');

  // --- out-of-context page-table access --------------------------------------------------------------
  say('## kswapd out of context: page-table placement and kswapd\'s kmap pool (lru=rmap)');
  say('');
  say('| run | ptes unmapped | pte kmap_atomic (walk) | kswapd pool maps | kswapd time in try_to_unmap | per pte | reads/s |');
  say('|---|---|---|---|---|---|---|');
  const ptes = {};
  for (const [label, sets] of [
    ['pte=lowmem', ['pte=lowmem']],
    ['pte=highmem', ['pte=highmem']],
    ['pte=ukva', ['pte=ukva']],
    ['pte=highmem kswapdKmapPool', ['pte=highmem', 'kswapdKmapPool=true']],
    ['pte=ukva kswapdKmapPool', ['pte=ukva', 'kswapdKmapPool=true']],
  ]) {
    const r = go('numaq-16-mmap-pressure', sets);
    ptes[label] = r;
    const rc = r.memory.reclaim;
    // pte=highmem also kmaps in context (every fault's pte); only UKVA's and lowmem's kmaps are all the walk's.
    const walkKmaps = label.startsWith('pte=ukva') ? num(kmapAtomic(r, 'pte_offset_map')) : label === 'pte=lowmem' ? '0' : 'with the faults\'';
    say(`| ${label} | ${num(rc.ptesUnmapped)} | ${walkKmaps} | ${num(rc.kswapdPoolMaps)} | ${formatDuration(rc.unmapWalkNs)} | ${rc.ptesUnmapped > 0 ? formatDuration(rc.unmapWalkNs / rc.ptesUnmapped) : '—'} | ${num(r.workload.readsPerSecond)} |`);
  }
  say('');
  const per = (r) => r.memory.reclaim.unmapWalkNs / Math.max(1, r.memory.reclaim.ptesUnmapped);
  const fallback = kmapAtomic(ptes['pte=ukva'], 'pte_offset_map') === ptes['pte=ukva'].memory.reclaim.ptesUnmapped;
  say(
    `- UKVA ${fallback ? 'falls back to one kmap_atomic per pte' : 'does not fall back to kmap_atomic'} when kswapd walks another mm's page tables (${num(kmapAtomic(ptes['pte=ukva'], 'pte_offset_map'))} kmaps for ${num(ptes['pte=ukva'].memory.reclaim.ptesUnmapped)} ptes), although in context it needs none. ` +
      `${fallback ? 'Agrees' : 'Does not agree'} with the minutes ("not all accesses to the task's page tables are done from within the task's context (eg. swapout) … initial plan is to use atomic kmap") and SOURCES.md#pte-highmem.`,
  );
  const pool = ptes['pte=ukva kswapdKmapPool'];
  const poolCheaper = per(pool) < per(ptes['pte=ukva']) && pool.memory.reclaim.kswapdPoolMaps > 0;
  say(
    `- kswapd's spare user address space as its own kmap pool ${poolCheaper ? 'takes kswapd\'s ptes off kmap_atomic and shortens each pte of the walk' : 'does not help'}: ${num(pool.memory.reclaim.kswapdPoolMaps)} page tables reached through the pool, ` +
      `${num(kmapAtomic(pool, 'pte_offset_map'))} kmap_atomics left (tasks in direct reclaim, which have no such pool); ${formatDuration(per(ptes['pte=ukva']))} → ${formatDuration(per(pool))} per pte (an invlpg and a fixmap pte saved each time). ` +
      'The minutes proposed it without a measurement; the model says the saving is small next to the rest of a pte\'s unmapping — the mapper\'s page_table_lock line, the pte\'s own miss, and above all the TLB-flush IPI to the CPU running the mm — so it matters only where kswapd walks many ptes.',
  );
  say(
    `- Lowmem page tables need no kmap but sit on node 0: ${formatDuration(per(ptes['pte=lowmem']))} per pte against ${formatDuration(per(ptes['pte=highmem']))} for node-local highmem page tables reached by kmap_atomic. A prediction: the lists did not measure reclaim walks by page-table placement.`,
  );
  say('');

  // --- one kswapd or one per node -----------------------------------------------------------------
  say('## kswapd: one per node vs one for the machine');
  say('');
  say('| run | reads/s | pages reclaimed (node 0 / others) | allocations that went to reclaim | direct reclaims | allocation failures |');
  say('|---|---|---|---|---|---|');
  // mmap-pressure runs under its preset's rmap (one global LRU lock) and under 2.5-zone, the LRU
  // locking 2.5 had when kswapd became one per pgdat.
  const kswapdCases = [
    ['mem-pressure', 'numaq-16-mem-pressure', []],
    ['mmap-pressure lru=rmap', 'numaq-16-mmap-pressure', ['lru=rmap']],
    ['mmap-pressure lru=2.5-zone', 'numaq-16-mmap-pressure', ['lru=2.5-zone']],
  ];
  const ks = kswapdCases.map(([label, preset, sets]) => {
    const k = { label };
    for (const kswapd of ['per-node', 'global']) {
      const r = go(preset, [...sets, `kswapd=${kswapd}`]);
      k[kswapd] = r;
      const rc = r.memory.reclaim;
      const on0 = r.memory.zones.filter((z) => z.node === 0).reduce((s, z) => s + z.pagesReclaimed, 0);
      say(`| ${label} kswapd=${kswapd} | ${num(r.workload.readsPerSecond)} | ${num(on0)} / ${num(rc.pagesReclaimed - on0)} | ${num(rc.allocationWaits)} | ${num(rc.directReclaims)} | ${num(r.workload.allocationFailures)} |`);
    }
    return k;
  });
  say('');
  const waits = (k, kswapd) => k[kswapd].memory.reclaim.allocationWaits;
  const short = ks.filter((k) => waits(k, 'per-node') + waits(k, 'global') > 0);
  const behind = (k) => waits(k, 'global') > waits(k, 'per-node');
  const zoned = ks.find((k) => k.label.endsWith('2.5-zone'));
  const others = short.filter((k) => k !== zoned && !behind(k));
  say(
    `- Allocations that went to reclaim, one kswapd per node → one for the machine: ${short.map((k) => `${k.label} ${num(waits(k, 'per-node'))} → ${num(waits(k, 'global'))} (direct reclaims ${num(k['per-node'].memory.reclaim.directReclaims)} → ${num(k.global.memory.reclaim.directReclaims)}, allocation failures ${num(k['per-node'].workload.allocationFailures)} → ${num(k.global.workload.allocationFailures)}): ${behind(k) ? 'falls behind' : 'keeps up'}`).join('; ')} ` +
      `(${ks.filter((k) => !short.includes(k)).map((k) => k.label).join(', ') || 'no workload'}: no allocation ran short either way). ` +
      `${behind(zoned) ? 'Agrees' : 'Does not agree'} with why kswapd became per node (one per pgdat) in 2.5, whose LRU locks were per zone as well: a single reclaim thread serialises every node's balancing, and on NUMA it scans remote memory.` +
      (others.length > 0 ? ` Under one global LRU lock (${others.map((k) => k.label).join(', ')}) the single kswapd keeps up in the model: the per-node gain shows where the nodes can reclaim in parallel.` : ''),
  );
  say('');

  // --- bounce buffers --------------------------------------------------------------------------------
  say('## Bounce buffers (`bounce`): reads into highmem through ZONE_NORMAL');
  say('');
  say('| run | reads/s | read back from disk | bounced | zone->lock[node0/Normal] acquisitions / UTIL / CON | node 0 Normal allocations | bounce kmap_atomic |');
  say('|---|---|---|---|---|---|---|');
  const bounce = {};
  for (const preset of ['numaq-16-mem-pressure', 'numaq-16-mmap-pressure']) {
    for (const on of [false, true]) {
      const r = go(preset, [`bounce=${on}`]);
      (bounce[preset] ??= {})[on] = r;
      const z = lockOf(r, 'zone->lock[node0/Normal]');
      const normal = r.memory.zones.find((zz) => zz.node === 0 && zz.zone === 'Normal');
      say(`| ${preset.replace('numaq-16-', '')} bounce=${on} | ${num(r.workload.readsPerSecond)} | ${num(r.workload.refaults)} | ${num(r.memory.bounce?.pages ?? 0)} | ${num(z.acq)} / ${pct(z.util)} / ${pct(z.con)} | ${num(normal.allocations)} | ${num(kmapAtomic(r, 'bounce_end_io_read'))} |`);
    }
  }
  say('');
  const zoneUp = Object.values(bounce).every((b) => lockOf(b.true, 'zone->lock[node0/Normal]').acq > lockOf(b.false, 'zone->lock[node0/Normal]').acq);
  say(
    `- Bouncing ${zoneUp ? 'adds an allocation and a free of a ZONE_NORMAL page under node 0\'s zone->lock to every read back' : 'does not load node 0\'s ZONE_NORMAL'}, whichever quad reads (${Object.entries(bounce).map(([p, b]) => `${p.replace('numaq-16-', '')}: ${num(lockOf(b.false, 'zone->lock[node0/Normal]').acq)} → ${num(lockOf(b.true, 'zone->lock[node0/Normal]').acq)} acquisitions`).join('; ')}), ` +
      'a copy across the interconnect and a kmap_atomic. Throughput hardly moves here (a read back waits 100 µs–5 ms for the disk; the bounce adds microseconds), but node 0\'s zone->lock becomes one more lock every quad takes. Agrees in direction with why the 2.4 highmem-I/O work (block drivers DMAing to highmem directly) mattered on big highmem boxes; the lists gave no NUMA-Q figure to check the size against, so the size is a prediction.',
  );
  say('');
  say(`_Reclaim runs: ${runs.length}; wall time ${runs.reduce((a, b) => a + b, 0).toFixed(0)} s._`);
  say('');
  return lines;
}
