/**
 * The report as a lockmeter table: one row per lock, per-caller rows indented under it, times in
 * µs/ms the way lockmeter printed them, so a table can sit next to a 2002 post and be read alike.
 */
import type { LockCallerReport, LockReport, MixResult, ProcessTimeReport, Report, SchedReport, TaskAreaReport } from './types.js';
import type { KmapReport } from './highmem.js';
import { modernSummaryLines } from './modern.js';

/** A duration the lockmeter way: `5.4us`, `111us`, `16ms`. */
export function formatDuration(ns: number): string {
  if (ns < 10_000) return `${(ns / 1000).toFixed(1)}us`;
  if (ns < 1_000_000) return `${Math.round(ns / 1000)}us`;
  if (ns < 10_000_000) return `${(ns / 1e6).toFixed(1)}ms`;
  if (ns < 1_000_000_000) return `${Math.round(ns / 1e6)}ms`;
  return `${(ns / 1e9).toFixed(1)}s`;
}

/** A percentage the lockmeter way: `0%`, `<0.01%`, `4.93%`, `12.5%`. */
export function lockmeterPercent(p: number): string {
  if (p === 0) return '0%';
  if (p < 0.01) return '<0.01%';
  if (p < 10) return `${p.toFixed(2)}%`;
  return `${p.toFixed(1)}%`;
}

const pad = (s: string, n: number) => s.padStart(n);

/** One lockmeter table line. */
export function lockmeterRow(
  util: number,
  con: number,
  holdMean: number,
  holdMax: number,
  waitMean: number,
  waitMax: number,
  waitCpu: string,
  attempts: number,
  spin: number,
  rject: number,
  name: string,
): string {
  const nowait = attempts === 0 ? 0 : 100 - spin - rject;
  return [
    pad(lockmeterPercent(util), 7),
    pad(lockmeterPercent(con), 7),
    ` ${pad(formatDuration(holdMean), 6)}(${pad(formatDuration(holdMax), 6)})`,
    ` ${pad(formatDuration(waitMean), 6)}(${pad(formatDuration(waitMax), 6)})(${pad(waitCpu, 6)})`,
    pad(String(attempts), 10),
    pad(lockmeterPercent(nowait), 7),
    pad(lockmeterPercent(spin), 7),
    pad(lockmeterPercent(rject), 7),
    `  ${name}`,
  ].join('');
}

function lockRow(l: LockReport): string {
  return lockmeterRow(l.utilPercent, l.conPercent, l.holdMeanNs, l.holdMaxNs, l.waitMeanNs, l.waitMaxNs, lockmeterPercent(l.waitCpuPercent), l.attempts, l.spinPercent, l.rjectPercent, l.name);
}

function callerRow(c: LockCallerReport): string {
  const spin = c.attempts === 0 ? 0 : (100 * c.contentions) / c.attempts;
  const rject = c.attempts === 0 ? 0 : (100 * c.trylockFailures) / c.attempts;
  return lockmeterRow(c.utilPercent, c.conPercent, c.holdMeanNs, c.holdMaxNs, c.waitMeanNs, c.waitMaxNs, '', c.attempts, spin, rject, `  ${c.name}`);
}

/** Seconds the way `time` prints them: `27.31`. */
const seconds = (ns: number) => (ns / 1e9).toFixed(2);

/**
 * The line `time make` printed (GNU time's default: `27.31user 3.02system 0:02.85elapsed 1064%CPU`),
 * with the idle time that makes the CPUs' time add up, and the user time's memory stalls when priced.
 */
export function timeLines(t: ProcessTimeReport, sched?: SchedReport): string[] {
  const min = Math.floor(t.elapsedNs / 60e9);
  const sec = ((t.elapsedNs - min * 60e9) / 1e9).toFixed(2).padStart(5, '0');
  const lines = [`  time: ${seconds(t.userNs)}user ${seconds(t.systemNs)}system ${min}:${sec}elapsed ${Math.round(t.cpuPercent)}%CPU (${seconds(t.idleNs)} CPU-seconds idle)`];
  if (t.userStallNs !== undefined)
    lines.push(
      `  user memory stalls: ${seconds(t.userStallNs)}s, on remote memory by node: ${(t.remoteUserStallNs ?? []).map((ns, n) => `node ${n} ${seconds(ns)}s`).join(', ')}` +
        (t.remoteCacheUserStallNs !== undefined ? `; answered by the remote caches: ${seconds(t.remoteCacheUserStallNs)}s` : ''),
    );
  if (sched !== undefined)
    lines.push(
      `  scheduler ${sched.scheduler}: ${sched.migrations} migrations (${sched.crossNodeMigrations} to another node), ${sched.newTaskMoves} new processes started away from their parent's CPU ` +
        `(${sched.newTaskCrossNode} on another node), ${sched.contextSwitches} context switches, ${sched.runqueueLockHolds} runqueue lock holds, ${sched.balancePulls} balancing pulls` +
          (sched.pipeWakeups !== undefined ? `, ${sched.pipeWakeups} pipe wake-ups, ${sched.preemptions ?? 0} preemptions` : ''),
    );
  return lines;
}

/** The workload's own figures printed under the lock table. */
export function workloadSummaryLines(r: Report): string[] {
  const w = r.workload;
  switch (w.kind) {
    case 'lockbench':
      return [
        `lockbench: ${w.operations} operations (${Math.round(w.operationsPerSecond)}/s simulated), ${w.trylockFailures} failed trylocks`,
        `  per node: ${w.perNode.map((n) => `node ${n.node} ${n.operations}`).join(', ')}`,
      ];
    case 'page-fault':
      return [
        `page-fault: ${w.faults} faults (${Math.round(w.faultsPerSecond)}/s simulated) in ${w.cycles} cycles, ${w.allocationFailures} allocation failures`,
        `  fault latency: mean ${formatDuration(w.faultLatencyNs.mean)}, p50 ${formatDuration(w.faultLatencyNs.p50)}, p99 ${formatDuration(w.faultLatencyNs.p99)}, max ${formatDuration(w.faultLatencyNs.max)}`,
        ...memoryLines(r),
      ];
    case 'mem-pressure':
      return [
        `mem-pressure: ${w.reads} pages read (${Math.round(w.readsPerSecond)}/s simulated), ${w.hitPercent.toFixed(1)}% from the page cache, ${w.refaults} read back from disk, ${w.processes} reader processes, ${w.allocationFailures} allocation failures`,
        ...timeLines(w.time, w.sched),
        ...memoryLines(r),
      ];
    case 'shm-db':
      return [
        `shm-db: ${w.attached} of ${w.processes} processes attached the segment` +
          (w.outOfMemory ? `; OUT OF MEMORY: ${w.failedAllocations} page-table allocations failed, the first for process ${w.firstFailureProcess}` : '') +
          (w.completionNs !== null ? ` in ${formatDuration(w.completionNs)} simulated` : ''),
        `  page-table pages: ${w.ptePages.map((p) => `node ${p.node} ${p.zone} ${p.pages}`).join(', ')}`,
        ...memoryLines(r),
      ];
    case 'mix':
      return [...mixLines(w), ...memoryLines(r)];
    case 'will-it-scale':
    case 'pft':
    case 'kbuild':
    case 'readtwice':
      return modernSummaryLines(w);
    case 'pipe': {
      const rt = w.roundTripMeanNs === null ? 'none completed' : `mean ${formatDuration(w.roundTripMeanNs)}`;
      return [`pipe: ${w.roundTrips} round trips (${Math.round(w.roundTripsPerSecond)}/s simulated), round trip ${rt}; ${w.wakeups} wake-ups, ${w.rescheduleIpis} reschedule IPIs, ${w.contextSwitches} context switches`, ...memoryLines(r)];
    }
    case 'file-read':
      return [`file-read: ${w.reads} pages read (${Math.round(w.readsPerSecond)}/s simulated)`, ...timeLines(w.time, w.sched), ...memoryLines(r)];
    case 'kernbench': {
      const lat = (l: { mean: number; p50: number; p99: number; max: number }) =>
        `mean ${formatDuration(l.mean)}, p50 ${formatDuration(l.p50)}, p99 ${formatDuration(l.p99)}, max ${formatDuration(l.max)}`;
      return [
        w.completionNs === null
          ? `kernbench: stopped after ${w.jobsCompleted} of ${w.jobs} compile jobs (the run ended first)`
          : `kernbench: ${w.jobs} compile jobs built in ${formatDuration(w.completionNs)} simulated`,
        `  ${w.processes} processes, ${w.anonFaults} anonymous faults, ${w.pageCacheLookups} page-cache lookups, ${w.pageCacheWrites} pages written, ${w.activations} activations, ${w.allocationFailures} allocation failures`,
        `  fault latency: ${lat(w.faultLatencyNs)}`,
        `  job latency: ${lat(w.jobLatencyNs)}`,
        ...timeLines(w.time, w.sched),
        ...memoryLines(r),
      ];
    }
  }
}

/** The mix workload: totals, then per phase and group the operations that completed, with their latency. */
function mixLines(w: MixResult): string[] {
  const lines = [
    `mix: ${w.operations} operations (${Math.round(w.operationsPerSecond)}/s simulated), ${w.contextSwitches} context switches, ${w.allocationFailures} allocation failures, ${w.readMisses} reads from disk`,
    '',
    'PHASE            GROUP            OP        COMPLETED         /s       MEAN        p50        p99',
  ];
  for (const p of w.phases) {
    for (const g of p.groups) {
      for (const op of ['fault', 'munmap', 'read', 'write'] as const) {
        const o = g.ops[op];
        if (o.completed === 0) continue;
        const l = o.latencyNs;
        lines.push(
          `${p.name.slice(0, 16).padEnd(17)}${g.name.slice(0, 16).padEnd(17)}${op.padEnd(7)}${String(o.completed).padStart(12)}${String(Math.round(o.perSecond)).padStart(11)}` +
            `${formatDuration(l.mean).padStart(11)}${formatDuration(l.p50).padStart(11)}${formatDuration(l.p99).padStart(11)}`,
        );
      }
    }
  }
  return lines;
}

function memoryLines(r: Report): string[] {
  const m = r.memory;
  if (!m) return [];
  const lines = ['', 'ZONES            PAGES      FREE   MIN/LOW/HIGH         ALLOC        FREED   ACTIVE INACTIVE'];
  for (const z of m.zones) {
    lines.push(
      `node ${z.node} ${z.zone.padEnd(8)}${String(z.pages).padStart(9)}${String(z.freePages).padStart(10)}   ${`${z.watermarks.min}/${z.watermarks.low}/${z.watermarks.high}`.padEnd(15)}${String(z.allocations).padStart(12)}${String(z.frees).padStart(13)}${String(z.lruActive).padStart(9)}${String(z.lruInactive).padStart(9)}`,
    );
  }
  lines.push('', 'NUMASTAT     numa_hit  numa_miss  numa_foreign  local_node  other_node');
  for (const n of m.numastat) {
    lines.push(`node ${String(n.node).padEnd(4)}${String(n.numaHit).padStart(12)}${String(n.numaMiss).padStart(11)}${String(n.numaForeign).padStart(14)}${String(n.localNode).padStart(12)}${String(n.otherNode).padStart(12)}`);
  }
  lines.push(`kswapd wake-ups ${m.kswapdWakeups}, zones visited ${m.zonesVisited}, kmap_atomic ${m.kmapAtomic}, ${m.bytesPerFrame} bytes of model state per page frame`);
  if (m.lockHardware) {
    const h = m.lockHardware;
    lines.push(
      `interrupts in holds: ${h.timerInHold} timer ticks, ${h.deviceInHold} device interrupts, ${h.holdsLengthened} holds lengthened by ${(h.addedNs / 1e6).toFixed(2)} ms; ` +
        `${h.reacquireWins} test-and-set re-acquisitions won in the releaser's window`,
    );
  }
  if (m.reclaim) {
    const rc = m.reclaim;
    lines.push(`reclaim: ${rc.kswapdRuns} kswapd runs, ${rc.pagesScanned} pages scanned, ${rc.pagesReclaimed} reclaimed, ${rc.allocationWaits} allocations went to reclaim`);
    if (rc.directReclaims > 0) lines.push(`  direct reclaim: ${rc.directReclaims} calls of try_to_free_pages by allocating tasks, ${rc.directPagesReclaimed} pages freed`);
    if (rc.mappedSkipped > 0) lines.push(`  ${rc.mappedSkipped} times shrink_cache passed over a mapped page (2.4: no reverse map)`);
    if (rc.swapOuts > 0) lines.push(`  swap_out: ${rc.swapOuts} calls, ${rc.swapPtesScanned} ptes scanned, ${rc.swapPtesUnmapped} unmapped, ${(rc.swapWalkNs / 1e6).toFixed(2)} ms of reclaim time in the page-table walks`);
    if (rc.ptesUnmapped > 0) {
      const pool = rc.kswapdPoolMaps > 0 ? `, ${rc.kswapdPoolMaps} page tables mapped through kswapd's own pool` : '';
      lines.push(`  try_to_unmap: ${rc.ptesUnmapped} ptes cleared, ${rc.unmapTlbIpis} TLB-flush IPIs, ${(rc.unmapWalkNs / 1e6).toFixed(2)} ms of kswapd time${pool}`);
    }
  }
  if (m.bounce) lines.push(`bounce buffers: ${m.bounce.pages} reads into highmem bounced through ZONE_NORMAL, ${m.bounce.emergencyPool} from the emergency pool`);
  if (m.kmap) lines.push(...kmapLines(m.kmap));
  if (m.pageTables) {
    lines.push('', `PAGE TABLES (${m.pageTables.placement}): ${m.pageTables.pagesAllocated} pages allocated, ${m.pageTables.allocationsFailed} allocations failed`);
  }
  if (m.text) {
    lines.push('', `KERNEL TEXT (${m.text.mode}, ${m.text.sizeKiB} KiB)   copy   remote lines    local lines   fetch time  replica pages  remaps`);
    for (const p of m.text.perNode) {
      lines.push(`node ${String(p.node).padEnd(30)}${String(p.copyNode).padStart(6)}${String(p.remoteFetchLines).padStart(15)}${String(p.localFetchLines).padStart(15)}${formatDuration(p.fetchNs).padStart(13)}${String(p.replicaPages).padStart(15)}${String(p.remaps).padStart(8)}`);
    }
  }
  if (m.taskArea) lines.push(...taskAreaLines(m.taskArea));
  return lines;
}

/** The task-area table: stacks and task_structs by node, then who reached them and what it cost. */
function taskAreaLines(t: TaskAreaReport): string[] {
  const lines = ['', `TASK AREA (${t.mode}, ${t.cacheIndexing} cache)  task_structs  stack pages  ts pages  area pt  pgd  peak pages`];
  for (const p of t.perNode) {
    lines.push(`node ${String(p.node).padEnd(30)}${String(p.taskStructs).padStart(13)}${String(p.stackPages).padStart(13)}${String(p.taskStructPages).padStart(10)}${String(p.areaPtPages).padStart(9)}${String(p.pgdPages).padStart(5)}${String(p.peakPages).padStart(12)}`);
  }
  lines.push(`current: ${t.currentLocal} local, ${t.currentRemote} remote dereferences; ${t.currentLines} lines fetched, ${formatDuration(t.currentNs)}`);
  lines.push(`other tasks (wake-ups, signals, scheduler): ${t.aliasLocal} local, ${t.aliasRemote} remote accesses; ${t.aliasLines} lines, ${formatDuration(t.aliasNs)}; ${t.wakeups} wake-ups`);
  lines.push(`PGDs ${t.pgdPages} (${t.pgdSwitches} extra PGD loads), area switches ${t.areaSwitches} (${formatDuration(t.areaSwitchNs)}), cache flushes ${t.cacheFlushes} (${formatDuration(t.cacheFlushNs)}), overhead ${t.overheadPages} pages`);
  return lines;
}

/** The kmap table: calls by caller and kind, then the pools' wraps, flushes and sleepers. */
function kmapLines(k: KmapReport): string[] {
  const lines = ['', `KMAP (${k.mode}, ${k.pkmapEntries} entries × ${k.pools} pool(s))   kmap_high     reused  kmap_atomic     lowmem`];
  for (const c of k.callers) {
    lines.push(`${c.caller.padEnd(44)}${String(c.kmapHigh).padStart(10)}${String(c.reused).padStart(11)}${String(c.kmapAtomic).padStart(13)}${String(c.lowmem).padStart(11)}`);
  }
  lines.push(
    `pool wraps ${k.poolWraps}: global flushes ${k.globalFlushes}, per-mm flushes ${k.mmFlushes}, local flushes ${k.localFlushes}; ` +
      `${k.ipisSent} TLB-flush IPIs taking ${formatDuration(k.ipiStolenNs)} of CPU time; ${k.sleeps} sleeps on pkmap_map_wait (mean ${formatDuration(k.sleepWaitNs.mean)}, max ${formatDuration(k.sleepWaitNs.max)})` +
      (k.pgdPages > 0 ? `; ${k.pgdPages} per-task PGD pages` : '') +
      (k.threadSwitches > 0 ? `; ${k.threadSwitches} switches between threads of one mm, ${k.pgdSwitches} of them reloading cr3` : ''),
  );
  return lines;
}

/** Renders the whole report as text: a heading, the lockmeter table, the workload's own figures. */
export function renderLockmeterText(r: Report): string {
  const lines: string[] = [];
  lines.push(
    `numasim ${r.engine.version}  ${r.run.kind}  seed ${r.run.seed}  config ${r.run.configHash.slice(0, 12)}  ` +
      `${r.machine.nodes} node(s) × ${r.machine.cpus / r.machine.nodes} CPUs`,
  );
  lines.push(
    `simulated ${(r.run.simulatedNs / 1e9).toFixed(6)} s (last event ${(r.run.lastEventNs / 1e9).toFixed(6)} s), ` +
      `${r.engine.events} events in ${r.engine.wallSeconds.toFixed(2)} s wall (${(r.engine.eventsPerSecond / 1e6).toFixed(2)} M events/s)`,
  );
  lines.push('');
  lines.push('SPINLOCKS           HOLD                WAIT');
  lines.push('   UTIL    CON    MEAN(   MAX )   MEAN(   MAX )(% CPU)     TOTAL NOWAIT    SPIN  RJECT  NAME');
  lines.push('');
  for (const l of r.locks) {
    lines.push(lockRow(l));
    for (const c of l.callers) lines.push(callerRow(c));
    lines.push('');
  }
  lines.push(...workloadSummaryLines(r));
  return `${lines.join('\n')}\n`;
}

const CSV_COLUMNS = [
  'lock', 'class', 'caller', 'homeNode', 'attempts', 'acquisitions', 'contentions', 'trylockFailures',
  'utilPercent', 'conPercent', 'holdMeanNs', 'holdMaxNs', 'holdTotalNs', 'waitMeanNs', 'waitMaxNs',
  'waitTotalNs', 'waitCpuPercent', 'conBounces', 'acqBounces',
] as const;

function csvField(v: string | number): string {
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The lock table as CSV: one row per lock (caller empty) followed by one row per caller. */
export function renderLockCsv(r: Report): string {
  const out = [CSV_COLUMNS.join(',')];
  for (const l of r.locks) {
    out.push(
      [l.name, l.class, '', l.homeNode, l.attempts, l.acquisitions, l.contentions, l.trylockFailures, l.utilPercent, l.conPercent,
        l.holdMeanNs, l.holdMaxNs, l.holdTotalNs, l.waitMeanNs, l.waitMaxNs, l.waitTotalNs, l.waitCpuPercent, l.conBounces, l.acqBounces]
        .map(csvField)
        .join(','),
    );
    for (const c of l.callers) {
      out.push(
        [l.name, l.class, c.name, l.homeNode, c.attempts, c.acquisitions, c.contentions, c.trylockFailures, c.utilPercent, c.conPercent,
          c.holdMeanNs, c.holdMaxNs, c.holdTotalNs, c.waitMeanNs, c.waitMaxNs, c.waitTotalNs, '', '', '']
          .map(csvField)
          .join(','),
      );
    }
  }
  return `${out.join('\n')}\n`;
}
