/** Server-side rendering of a Vega-Lite spec to SVG, without a browser or a canvas. */
import type { TopLevelSpec } from 'vega-lite';

/** The chart as a standalone SVG document. vega is loaded on first use, not when shared is imported. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const [{ compile }, vega] = await Promise.all([import('vega-lite'), import('vega')]);
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    return svg.endsWith('\n') ? svg : `${svg}\n`;
  } finally {
    view.finalize();
  }
}
