/**
 * The persistent kmap pool of i386 Linux 2.4 (mm/highmem.c, include/asm-i386/highmem.h):
 * `LAST_PKMAP` virtual slots (1024; 512 with PAE), `pkmap_count[]`, the circular `last_pkmap_nr`,
 * `page->virtual`, and the tasks sleeping on `pkmap_map_wait`.
 *
 * Locking rule: everything here is protected by the global `kmap_lock` (homed on node 0 in the
 * model); callers hold it around kmapHigh and kunmapHigh. A wrap of `last_pkmap_nr` to 0 runs
 * `flush_all_zero_pkmaps`, which ends in `flush_tlb_all()` — an IPI to every CPU, which the caller
 * charges. This file holds the pool's state and decisions only.
 *
 * pkmap_count semantics: 0 — free and flushed (usable); 1 — unused, but a stale TLB entry may
 * still point at it (usable only after the next global flush); n > 1 — n − 1 users.
 * Simplified: one waiter is woken per freed slot, in arrival order (2.4's wake_up woke them all
 * and let them race; the order that race settled in is not modelled).
 */
import type { KmapMode } from '@numasim/shared';
import { bug, invariant } from '../errors.js';
import type { Topology } from '../machine/topology.js';
import type { MmConfig } from './mm-shared.js';
import { PageSlotMap } from './page-slot-map.js';

/** The kernel functions that call kmap in the workloads, in report order. */
export const KMAP_CALLERS = ['copy_strings', 'file_read_actor', 'generic_file_write', 'pte_offset_map', 'bounce_end_io_read'] as const;
export const KC_COPY_STRINGS = 0;
export const KC_FILE_READ = 1;
export const KC_FILE_WRITE = 2;
export const KC_PTE = 3;
export const KC_BOUNCE = 4;

/** Synthetic page ids for kmap: tag << 28 | node << 22 | index (pages the workloads do not keep as frames). */
export const PAGE_TAG_TREE = 1;
export const PAGE_TAG_FRESH = 2;
export function kmapPageId(tag: number, node: number, index: number): number {
  return tag * 2 ** 28 + node * 2 ** 22 + (index & 0x3fffff);
}

/** Who runs in which address space, and the kmap locks: configuration every node reads. */
export interface KmapShared {
  readonly mode: KmapMode;
  readonly entries: number;
  /** Threads of its mm each CPU runs in turn (file-read), 1 otherwise. */
  readonly threadsPerCpu: number;
  /** The mm whose task runs on each CPU. */
  readonly mmOfCpu: Int32Array;
  /** Node of each mm's pool and lock (the node of its first CPU). */
  readonly mmHome: Int32Array;
  /** CPUs running each mm's threads (its cpu_vm_mask). */
  readonly mmCpus: readonly (readonly number[])[];
  /** The lock a CPU's kmap_high takes: the global kmap_lock, its mm's lock, or −1. */
  readonly lockOfCpu: Int32Array;
}

/**
 * Adds the kmap locks (call from buildMmShared's `extraLocks`): `kmap_lock` on node 0 for the
 * global pool, one `mm->kmap_lock` per mm for per-mm pools, none otherwise.
 */
export function addKmapLocks(cfg: MmConfig, topo: Topology, mmOfCpu: Int32Array, add: (name: string, cls: string, home: number) => number, threadsPerCpu = 1): KmapShared {
  const mms = mmOfCpu.reduce((m, v) => Math.max(m, v + 1), 0);
  const mmCpus: number[][] = Array.from({ length: mms }, () => []);
  for (let c = 0; c < topo.cpus; c++) mmCpus[mmOfCpu[c]].push(c);
  const mmHome = Int32Array.from(mmCpus, (cpus) => topo.cpuNode[cpus[0] ?? 0]);
  const lockOfCpu = new Int32Array(topo.cpus).fill(-1);
  if (cfg.kmap === 'global') lockOfCpu.fill(add('kmap_lock', 'kmap_lock', 0));
  else if (cfg.kmap === 'per-mm') {
    const locks = mmCpus.map((_, m) => add(`mm->kmap_lock[mm${m}]`, 'mm->kmap_lock', mmHome[m]));
    for (let c = 0; c < topo.cpus; c++) lockOfCpu[c] = locks[mmOfCpu[c]];
  }
  return { mode: cfg.kmap, entries: cfg.pkmapEntries, threadsPerCpu, mmOfCpu, mmHome, mmCpus, lockOfCpu };
}

/** One mm per CPU: the single-threaded processes of kernbench, each CPU running one at a time. */
export function mmPerCpu(topo: Topology): Int32Array {
  return Int32Array.from({ length: topo.cpus }, (_, c) => c);
}


/** What `kmapHigh` answers; the pool reuses one object, so read it before the next call. */
export interface KmapResult {
  /** The pool slot (`PKMAP_NR(vaddr)`), or −1 when the caller must sleep on pkmap_map_wait. */
  slot: number;
  /** A new mapping was made (a pte set), rather than an existing one reused. */
  mapped: boolean;
  /** `flush_all_zero_pkmaps` ran (and with it a global TLB flush) while finding the slot. */
  flushed: boolean;
}

export class PkmapPool {
  /** pkmap_count[]. */
  readonly count: Int32Array;
  /** The page each slot maps, or −1 (the pkmap page table). */
  readonly pageOf: Float64Array;
  /** page->virtual for mapped highmem pages: page → slot. */
  private readonly slotOf: PageSlotMap;
  /** kmapHigh's answer, one object reused: valid until the next call (no allocation per kmap). */
  private readonly result: KmapResult = { slot: -1, mapped: false, flushed: false };
  /** FIFO of waiter ids sleeping on pkmap_map_wait. */
  private readonly waiters: number[] = [];
  lastPkmapNr = 0;
  /** Statistics (observation only). */
  globalFlushes = 0;
  /** Slots the last flush_all_zero_pkmaps unmapped (its pte_clear loop). */
  lastFlushCleared = 0;
  newMappings = 0;
  reused = 0;
  sleeps = 0;

  constructor(readonly size: number) {
    invariant(size >= 2 && (size & (size - 1)) === 0, `LAST_PKMAP must be a power of two (got ${size})`);
    this.count = new Int32Array(size);
    this.pageOf = new Float64Array(size).fill(-1);
    this.slotOf = new PageSlotMap(size);
  }

  /** Slot mapping `page`, or −1 (`page_address`). */
  slotOfPage(page: number): number {
    return this.slotOf.get(page);
  }

  /**
   * `kmap_high` for waiter `who`: reuse the page's mapping if it has one, else find a slot with
   * `map_new_virtual`; with none free, the caller sleeps (slot −1) and retries when woken.
   */
  kmapHigh(page: number, who: number): KmapResult {
    let slot = this.slotOf.get(page);
    if (slot >= 0) {
      this.count[slot]++;
      this.reused++;
      return this.answer(slot, false, false);
    }
    let flushed = false;
    let left = this.size;
    for (;;) {
      this.lastPkmapNr = (this.lastPkmapNr + 1) & (this.size - 1);
      if (this.lastPkmapNr === 0) {
        this.flushAllZeroPkmaps();
        flushed = true;
        left = this.size;
      }
      if (this.count[this.lastPkmapNr] === 0) break;
      if (--left > 0) continue;
      this.waiters.push(who);
      this.sleeps++;
      return this.answer(-1, false, flushed);
    }
    slot = this.lastPkmapNr;
    this.pageOf[slot] = page;
    this.slotOf.set(page, slot);
    this.count[slot] = 2; // mapped (1) and one user
    this.newMappings++;
    return this.answer(slot, true, flushed);
  }

  private answer(slot: number, mapped: boolean, flushed: boolean): KmapResult {
    const r = this.result;
    r.slot = slot;
    r.mapped = mapped;
    r.flushed = flushed;
    return r;
  }

  /** `kunmap_high`: one user fewer; when a slot becomes unused, the first sleeper (if any) is returned to be woken. */
  kunmapHigh(page: number): number | undefined {
    const slot = this.slotOf.get(page);
    if (slot < 0) bug(`kunmap_high of page ${page}, which has no kmap`);
    const c = --this.count[slot];
    if (c < 1) bug(`pkmap_count[${slot}] fell to ${c}: kunmap without kmap`);
    return c === 1 ? this.waiters.shift() : undefined;
  }

  /** Tasks sleeping on pkmap_map_wait. */
  get sleeping(): number {
    return this.waiters.length;
  }

  /** `flush_all_zero_pkmaps`: every unused slot is unmapped and becomes usable; then flush_tlb_all. */
  private flushAllZeroPkmaps(): void {
    this.lastFlushCleared = 0;
    for (let i = 0; i < this.size; i++) {
      if (this.count[i] !== 1) continue;
      this.lastFlushCleared++;
      this.count[i] = 0;
      this.slotOf.delete(this.pageOf[i]);
      this.pageOf[i] = -1;
    }
    this.globalFlushes++;
  }

  checkInvariants(): void {
    let mapped = 0;
    for (let i = 0; i < this.size; i++) {
      const c = this.count[i];
      invariant(c >= 0, `pkmap_count[${i}] is negative`);
      invariant((c === 0) === (this.pageOf[i] === -1), `slot ${i}: count ${c} but ${this.pageOf[i] === -1 ? 'no page' : `page ${this.pageOf[i]}`}`);
      if (c > 0) {
        mapped++;
        invariant(this.slotOf.get(this.pageOf[i]) === i, `slot ${i} maps page ${this.pageOf[i]}, whose page->virtual says ${this.slotOf.get(this.pageOf[i])}`);
      }
    }
    invariant(mapped === this.slotOf.size, `${mapped} slots map pages, page_address knows ${this.slotOf.size}`);
  }
}
