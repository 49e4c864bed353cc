/**
 * A line chart as a self-contained SVG: axes with round ticks, one line per series with markers,
 * a legend, and the metric and parameter names as titles. Numeric x values get a linear axis;
 * anything else is spaced evenly in the order given.
 */
export interface PlotSeries {
  name: string;
  points: { x: number | string; y: number }[];
}

export interface PlotSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  series: PlotSeries[];
}

const W = 720;
const H = 440;
const M = { left: 80, right: 170, top: 48, bottom: 64 };
const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Round tick values covering [lo, hi]: steps of 1, 2 or 5 × 10^k. */
export function niceTicks(lo: number, hi: number, target = 6): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [0];
  if (lo === hi) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  const raw = (hi - lo) / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  const out: number[] = [];
  for (let v = Math.floor(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  if (out[out.length - 1] < hi) out.push(Number((out[out.length - 1] + step).toPrecision(12)));
  return out;
}

function fmt(v: number): string {
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e6 || a < 1e-3)) return v.toExponential(1);
  return String(Number(v.toPrecision(6)));
}

export function renderLineChart(spec: PlotSpec): string {
  const numeric = spec.series.every((s) => s.points.every((p) => typeof p.x === 'number'));
  const categories = numeric ? [] : [...new Set(spec.series.flatMap((s) => s.points.map((p) => String(p.x))))];
  const xs = spec.series.flatMap((s) => s.points.map((p) => p.x as number));
  const ys = spec.series.flatMap((s) => s.points.map((p) => p.y)).filter(Number.isFinite);
  const yTicks = niceTicks(Math.min(0, ...ys), ys.length ? Math.max(...ys) : 1);
  const xTicks = numeric ? niceTicks(Math.min(...xs), Math.max(...xs)) : [];
  const [y0, y1] = [yTicks[0], yTicks[yTicks.length - 1]];
  const [x0, x1] = numeric ? [xTicks[0], xTicks[xTicks.length - 1]] : [0, Math.max(1, categories.length - 1)];
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const sx = (x: number | string) => M.left + (((numeric ? (x as number) : categories.indexOf(String(x))) - x0) / (x1 - x0 || 1)) * pw;
  const sy = (y: number) => M.top + ph - ((y - y0) / (y1 - y0 || 1)) * ph;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(`<text x="${M.left + pw / 2}" y="24" text-anchor="middle" font-size="15">${esc(spec.title)}</text>`);
  for (const t of yTicks) {
    const y = sy(t);
    out.push(`<line x1="${M.left}" y1="${y}" x2="${M.left + pw}" y2="${y}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${M.left - 8}" y="${y + 4}" text-anchor="end">${esc(fmt(t))}</text>`);
  }
  const xLabels = numeric ? xTicks.map((t) => [sx(t), fmt(t)] as const) : categories.map((c) => [sx(c), c] as const);
  for (const [x, label] of xLabels) {
    out.push(`<line x1="${x}" y1="${M.top + ph}" x2="${x}" y2="${M.top + ph + 5}" stroke="#333"/>`);
    out.push(`<text x="${x}" y="${M.top + ph + 20}" text-anchor="middle">${esc(label)}</text>`);
  }
  out.push(`<line x1="${M.left}" y1="${M.top + ph}" x2="${M.left + pw}" y2="${M.top + ph}" stroke="#333"/>`);
  out.push(`<line x1="${M.left}" y1="${M.top}" x2="${M.left}" y2="${M.top + ph}" stroke="#333"/>`);
  out.push(`<text x="${M.left + pw / 2}" y="${H - 18}" text-anchor="middle">${esc(spec.xLabel)}</text>`);
  out.push(`<text transform="translate(20 ${M.top + ph / 2}) rotate(-90)" text-anchor="middle">${esc(spec.yLabel)}</text>`);
  spec.series.forEach((s, i) => {
    const colour = COLOURS[i % COLOURS.length];
    const pts = s.points.filter((p) => Number.isFinite(p.y));
    if (pts.length > 1) out.push(`<polyline fill="none" stroke="${colour}" stroke-width="2" points="${pts.map((p) => `${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(' ')}"/>`);
    for (const p of pts) out.push(`<circle cx="${sx(p.x).toFixed(1)}" cy="${sy(p.y).toFixed(1)}" r="3.5" fill="${colour}"><title>${esc(`${s.name}: ${p.x} → ${fmt(p.y)}`)}</title></circle>`);
    const ly = M.top + 10 + i * 20;
    out.push(`<line x1="${W - M.right + 16}" y1="${ly}" x2="${W - M.right + 40}" y2="${ly}" stroke="${colour}" stroke-width="2"/>`);
    out.push(`<text x="${W - M.right + 46}" y="${ly + 4}">${esc(s.name)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
