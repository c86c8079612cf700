import { parseStat, windowFigure } from './resources';

describe('parseStat', () => {
  it('reads ppid, CPU ticks and RSS pages, even with spaces and parentheses in the name', () => {
    const fields = ['S', '42', ...Array.from({ length: 9 }, () => '0'), '150', '50', ...Array.from({ length: 8 }, () => '0'), '2048', '0'];
    const stat = parseStat(`1234 (node (worker) 1) ${fields.join(' ')}`);
    expect(stat).toEqual({ pid: 1234, comm: 'node (worker) 1', ppid: 42, cpuTicks: 200, rssPages: 2048 });
  });

  it('returns null for garbage', () => {
    expect(parseStat('nonsense')).toBeNull();
  });
});

describe('windowFigure', () => {
  const samples = [
    { t: 0, cpuS: 0, rssBytes: 0 },
    { t: 100, cpuS: 1, rssBytes: 10 },
    { t: 200, cpuS: 2, rssBytes: 30 },
    { t: 300, cpuS: 4, rssBytes: 20 },
    { t: 400, cpuS: 0, rssBytes: 0 },
  ];

  it('takes the CPU between the window ends and the peak RSS inside', () => {
    expect(windowFigure(samples, 100, 300)).toEqual({ cpuS: 3, peakRssBytes: 30 });
  });

  it('counts a process that started or ended inside the window from its first or to its last sample', () => {
    expect(windowFigure(samples, 0, 400)).toEqual({ cpuS: 3, peakRssBytes: 30 });
  });
});
