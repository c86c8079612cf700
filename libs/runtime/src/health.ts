/**
 * Liveness and readiness. Liveness says only that the process is running and not wedged (it
 * never checks a dependency, so a database outage does not get pods restarted). Readiness runs
 * every registered dependency check with a timeout and turns false while draining. A check that
 * is not critical (the process can still do its main job without it) makes the report
 * "degraded" but still ready: taking pods out of service would not help.
 */
export type ReadinessCheck = () => Promise<void>;

export interface CheckResult {
  ok: boolean;
  ms: number;
  error?: string;
}

export interface ReadinessReport {
  status: 'ready' | 'degraded' | 'not ready' | 'draining';
  checks: Record<string, CheckResult>;
}

/** What a probe or a client may see: each dependency's name, whether it answered and how fast, never its error text (addresses, hosts). */
export interface PublicReadinessReport {
  status: ReadinessReport['status'];
  checks: Record<string, { ok: boolean; ms: number }>;
}

export function publicReport(report: ReadinessReport): PublicReadinessReport {
  return { status: report.status, checks: Object.fromEntries(Object.entries(report.checks).map(([name, r]) => [name, { ok: r.ok, ms: r.ms }])) };
}

/** Where failing checks are reported (the process's logger). */
export interface HealthLog {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

/** Whether a readiness report should answer 200 (ready or degraded) or 503. */
export function isReady(report: ReadinessReport): boolean {
  return report.status === 'ready' || report.status === 'degraded';
}

export class Health {
  private readonly checks = new Map<string, { check: ReadinessCheck; critical: boolean }>();
  private draining = false;
  /** Per check: whether it failed last time, and when that was last logged. */
  private readonly failing = new Map<string, number>();

  constructor(
    private readonly timeoutMs = 2_000,
    private readonly log?: HealthLog,
  ) {}

  addReadinessCheck(name: string, check: ReadinessCheck, options: { critical?: boolean } = {}): void {
    this.checks.set(name, { check, critical: options.critical ?? true });
  }

  setDraining(): void {
    this.draining = true;
  }

  async readiness(): Promise<ReadinessReport> {
    const entries = await Promise.all(
      [...this.checks].map(async ([name, { check, critical }]) => [name, await this.run(check), critical] as const),
    );
    for (const [name, result] of entries) this.remember(name, result);
    const checks = Object.fromEntries(entries.map(([name, result]) => [name, result]));
    if (this.draining) return { status: 'draining', checks };
    if (entries.some(([, r, critical]) => critical && !r.ok)) return { status: 'not ready', checks };
    return { status: entries.every(([, r]) => r.ok) ? 'ready' : 'degraded', checks };
  }

  /** Logs a check that starts failing (and again once a minute while it fails) and one that recovers. */
  private remember(name: string, result: CheckResult): void {
    const since = this.failing.get(name);
    if (!result.ok) {
      if (since === undefined || Date.now() - since >= 60_000) {
        this.log?.warn({ check: name, error: result.error, ms: result.ms }, 'readiness check failing');
        this.failing.set(name, Date.now());
      }
    } else if (since !== undefined) {
      this.failing.delete(name);
      this.log?.info({ check: name }, 'readiness check passing again');
    }
  }

  private async run(check: ReadinessCheck): Promise<CheckResult> {
    const t0 = Date.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        check(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`timed out after ${this.timeoutMs} ms`)), this.timeoutMs);
        }),
      ]);
      return { ok: true, ms: Date.now() - t0 };
    } catch (error) {
      return { ok: false, ms: Date.now() - t0, error: error instanceof Error ? error.message : String(error) };
    } finally {
      clearTimeout(timer);
    }
  }
}
