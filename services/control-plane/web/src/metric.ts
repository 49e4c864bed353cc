/**
 * A number from a report by the paths the API's compare takes: `locks.<name>.<field>` picks the
 * lock named <name> (names may contain dots), anything else walks objects and array indexes.
 */
export function metricValue(report: unknown, path: string): number | undefined {
  const segs = path.split('.');
  let cur: unknown = report;
  for (let i = 0; i < segs.length; i++) {
    if (cur === null || typeof cur !== 'object') return undefined;
    const locks = (cur as { locks?: { name: string }[] }).locks;
    if (segs[i] === 'locks' && Array.isArray(locks)) {
      let j = segs.length - 1;
      while (j > i && !locks.some((l) => l.name === segs.slice(i + 1, j + 1).join('.'))) j--;
      if (j === i) return undefined;
      const name = segs.slice(i + 1, j + 1).join('.');
      cur = locks.find((l) => l.name === name);
      i = j;
      continue;
    }
    cur = (cur as Record<string, unknown>)[segs[i]];
  }
  return typeof cur === 'number' ? cur : undefined;
}
