/** Trying again in the background while a dependency is away. */
/**
 * Runs `attempt` until it succeeds, waiting 500 ms after the first failure and doubling up to
 * 10 s, without holding up the caller (a service starts while a dependency is away and says so
 * through readiness). Stops trying once `stopped()` is true. The timers do not keep the process up.
 */
export function retryInBackground(attempt: () => Promise<void>, handlers: { stopped: () => boolean; onSuccess: () => void; onError: (error: unknown, retryInMs: number) => void }): void {
  let delay = 500;
  const run = () => {
    if (handlers.stopped()) return;
    attempt().then(handlers.onSuccess, (error: unknown) => {
      handlers.onError(error, delay);
      setTimeout(run, delay).unref();
      delay = Math.min(delay * 2, 10_000);
    });
  };
  run();
}
