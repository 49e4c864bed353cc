// `--probe`: where a latency tail comes from. While a scenario runs, samples every thread of the
// service and of this process from /proc (CPU time, time spent runnable but waiting for a CPU, nice,
// scheduling policy) every 100 ms; afterwards lines that up, per 100 ms window, with the
// generator's per-request trace (how late each request was sent, its latency) and the service's
// event-loop delay (probe-service.mjs). Three causes look different:
//   the service's event loop blocked by synchronous work — event-loop delay high, main thread on CPU;
//   the service starved of CPU — event-loop delay high, main thread waiting in the run queue;
//   the generator starved — requests sent late, the generator thread waiting in the run queue.
// Linux only; diagnostic, never part of a pass/fail.
import { readFileSync, readdirSync } from 'node:fs';

const WINDOW_MS = 100;
const POLICY = { 0: 'other', 1: 'fifo', 2: 'rr', 3: 'batch', 5: 'idle' };

function readThreads(pid) {
  const out = [];
  let tids;
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const t of tids) {
    try {
      const [run, wait, slices] = readFileSync(`/proc/${pid}/task/${t}/schedstat`, 'utf8').trim().split(' ').map(Number);
      out.push({ tid: Number(t), run, wait, slices });
    } catch {
      // the thread ended
    }
  }
  return out;
}

function threadInfo(pid, tid) {
  try {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // f[0] is field 3 (state)
    return { comm, nice: Number(f[19 - 3]), policy: POLICY[f[41 - 3]] ?? f[41 - 3] };
  } catch {
    return undefined;
  }
}

function cpuBusy() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = f[3] + f[4];
  return { total: f.reduce((a, b) => a + b, 0), idle };
}

/** CPU ticks (utime + stime) of every process, with its session id and command line (first seen). */
function allProcesses(into) {
  const out = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(Number(d), Number(f[14 - 3]) + Number(f[15 - 3]));
      if (!into.has(Number(d))) {
        const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8').replaceAll('\0', ' ').trim().slice(0, 100);
        into.set(Number(d), { sid: Number(f[6 - 3]), cmd: cmd || stat.slice(stat.indexOf('('), stat.lastIndexOf(')') + 1) });
      }
    } catch {
      // gone
    }
  }
  return out;
}

/**
 * CPU time the machine spent on processes other than `pids` between start and stop(): on a shared
 * machine, a latency figure measured while others' jobs ran measures contention with them too.
 */
export function startCpuShare(pids) {
  const ours = () => pids.reduce((n, pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return n + (Number(f[14 - 3]) + Number(f[15 - 3])) * 10;
    } catch {
      return n;
    }
  }, 0);
  let a;
  let o;
  try {
    a = cpuBusy();
    o = ours();
  } catch {
    return { stop: () => undefined }; // not Linux
  }
  const t0 = performance.now();
  return {
    stop() {
      const b = cpuBusy();
      const busyMs = (b.total - a.total - (b.idle - a.idle)) * 10;
      const oursMs = ours() - o;
      const spanMs = performance.now() - t0;
      const cores = (b.total - a.total) * 10 / spanMs;
      return { spanMs: Math.round(spanMs), cores: Math.round(cores), busyMs, oursMs, othersMs: Math.max(0, busyMs - oursMs), othersShare: Math.round((100 * Math.max(0, busyMs - oursMs)) / ((b.total - a.total) * 10)) / 100 };
    },
  };
}

/** Starts sampling the threads of `procs` ({ name: pid }); stop() returns the samples. */
export function startThreadSampler(procs) {
  const samples = [];
  const info = {};
  // Every process's CPU, every 500 ms: who else used the machine while the scenario ran.
  const commands = new Map();
  const others = new Map();
  let last = allProcesses(commands);
  const ours = new Set(Object.values(procs));
  const scan = () => {
    const now = allProcesses(commands);
    for (const [pid, ticks] of now) {
      if (ours.has(pid)) continue;
      const d = ticks - (last.get(pid) ?? ticks);
      if (d > 0) others.set(pid, (others.get(pid) ?? 0) + d * 10);
    }
    last = now;
  };
  const scanTimer = setInterval(scan, 500);
  const tick = () => {
    const at = performance.timeOrigin + performance.now();
    const s = { at, cpu: cpuBusy(), procs: {} };
    for (const [name, pid] of Object.entries(procs)) {
      s.procs[name] = readThreads(pid);
      for (const t of s.procs[name]) {
        const key = `${name}:${t.tid}`;
        // nice and policy can change after start (a simulation thread lowers its own): keep the last seen
        if (!info[key] || samples.length % 10 === 0) info[key] = threadInfo(pid, t.tid) ?? info[key];
      }
    }
    samples.push(s);
  };
  tick();
  const timer = setInterval(tick, WINDOW_MS);
  return {
    stop() {
      clearInterval(timer);
      clearInterval(scanTimer);
      tick();
      scan();
      const top = [...others.entries()].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([pid, ms]) => ({ pid, cpuMs: ms, ...commands.get(pid) }));
      return { samples, info, otherProcesses: top };
    },
  };
}

const pct = (sorted, p) => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]);
const r1 = (x) => Math.round(x * 10) / 10;

/**
 * Lines up the generator trace, the service's event-loop delay windows and the thread samples.
 * `roles` names threads: { 'svc:<tid>': 'service main', 'run:<tid>': 'generator', ... }; threads not
 * named are grouped as '<proc> simulation' (nice > 0 or SCHED_IDLE) or '<proc> other'.
 */
export function analyze({ trace, eld, threads, roles, from, to, timelineFrom = from }) {
  const { samples, info } = threads;
  const role = (key) => {
    if (roles[key]) return roles[key];
    const i = info[key];
    const proc = key.split(':')[0];
    return i && (i.nice > 0 || i.policy === 'idle') ? `${proc} simulation` : `${proc} other`;
  };
  const inRange = samples.filter((s) => s.at >= timelineFrom - WINDOW_MS && s.at <= to + WINDOW_MS);
  // Per role: CPU and run-queue wait over the measured span; per window: the same for named roles.
  const byRole = {};
  const windows = new Map(); // window start → stats
  const win = (at) => Math.floor(at / WINDOW_MS) * WINDOW_MS;
  for (let i = 1; i < inRange.length; i++) {
    const a = inRange[i - 1];
    const b = inRange[i];
    const w = windows.get(win(b.at)) ?? { cpuBusy: 0 };
    windows.set(win(b.at), w);
    const dt = b.cpu.total - a.cpu.total;
    w.cpuBusy = dt > 0 ? 1 - (b.cpu.idle - a.cpu.idle) / dt : 0;
    // /proc/stat counts in USER_HZ ticks (10 ms): CPU time of every process on the machine
    w.busyMs = (w.busyMs ?? 0) + (dt - (b.cpu.idle - a.cpu.idle)) * 10;
    w.oursMs ??= 0;
    for (const proc of Object.keys(b.procs)) {
      const before = new Map(a.procs[proc].map((t) => [t.tid, t]));
      for (const t of b.procs[proc]) {
        const p = before.get(t.tid);
        if (!p) continue;
        const r = role(`${proc}:${t.tid}`);
        const agg = (byRole[r] ??= { threads: new Set(), cpuMs: 0, waitMs: 0, slices: 0, maxWaitPerWindowMs: 0 });
        agg.threads.add(t.tid);
        const run = (t.run - p.run) / 1e6;
        const wait = (t.wait - p.wait) / 1e6;
        agg.cpuMs += run;
        agg.waitMs += wait;
        agg.slices += t.slices - p.slices;
        agg.maxWaitPerWindowMs = Math.max(agg.maxWaitPerWindowMs, wait);
        w[`${r} wait`] = (w[`${r} wait`] ?? 0) + wait;
        w.oursMs += run;
        w[`${r} cpu`] = (w[`${r} cpu`] ?? 0) + run;
      }
    }
  }
  for (const r of Object.values(byRole)) {
    r.threads = r.threads.size;
    r.cpuMs = Math.round(r.cpuMs);
    r.waitMs = Math.round(r.waitMs);
    r.maxWaitPerWindowMs = r1(r.maxWaitPerWindowMs);
  }
  for (const [at, max] of (eld?.windows ?? []).map(([t, mx]) => [t, mx])) {
    const w = windows.get(win(at));
    if (w) w.eldMaxMs = Math.max(w.eldMaxMs ?? 0, max);
  }
  // The generator: latency and send lag per request, binned by due time.
  const measured = trace.dueAt.map((t, i) => i).filter((i) => trace.dueAt[i] >= from);
  const lagSorted = measured.map((i) => trace.sendLag[i]).sort((x, y) => x - y);
  const latSorted = measured.map((i) => trace.latency[i]).filter((x) => !Number.isNaN(x)).sort((x, y) => x - y);
  for (let i = 0; i < trace.dueAt.length; i++) {
    const w = windows.get(win(trace.dueAt[i]));
    if (!w) continue;
    w.requests = (w.requests ?? 0) + 1;
    w.latMaxMs = Math.max(w.latMaxMs ?? 0, trace.latency[i] || 0);
    w.lagMaxMs = Math.max(w.lagMaxMs ?? 0, trace.sendLag[i]);
    if (trace.latency[i] > 25) w.over25 = (w.over25 ?? 0) + 1;
  }
  // Slow synchronous work on the service's main thread (GC pauses, SQLite calls) in the span.
  const slow = (eld?.slow ?? []).filter(([t]) => t >= timelineFrom && t <= to);
  const slowSummary = {};
  for (const [, kind, ms, detail] of slow) {
    const k = kind === 'gc' ? `gc kind ${detail}` : `${kind} ${detail}`;
    const e = (slowSummary[k] ??= { count: 0, totalMs: 0, maxMs: 0 });
    e.count++;
    e.totalMs = r1(e.totalMs + ms);
    e.maxMs = r1(Math.max(e.maxMs, ms));
  }
  for (const [t, , ms] of slow) {
    const w = windows.get(win(t));
    if (w) w.slowSyncMs = (w.slowSyncMs ?? 0) + ms;
  }
  const eldInRange = (eld?.windows ?? []).filter(([t]) => t >= from && t <= to).map(([, mx]) => mx).sort((x, y) => x - y);
  const timeline = [...windows.entries()].sort((a, b) => a[0] - b[0]).map(([at, w]) => ({ t: Math.round(at - from), ...Object.fromEntries(Object.entries(w).map(([k, v]) => [k, r1(v)])) }));
  const over = latSorted.filter((x) => x > 25).length;
  const busy = timeline.reduce((n, w) => n + (w.busyMs ?? 0), 0);
  const ours = timeline.reduce((n, w) => n + (w.oursMs ?? 0), 0);
  const slowWindows = timeline.filter((w) => w.t >= 0 && (w.over25 ?? 0) > 0);
  return {
    generator: {
      sendLagMs: { p50: r1(pct(lagSorted, 0.5)), p99: r1(pct(lagSorted, 0.99)), max: r1(pct(lagSorted, 1)) },
      latencyMs: { p50: r1(pct(latSorted, 0.5)), p99: r1(pct(latSorted, 0.99)), max: r1(pct(latSorted, 1)) },
      over25ms: over,
      windowsWithOver25ms: slowWindows.length,
    },
    serviceEventLoopDelayPerWindowMaxMs: { p50: r1(pct(eldInRange, 0.5)), p99: r1(pct(eldInRange, 0.99)), max: r1(pct(eldInRange, 1)) },
    threads: byRole,
    /** GC pauses and SQLite calls of ≥ 2 ms on the service's main thread during the span. */
    slowSync: slowSummary,
    slowSyncOver20ms: slow.filter(([, , ms]) => ms >= 20).map(([t, kind, ms, detail]) => ({ t: Math.round(t - from), kind, ms: r1(ms), detail })),
    /** CPU time of processes other than the service and the load generator (others' jobs), ms. */
    othersCpuMs: Math.round(busy - ours),
    otherProcesses: threads.otherProcesses,
    spanMs: Math.round(to - from),
    worstWindows: timeline.filter((w) => w.t >= 0).sort((a, b) => (b.latMaxMs ?? 0) - (a.latMaxMs ?? 0)).slice(0, 12),
    timeline,
  };
}

/** A few lines for the console. */
export function printProbe(p) {
  const g = p.generator;
  console.log(`  probe: generator send lag p50 ${g.sendLagMs.p50} / p99 ${g.sendLagMs.p99} / max ${g.sendLagMs.max} ms; latency p99 ${g.latencyMs.p99} max ${g.latencyMs.max} ms; ${g.over25ms} requests over 25 ms in ${g.windowsWithOver25ms} of ${p.timeline.length} 100-ms windows`);
  const e = p.serviceEventLoopDelayPerWindowMaxMs;
  console.log(`  probe: service event-loop delay, max per 100-ms window: p50 ${e.p50} / p99 ${e.p99} / max ${e.max} ms`);
  console.log(`  probe: over ${p.spanMs} ms, processes other than the service and the generator used ${p.othersCpuMs} ms of CPU`);
  for (const o of p.otherProcesses.filter((x) => x.cpuMs >= 200)) console.log(`    ${String(o.cpuMs).padStart(6)} ms  pid ${o.pid} session ${o.sid}: ${o.cmd}`);
  for (const [r, t] of Object.entries(p.threads).sort()) {
    console.log(`  probe: ${r.padEnd(22)} ${String(t.threads).padStart(2)} threads  cpu ${String(t.cpuMs).padStart(6)} ms  run-queue wait ${String(t.waitMs).padStart(6)} ms  ${String(t.slices).padStart(7)} slices  (max ${t.maxWaitPerWindowMs} ms in a 100-ms window)`);
  }
  for (const [k, v] of Object.entries(p.slowSync).sort((a, b) => b[1].maxMs - a[1].maxMs).slice(0, 6)) console.log(`  probe: main thread, ${k}: ${v.count} × ≥ 2 ms, total ${v.totalMs} ms, max ${v.maxMs} ms`);
  for (const e of p.slowSyncOver20ms.slice(0, 10)) console.log(`    t=${e.t}: ${e.kind} ${e.ms} ms ${e.detail ?? ''}`);
  console.log('  probe: worst windows (t ms from start: max latency, max send lag, service ELD max, waits in ms):');
  for (const w of p.worstWindows.slice(0, 8)) {
    const waits = Object.entries(w).filter(([k]) => k.endsWith(' wait')).map(([k, v]) => `${k.replace(' wait', '')} ${v}/${w[k.replace(' wait', ' cpu')] ?? 0}`).join(', ');
    console.log(`    t=${w.t}: lat ${w.latMaxMs} lag ${w.lagMaxMs} eld ${w.eldMaxMs ?? '?'} sync ${w.slowSyncMs ?? 0} cpu ${Math.round(100 * (w.cpuBusy ?? 0))}% others ${Math.round((w.busyMs ?? 0) - (w.oursMs ?? 0))} ms | wait/cpu ms: ${waits}`);
  }
}
