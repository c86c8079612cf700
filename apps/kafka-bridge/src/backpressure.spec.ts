import { pino } from 'pino';
import { Backpressure } from './backpressure';

function setup(levels: number[]) {
  const calls: string[] = [];
  let i = 0;
  const bp = new Backpressure({
    high: 100,
    low: 50,
    intervalMs: 10,
    measure: async () => levels[Math.min(i++, levels.length - 1)] ?? 0,
    pause: () => calls.push('pause'),
    resume: () => calls.push('resume'),
    logger: pino({ level: 'silent' }),
  });
  return { bp, calls };
}

describe('Backpressure', () => {
  it('pauses at the high watermark and resumes only below the low one (hysteresis)', async () => {
    const { bp, calls } = setup([10, 100, 120, 80, 60, 50, 70, 99, 100]);
    const states: boolean[] = [];
    for (let n = 0; n < 9; n += 1) {
      await bp.check();
      states.push(bp.isPaused);
    }
    expect(states).toEqual([false, true, true, true, true, false, false, false, true]);
    expect(calls).toEqual(['pause', 'resume', 'pause']);
  });

  it('keeps its state when the backlog cannot be measured', async () => {
    const calls: string[] = [];
    const bp = new Backpressure({
      high: 2,
      low: 1,
      intervalMs: 10,
      measure: async () => {
        throw new Error('Redis is down');
      },
      pause: () => calls.push('pause'),
      resume: () => calls.push('resume'),
      logger: pino({ level: 'silent' }),
    });
    await bp.check();
    expect(bp.isPaused).toBe(false);
    expect(calls).toEqual([]);
  });

  it('refuses watermarks that leave no room between them', () => {
    expect(() => setup([]).bp && new Backpressure({ high: 5, low: 5, intervalMs: 1, measure: async () => 0, pause: () => undefined, resume: () => undefined, logger: pino({ level: 'silent' }) })).toThrow(
      'the low watermark must be below the high one',
    );
  });
});
