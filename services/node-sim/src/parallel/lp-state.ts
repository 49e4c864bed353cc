/**
 * Moving an LP's state from the thread that ran it to the thread that writes the report.
 *
 * Every thread builds the whole model with the same constructor code, so every LP object exists
 * everywhere with the same shape; only the owner's copy has run. `captureLp` walks the owner's LP
 * (own properties, typed arrays, arrays, Maps, Sets, nested objects) into plain structured-clone
 * data, and `restoreLp` writes it into the same LP of another copy of the model, in place: objects
 * keep their prototypes and their aliasing (an Rng shared by an LP and its lock home stays one
 * object), and a field is written only when its value differs (so read-only configuration,
 * frozen or not, is never touched).
 *
 * What is not the LP's own is skipped: the kernel, and every object reachable from two or more
 * LPs (the workload's configuration, topology, lock registry, zonelists…). By the engine's LP rule
 * an LP changes only its own state, so anything two LPs reach is read-only during a run. The
 * byte-identical tests (test/parallel*.test.ts) are what proves a model keeps to that rule.
 */
import { Kernel } from '../engine/kernel.js';

/** Marks a captured Map or Set (structured clone keeps them, but restoring in place needs the entries). */
const MAP = '\u0000map';
const SET = '\u0000set';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is object => typeof v === 'object' && v !== null;

function children(o: object): unknown[] {
  if (ArrayBuffer.isView(o)) return [];
  if (o instanceof Map) return [...o.keys(), ...o.values()];
  if (o instanceof Set) return [...o];
  if (Array.isArray(o)) return o;
  return Object.values(o);
}

/**
 * The objects at least two of `lps` reach (and, to keep the walk short, what only they lead to),
 * not counting the kernel. Computed identically in every thread from the identically built model.
 */
export function sharedObjects(lps: readonly object[]): Set<object> {
  const owner = new Map<object, number>();
  const shared = new Set<object>();
  lps.forEach((root, i) => {
    const stack: object[] = [root];
    while (stack.length > 0) {
      const o = stack.pop()!;
      if (o instanceof Kernel) continue;
      const seen = owner.get(o);
      if (seen !== undefined) {
        if (seen !== i) shared.add(o);
        continue;
      }
      owner.set(o, i);
      for (const c of children(o)) if (isObj(c)) stack.push(c);
    }
  });
  return shared;
}

/** The LP's own state as structured-clone data. */
export function captureLp(lp: object, shared: Set<object>): unknown {
  const memo = new Map<object, unknown>();
  const cap = (v: unknown): unknown => {
    if (typeof v === 'function') return undefined;
    if (!isObj(v)) return v;
    if (v instanceof Kernel || shared.has(v)) return undefined;
    const done = memo.get(v);
    if (done !== undefined) return done;
    if (ArrayBuffer.isView(v)) {
      const copy = (v as unknown as Float64Array).slice();
      memo.set(v, copy);
      return copy;
    }
    if (Array.isArray(v)) {
      const out: unknown[] = [];
      memo.set(v, out);
      for (const x of v) out.push(cap(x));
      return out;
    }
    const out: Obj = {};
    memo.set(v, out);
    if (v instanceof Map) out[MAP] = [...v].map(([k, x]) => [cap(k), cap(x)]);
    else if (v instanceof Set) out[SET] = [...v].map(cap);
    else for (const [k, x] of Object.entries(v)) if (typeof x !== 'function') out[k] = cap(x);
    return out;
  };
  return cap(lp);
}

/** Writes captured state into the same LP of another copy of the model. */
export function restoreLp(lp: object, state: unknown, shared: Set<object>): void {
  const visited = new Set<object>();
  // Returns the value the slot should hold: the current object updated in place when it can be.
  const merge = (cur: unknown, v: unknown): unknown => {
    if (v === undefined && isObj(cur)) return cur; // skipped at capture: shared, the kernel, a function
    if (!isObj(v) || !isObj(cur)) return v;
    if (cur instanceof Kernel || shared.has(cur) || visited.has(cur)) return cur;
    if (ArrayBuffer.isView(v)) {
      const c = cur as unknown as Float64Array;
      if (!ArrayBuffer.isView(cur) || cur.constructor !== v.constructor || c.length !== (v as unknown as Float64Array).length) return v;
      visited.add(cur);
      c.set(v as unknown as Float64Array);
      return cur;
    }
    visited.add(cur);
    if (Array.isArray(v)) {
      if (!Array.isArray(cur)) return v;
      if (cur.length !== v.length) cur.length = v.length;
      for (let i = 0; i < v.length; i++) {
        const next = merge(cur[i], v[i]);
        if (!Object.is(next, cur[i])) cur[i] = next;
      }
      return cur;
    }
    const o = v as Obj;
    if (o[MAP] !== undefined && cur instanceof Map) {
      cur.clear();
      for (const [k, x] of o[MAP] as [unknown, unknown][]) cur.set(k, x);
      return cur;
    }
    if (o[SET] !== undefined && cur instanceof Set) {
      cur.clear();
      for (const x of o[SET] as unknown[]) cur.add(x);
      return cur;
    }
    const target = cur as Obj;
    for (const k of Object.keys(o)) {
      const next = merge(target[k], o[k]);
      if (!Object.is(next, target[k])) target[k] = next;
    }
    return cur;
  };
  merge(lp, state);
}
