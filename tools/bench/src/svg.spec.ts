import { escapeXml, logTicks, niceTicks, renderPlot } from './svg';

describe('ticks', () => {
  it('picks round steps that cover the whole range', () => {
    expect(niceTicks(0, 100, 5)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(niceTicks(0, 7, 5)).toEqual([0, 2, 4, 6, 8]);
    expect(niceTicks(0, 1365, 5)).toEqual([0, 500, 1000, 1500]);
    expect(niceTicks(3, 9, 3)).toEqual([2, 4, 6, 8, 10]);
    expect(niceTicks(5, 5)).toEqual([5]);
  });

  it('spans powers of ten on log axes', () => {
    expect(logTicks(3, 2500)).toEqual([1, 10, 100, 1000, 10000]);
  });
});

describe('renderPlot', () => {
  const svg = renderPlot({
    title: 'Herald <bench> & co',
    subtitle: 'test',
    panels: [
      { kind: 'line', title: 'latency', xLabel: 's', yLabel: 'ms', log: true, series: [{ label: '500/s p99', color: '#f00', points: [[0, 10], [1, 100], [2, 0]] }] },
      { kind: 'line', title: 'empty', xLabel: 's', yLabel: 'x', series: [] },
      { kind: 'bars', title: 'stages', groups: [{ label: 'email', bars: [{ label: 'Herald', value: 50, color: '#00f', text: '50 sent/s' }, { label: 'bare', value: 100, color: '#999', text: '100 sent/s' }] }] },
    ],
  });

  it('is a standalone SVG document with escaped text', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('Herald &lt;bench&gt; &amp; co');
    expect(svg).not.toContain('<bench>');
  });

  it('draws each series (dropping points a log axis cannot show) and each bar to scale', () => {
    const line = /<polyline points="([^"]+)"/.exec(svg)?.[1] ?? '';
    expect(line.split(' ')).toHaveLength(2);
    expect(svg).toContain('no data');
    const widths = [...svg.matchAll(/<rect x="[\d.]+" y="[\d.]+" width="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(widths).toHaveLength(2);
    expect((widths[0] as number) / (widths[1] as number)).toBeCloseTo(0.5, 2);
  });

  it('escapes the five XML specials it meets', () => {
    expect(escapeXml(`a<b>&"c"`)).toBe('a&lt;b&gt;&amp;&quot;c&quot;');
  });
});
