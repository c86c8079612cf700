import { isAlive, parseStat, processCommandLine, readAllStats, readStat } from './proc';

describe('parseStat', () => {
  it('reads state, ppid, group, CPU ticks and RSS pages, even with spaces and parentheses in the name', () => {
    const fields = ['S', '42', ...Array.from({ length: 9 }, () => '0'), '150', '50', ...Array.from({ length: 8 }, () => '0'), '2048', '0'];
    const stat = parseStat(`1234 (node (worker) 1) ${fields.join(' ')}`);
    expect(stat).toEqual({ pid: 1234, comm: 'node (worker) 1', state: 'S', ppid: 42, pgrp: 0, cpuTicks: 200, rssPages: 2048 });
  });

  it('returns null for garbage', () => {
    expect(parseStat('nonsense')).toBeNull();
  });
});

describe('this process in /proc', () => {
  it('is alive and has its command line', () => {
    const stat = readStat(process.pid);
    expect(stat).toMatchObject({ pid: process.pid, ppid: process.ppid });
    expect(isAlive(process.pid)).toBe(true);
    expect(processCommandLine(process.pid)).toContain(process.argv[1] ?? 'node');
    expect(readAllStats().get(process.pid)?.comm).toBe(stat?.comm);
  });

  it('says a pid that is not running is not alive', () => {
    expect(isAlive(2 ** 22 + 1)).toBe(false);
    expect(readStat(2 ** 22 + 1)).toBeNull();
  });
});
