import { README_END, README_START, markdownTable, renderTables, replaceBetweenMarkers } from './report';
import type { BenchResults } from './results';

describe('replaceBetweenMarkers', () => {
  it('replaces what is between the markers and keeps them', () => {
    const text = `# Title\n\n${README_START}\nold table\n${README_END}\n\nmore`;
    expect(replaceBetweenMarkers(text, 'new table')).toBe(`# Title\n\n${README_START}\nnew table\n${README_END}\n\nmore`);
  });

  it('returns null when a marker is missing or out of order', () => {
    expect(replaceBetweenMarkers('no markers', 'x')).toBeNull();
    expect(replaceBetweenMarkers(`${README_END}\n${README_START}`, 'x')).toBeNull();
  });
});

describe('markdownTable', () => {
  it('pads columns and right-aligns numbers', () => {
    expect(markdownTable(['Name', 'N'], [['a', '1'], ['bbbb', '100']], ['l', 'r'])).toBe(
      ['| Name |   N |', '| ---- | --: |', '| a    |   1 |', '| bbbb | 100 |'].join('\n'),
    );
  });
});

describe('renderTables', () => {
  const results: BenchResults = {
    version: 1,
    started_at: '2026-01-01T10:00:00.000Z',
    finished_at: '2026-01-01T10:10:00.000Z',
    quick: false,
    command: 'npm run bench',
    options: {},
    machine: { cpu: 'Test CPU', cores: 2, memory_gib: 24, os: 'Debian', node: '20', kafka: '4.1.1', postgres: '15', redis: '7', commit: 'abc', note: 'Shared machine.', load_average: { start: 1.5, end: 2 } },
    mix: 'email 100%',
    stages: {
      email: {
        value: 400,
        baseline: 1000,
        ratio: 0.4,
        unit: 'sent/s',
        herald: { process: 'email-worker', rate: 400, items: 8000, window_s: 20, resources: { 'email-worker': { peak_rss_mb: 200, cpu_s: 20, cpu_s_per_1k: 2.5 } } },
        bare: { process: 'bare-email', rate: 1000, items: 20000, window_s: 20, resources: { 'bare-email': { peak_rss_mb: 100, cpu_s: 16, cpu_s_per_1k: 0.8 } } },
        baseline_is: 'nodemailer loop',
      },
    },
    e2e: [],
    e2e_max_sustained_rate: null,
    targets: [{ target: 'email >= 80% of baseline', met: false, detail: '40%' }],
    timeline: {},
    problems: [],
  };

  it('prints the stage row with its ratio, target verdict and resources, and the machine', () => {
    const text = renderTables(results);
    expect(text).toMatch(/\| Email worker[^|]*\| +400 sent\/s \| +1,000 sent\/s \| +40% \| >= 70%: MISSED +\| +2\.5 \/ 0\.8 \| +200 \/ 100 \|/);
    expect(text).toContain('Test CPU (2 cores)');
    expect(text).toContain('Load average (1 min) 1.5 at the start, 2 at the end.');
    expect(text).toContain('Reproduce: `npm run bench`');
  });
});
