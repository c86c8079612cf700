import { windowFigure } from './resources';

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
