/**
 * The zone-by-zone decisions of `__alloc_pages`, after Linux 2.4.17 mm/page_alloc.c.
 *
 * The kernel walks the zonelist up to four times, each time keeping a running `min` that adds up
 * the watermark of every zone passed so far (so a zone late in the list must have more free pages
 * than all the earlier zones' reserves together before it is used):
 *   1. `low` pass: min += pages_low; take from the first zone with free_pages > min;
 *   2. (wake kswapd) `min` pass: min += pages_min, a quarter of it for atomic allocations;
 *   3. PF_MEMALLOC (reclaim itself, or a dying task): ignore watermarks;
 *   4. atomic allocations fail here; others reclaim directly, then try a `min` pass again;
 *      orders above 3 fail after that, smaller ones yield and start over at 3.
 * Every pass starts `min` at 2^order.
 *
 * This file holds the per-zone step, which the event-driven allocator applies at whichever node
 * owns the zone (the running `min` travels with the request), and a synchronous walk over zones
 * one LP can read itself.
 */
import type { Zone } from './zone.js';

export type AllocPass = 'low' | 'min' | 'memalloc';

export interface AllocFlags {
  /** `__GFP_WAIT` clear: may not sleep, so no reclaim, and a quarter of pages_min. */
  atomic: boolean;
  /** PF_MEMALLOC or PF_MEMDIE: the allocating task is reclaim itself (or dying). */
  memalloc: boolean;
}

/** What a zone adds to the running minimum in a pass. */
export function passReserve(z: Zone, pass: AllocPass, atomic: boolean): number {
  if (pass === 'low') return z.pagesLow;
  if (pass === 'min') return atomic ? z.pagesMin >> 2 : z.pagesMin;
  return 0;
}

/**
 * One zone of a pass: updates the running minimum and says whether to take pages here.
 * `memalloc` takes from any zone that has a block of the order (rmqueue decides).
 */
export function zoneStep(z: Zone, pass: AllocPass, atomic: boolean, runningMin: number): { min: number; take: boolean } {
  const min = runningMin + passReserve(z, pass, atomic);
  return { min, take: pass === 'memalloc' || z.freePages > min };
}

export interface AllocOutcome {
  /** Index in the zonelist of the zone that served the allocation, or −1. */
  zone: number;
  /** Node-local frame index of the first page, or −1. */
  frame: number;
  /** The pass that succeeded ('reclaim': the min pass right after direct reclaim), or the last one tried. */
  pass: AllocPass | 'reclaim';
  /** Zones looked at, over every pass (the kernel's cost: Martin's "too long to find pages"). */
  zonesVisited: number;
  /** True when the allocation woke kswapd (it got past the low pass). */
  wokeKswapd: boolean;
  /** Times direct reclaim ran. */
  reclaims: number;
}

export interface AllocHooks {
  /** Direct reclaim (`balance_classzone` → `try_to_free_pages`): returns pages freed. */
  directReclaim?: () => number;
  /** How many times a small-order allocation may yield and retry before it fails (the kernel loops for ever; the model does not). */
  maxRetries?: number;
}

/** `__alloc_pages` over zones the caller can read directly. */
export function allocPagesSync(zones: readonly Zone[], order: number, flags: AllocFlags, hooks: AllocHooks = {}): AllocOutcome {
  const out: AllocOutcome = { zone: -1, frame: -1, pass: 'low', zonesVisited: 0, wokeKswapd: false, reclaims: 0 };
  const pass = (p: AllocPass): boolean => {
    out.pass = p;
    let min = 1 << order;
    for (let i = 0; i < zones.length; i++) {
      out.zonesVisited++;
      const step = zoneStep(zones[i], p, flags.atomic, min);
      min = step.min;
      if (!step.take) continue;
      const frame = zones[i].rmqueue(order);
      if (frame >= 0) {
        out.zone = i;
        out.frame = frame;
        return true;
      }
    }
    return false;
  };
  if (pass('low')) return out;
  out.wokeKswapd = true;
  if (pass('min')) return out;
  const retries = hooks.maxRetries ?? 3;
  for (let attempt = 0; ; attempt++) {
    if (flags.memalloc) {
      pass('memalloc');
      return out;
    }
    if (flags.atomic) return out;
    out.reclaims++;
    out.pass = 'reclaim';
    hooks.directReclaim?.();
    if (pass('min')) {
      out.pass = 'reclaim';
      return out;
    }
    if (order > 3 || attempt >= retries) return out;
  }
}
