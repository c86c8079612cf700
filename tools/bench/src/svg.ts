/**
 * The plot, written by hand as SVG (no plotting dependency): panels stacked vertically, each a
 * line chart (linear or log y axis) or a group of horizontal bars. Pure: data in, markup out.
 */

export interface Series {
  label: string;
  color: string;
  dashed?: boolean;
  points: ReadonlyArray<readonly [number, number]>;
}

export interface LinePanel {
  kind: 'line';
  title: string;
  xLabel: string;
  yLabel: string;
  log?: boolean;
  series: readonly Series[];
}

export interface Bar {
  label: string;
  value: number;
  color: string;
  /** Printed after the bar (e.g. "2,310 req/s"). */
  text: string;
}

export interface BarPanel {
  kind: 'bars';
  title: string;
  /** Each group is scaled to its own largest bar (groups have different units). */
  groups: ReadonlyArray<{ label: string; bars: readonly Bar[] }>;
}

export type Panel = LinePanel | BarPanel;

export const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];

const WIDTH = 960;
const MARGIN = { left: 80, right: 170, top: 46, bottom: 44 };
const LINE_HEIGHT = 280;

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const fmt = (v: number): string => {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 10_000) return `${Math.round(v / 1000)}k`;
  if (a >= 1000) return `${(v / 1000).toFixed(1).replace(/\.0$/, '')}k`;
  if (a >= 10) return String(Math.round(v));
  if (a >= 1) return v.toFixed(1).replace(/\.0$/, '');
  return v.toPrecision(2);
};

/** About `count` round tick values, the first at or below min and the last at or above max (no data is clipped). */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [0];
  if (max <= min) return [min];
  const rough = (max - min) / Math.max(1, count);
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= rough) ?? rough;
  const ticks: number[] = [];
  for (let v = Math.floor(min / step + 1e-9) * step; ; v += step) {
    ticks.push(Number(v.toPrecision(12)));
    if (v >= max - step * 1e-9) break;
  }
  return ticks;
}

/** Powers of ten covering [min, max] (log axes). */
export function logTicks(min: number, max: number): number[] {
  const lo = Math.floor(Math.log10(Math.max(min, 1e-3)));
  const hi = Math.ceil(Math.log10(Math.max(max, min, 1e-3)));
  const ticks: number[] = [];
  for (let e = lo; e <= Math.max(hi, lo + 1); e += 1) ticks.push(10 ** e);
  return ticks;
}

function linePanel(panel: LinePanel, top: number): string {
  const x0 = MARGIN.left;
  const x1 = WIDTH - MARGIN.right;
  const y0 = top + MARGIN.top;
  const y1 = top + LINE_HEIGHT - MARGIN.bottom;
  const points = panel.series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!panel.log || y > 0));
  const out: string[] = [`<text x="${x0}" y="${top + 20}" class="title">${escapeXml(panel.title)}</text>`];
  if (points.length === 0) {
    out.push(`<text x="${(x0 + x1) / 2}" y="${(y0 + y1) / 2}" text-anchor="middle" class="note">no data</text>`);
    return out.join('\n');
  }
  const xs = points.map(([x]) => x);
  const ys = points.map(([, y]) => y);
  const xTicks = niceTicks(Math.min(0, ...xs), Math.max(...xs), 8);
  const xMin = xTicks[0] as number;
  const xMax = Math.max(xTicks[xTicks.length - 1] as number, xMin + 1);
  const yTicks = panel.log ? logTicks(Math.min(...ys), Math.max(...ys)) : niceTicks(0, Math.max(...ys) * 1.05, 5);
  const yMin = panel.log ? (yTicks[0] as number) : 0;
  const yMax = Math.max(yTicks[yTicks.length - 1] as number, yMin * 10, 1e-9);
  const sx = (x: number) => x0 + ((x - xMin) / (xMax - xMin)) * (x1 - x0);
  const sy = (y: number) =>
    panel.log ? y1 - ((Math.log10(y) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin))) * (y1 - y0) : y1 - ((y - yMin) / (yMax - yMin)) * (y1 - y0);

  for (const t of yTicks) {
    const y = sy(t).toFixed(1);
    out.push(`<line x1="${x0}" y1="${y}" x2="${x1}" y2="${y}" class="grid"/>`, `<text x="${x0 - 6}" y="${y}" dy="4" text-anchor="end" class="tick">${fmt(t)}</text>`);
  }
  for (const t of xTicks) {
    const x = sx(t).toFixed(1);
    out.push(`<line x1="${x}" y1="${y1}" x2="${x}" y2="${y1 + 4}" class="axis"/>`, `<text x="${x}" y="${y1 + 17}" text-anchor="middle" class="tick">${fmt(t)}</text>`);
  }
  out.push(
    `<line x1="${x0}" y1="${y1}" x2="${x1}" y2="${y1}" class="axis"/>`,
    `<line x1="${x0}" y1="${y0}" x2="${x0}" y2="${y1}" class="axis"/>`,
    `<text x="${(x0 + x1) / 2}" y="${y1 + 34}" text-anchor="middle" class="label">${escapeXml(panel.xLabel)}</text>`,
    `<text transform="translate(${x0 - 56},${(y0 + y1) / 2}) rotate(-90)" text-anchor="middle" class="label">${escapeXml(panel.yLabel)}${panel.log ? ' (log)' : ''}</text>`,
  );
  // Legend entries share the plot's height: closer together when there are many rates.
  const legendStep = Math.min(16, (y1 - y0) / Math.max(1, panel.series.length));
  panel.series.forEach((s, i) => {
    const pts = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!panel.log || y > 0));
    if (pts.length) {
      const d = pts.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ');
      out.push(`<polyline points="${d}" fill="none" stroke="${s.color}" stroke-width="1.6"${s.dashed ? ' stroke-dasharray="5 3"' : ''}/>`);
    }
    const ly = y0 + 4 + i * legendStep;
    out.push(
      `<line x1="${x1 + 12}" y1="${ly}" x2="${x1 + 34}" y2="${ly}" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 3"' : ''}/>`,
      `<text x="${x1 + 40}" y="${ly}" dy="4" class="legend">${escapeXml(s.label)}</text>`,
    );
  });
  return out.join('\n');
}

function barPanelHeight(panel: BarPanel): number {
  return MARGIN.top + 20 + panel.groups.reduce((h, g) => h + 18 + g.bars.length * 20 + 10, 0);
}

function barPanel(panel: BarPanel, top: number): string {
  const x0 = MARGIN.left + 60;
  const x1 = WIDTH - MARGIN.right;
  const out: string[] = [`<text x="${MARGIN.left}" y="${top + 20}" class="title">${escapeXml(panel.title)}</text>`];
  let y = top + MARGIN.top + 8;
  for (const group of panel.groups) {
    const max = Math.max(...group.bars.map((b) => b.value), 1e-9);
    out.push(`<text x="${MARGIN.left}" y="${y + 4}" class="label">${escapeXml(group.label)}</text>`);
    y += 12;
    for (const bar of group.bars) {
      const w = Math.max(1, (Math.max(0, bar.value) / max) * (x1 - x0));
      out.push(
        `<text x="${x0 - 6}" y="${y + 11}" text-anchor="end" class="tick">${escapeXml(bar.label)}</text>`,
        `<rect x="${x0}" y="${y}" width="${w.toFixed(1)}" height="15" fill="${bar.color}"/>`,
        `<text x="${(x0 + w + 6).toFixed(1)}" y="${y + 11}" class="tick">${escapeXml(bar.text)}</text>`,
      );
      y += 20;
    }
    y += 16;
  }
  return out.join('\n');
}

/** The whole figure: a title line, then each panel below the previous one. */
export function renderPlot(options: { title: string; subtitle?: string; panels: readonly Panel[] }): string {
  const heights = options.panels.map((p) => (p.kind === 'line' ? LINE_HEIGHT : barPanelHeight(p)));
  const header = options.subtitle ? 56 : 40;
  const height = header + heights.reduce((s, h) => s + h, 0) + 10;
  const body: string[] = [];
  let top = header;
  options.panels.forEach((panel, i) => {
    body.push(`<g class="panel">`, panel.kind === 'line' ? linePanel(panel, top) : barPanel(panel, top), `</g>`);
    top += heights[i] as number;
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="Helvetica, Arial, sans-serif">`,
    '<style>.title{font-size:14px;font-weight:bold}.label{font-size:12px}.tick{font-size:11px;fill:#333}.legend{font-size:11px}.note{font-size:12px;fill:#888}.grid{stroke:#e5e5e5}.axis{stroke:#444}</style>',
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${MARGIN.left}" y="24" font-size="16" font-weight="bold">${escapeXml(options.title)}</text>`,
    ...(options.subtitle ? [`<text x="${MARGIN.left}" y="42" class="label">${escapeXml(options.subtitle)}</text>`] : []),
    ...body,
    '</svg>',
    '',
  ].join('\n');
}
