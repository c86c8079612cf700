/**
 * ingest-api entry point. With WEB_CONCURRENCY > 1 this process is the cluster primary: it
 * supervises WEB_CONCURRENCY worker processes that share the port. With 1 it serves directly
 * (the usual choice in Kubernetes, where pods are the unit of scaling).
 */
import cluster from 'node:cluster';
import { configOrExit, createLogger } from '@herald/runtime';
import { Supervisor } from './cluster/supervisor';
import { loadConfig, type IngestConfig } from './config';
import { runServer } from './server';

function runPrimary(cfg: IngestConfig): void {
  const logger = createLogger({ service: 'ingest-api', level: cfg.LOG_LEVEL }).child({ role: 'primary' });
  const supervisor = new Supervisor({
    cluster: { fork: (env) => cluster.fork(env) },
    size: cfg.WEB_CONCURRENCY,
    logger,
    initialBackoffMs: cfg.RESTART_BACKOFF_MS,
    maxRestarts: cfg.CRASH_LOOP_RESTARTS,
    windowMs: cfg.CRASH_LOOP_WINDOW_MS,
    graceMs: cfg.SHUTDOWN_GRACE_MS,
  });
  supervisor.on('all-gave-up', () => process.exit(1));
  const stop = (signal: NodeJS.Signals) => {
    logger.info({ signal }, 'draining workers');
    void supervisor.stop().then(() => {
      logger.info('all workers stopped');
      process.exit(0);
    });
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  logger.info({ workers: cfg.WEB_CONCURRENCY, port: cfg.PORT }, 'cluster primary starting workers');
  supervisor.start();
}

const cfg = configOrExit('ingest-api', () => loadConfig());
if (cluster.isPrimary && cfg.WEB_CONCURRENCY > 1) {
  runPrimary(cfg);
} else {
  runServer(cfg).catch((error: unknown) => {
    process.stderr.write(`ingest-api failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
