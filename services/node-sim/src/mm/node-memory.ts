/**
 * One node's memory (`pg_data_t`): its mem_map, its zones with their buddy allocators, and one
 * pair of LRU lists per zone. Owned by the node's LP; other nodes reach it through events.
 *
 * Follows Linux 2.4 include/linux/mmzone.h. Simplified: the 2.4 variant's single global LRU pair
 * is kept per zone here (the lock that guards it stays global, which is what lock statistics
 * measure); see lru.ts.
 */
import { invariant } from '../errors.js';
import type { NodeMemory as NodeMemoryMap } from '../machine/memory-map.js';
import { LruLists } from './lru.js';
import { PageFrames, PG_lru } from './page-frames.js';
import { Zone, type ZoneType } from './zone.js';

export class NodeMemory {
  readonly frames: PageFrames;
  readonly zones: Zone[];
  readonly lru: LruLists[];
  /** Zone index by zone type, −1 where the node has no such zone. */
  readonly zoneOfType = new Int32Array(3).fill(-1);

  constructor(readonly map: NodeMemoryMap) {
    this.frames = new PageFrames(map.startPfn, map.pages);
    this.zones = map.zones.map((z) => new Zone(this.frames, map.node, z.type, z.start, z.pages));
    this.lru = this.zones.map(() => new LruLists(this.frames));
    this.zones.forEach((z, i) => (this.zoneOfType[z.type] = i));
  }

  get node(): number {
    return this.map.node;
  }

  hasZone(type: ZoneType): boolean {
    return this.zoneOfType[type] >= 0;
  }

  zone(type: ZoneType): Zone {
    const i = this.zoneOfType[type];
    invariant(i >= 0, `node ${this.node} has no ${type} zone`);
    return this.zones[i];
  }

  /** Index (in `zones`) of the zone holding node-local frame `frame`. */
  zoneIndexOfFrame(frame: number): number {
    for (let i = 0; i < this.zones.length; i++) {
      const z = this.zones[i];
      if (frame >= z.start && frame < z.start + z.pages) return i;
    }
    invariant(false, `frame ${frame} of node ${this.node} is in no zone`);
  }

  /** An order-0 page from the zone of `type`: node-local frame, or −1. */
  rmqueue(type: ZoneType): number {
    return this.zone(type).rmqueue(0);
  }

  free(frame: number): void {
    const z = this.zones[this.zoneIndexOfFrame(frame)];
    z.freePagesOk(frame, 0);
  }

  lruAdd(frame: number): void {
    this.lru[this.zoneIndexOfFrame(frame)].add(frame);
  }

  lruDel(frame: number): void {
    if (this.frames.flags[frame] & PG_lru) this.lru[this.zoneIndexOfFrame(frame)].del(frame);
  }

  checkInvariants(): void {
    let onLists = 0;
    this.zones.forEach((z, i) => {
      z.checkInvariants();
      this.lru[i].checkInvariants(`${z.name} LRU of node ${this.node}`);
      onLists += this.lru[i].nrActive + this.lru[i].nrInactive;
    });
    let flagged = 0;
    for (let i = 0; i < this.frames.count; i++) if (this.frames.flags[i] & PG_lru) flagged++;
    invariant(flagged === onLists, `node ${this.node}: ${flagged} frames say PG_lru, the lists hold ${onLists}: a page is on more than one list or on none`);
  }
}
