import { Health, isReady, publicReport } from './health';

const ok = async () => undefined;
const down = async () => {
  throw new Error('connection refused');
};

describe('Health readiness', () => {
  it('is ready when every check passes', async () => {
    const health = new Health();
    health.addReadinessCheck('kafka', ok);
    const report = await health.readiness();
    expect(report.status).toBe('ready');
    expect(isReady(report)).toBe(true);
  });

  it('is not ready when a critical check fails, naming the error', async () => {
    const health = new Health();
    health.addReadinessCheck('kafka', down);
    const report = await health.readiness();
    expect(report).toMatchObject({ status: 'not ready', checks: { kafka: { ok: false, error: 'connection refused' } } });
    expect(isReady(report)).toBe(false);
  });

  it('is degraded but ready when only a non-critical check fails', async () => {
    const health = new Health();
    health.addReadinessCheck('kafka', ok);
    health.addReadinessCheck('database', down, { critical: false });
    const report = await health.readiness();
    expect(report.status).toBe('degraded');
    expect(isReady(report)).toBe(true);
  });

  it('times out a check that hangs', async () => {
    const health = new Health(20);
    health.addReadinessCheck('slow', () => new Promise(() => undefined));
    expect((await health.readiness()).checks['slow']).toMatchObject({ ok: false, error: 'timed out after 20 ms' });
  });

  it('shows probes and clients the failing dependency by name, never its error text, and logs the error', async () => {
    const logged: object[] = [];
    const health = new Health(2_000, { warn: (obj) => void logged.push(obj), info: () => undefined });
    health.addReadinessCheck('database', async () => {
      throw new Error('connect ECONNREFUSED 10.0.3.7:5432');
    });
    const shown = JSON.stringify(publicReport(await health.readiness()));
    expect(shown).toContain('"database":{"ok":false');
    expect(shown).not.toContain('10.0.3.7');
    expect(logged).toEqual([expect.objectContaining({ check: 'database', error: 'connect ECONNREFUSED 10.0.3.7:5432' })]);
  });

  it('is not ready while draining', async () => {
    const health = new Health();
    health.addReadinessCheck('kafka', ok);
    health.setDraining();
    expect(isReady(await health.readiness())).toBe(false);
  });
});
