/** A tiny element builder and number formats: the page needs no framework. */

type Child = Node | string | number | null | undefined | false;
type Children = Child | Children[];
type Attrs = Record<string, string | number | boolean | null | undefined | ((ev: Event) => void)>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Children[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, ''), v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

export function append(el: Element, children: Children[]): void {
  for (const c of children.flat(Infinity as 1) as Child[]) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
}

export function clear(el: Element): void {
  while (el.firstChild) el.firstChild.remove();
}

const grouped = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

/** Numbers as a table shows them: grouped digits, at most two decimals. */
export function num(v: unknown): string {
  if (typeof v !== 'number') return v === null || v === undefined ? '–' : String(v);
  if (!Number.isFinite(v)) return String(v);
  if (v !== 0 && Math.abs(v) < 0.01) return v.toPrecision(2);
  return grouped.format(v);
}

/** Simulated nanoseconds in the unit a reader expects (ns, µs, ms, s). */
export function ns(v: unknown): string {
  if (typeof v !== 'number') return '–';
  const a = Math.abs(v);
  if (a >= 1e9) return `${grouped.format(v / 1e9)} s`;
  if (a >= 1e6) return `${grouped.format(v / 1e6)} ms`;
  if (a >= 1e3) return `${grouped.format(v / 1e3)} µs`;
  return `${grouped.format(v)} ns`;
}

export function when(iso: string | null | undefined): string {
  if (!iso) return '–';
  return iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

/** A short error line for the page: the API's message (it names the field), never a stack. */
export function errorBox(message: string): HTMLElement {
  return h('p', { class: 'error', role: 'alert' }, message);
}
