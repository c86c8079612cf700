/** kafka-bridge entry point: parse the configuration (fail fast), then run. */
import { configOrExit, createLogger } from '@herald/runtime';
import { runBridge } from './bridge';
import { loadConfig } from './config';

const config = configOrExit('kafka-bridge', () => loadConfig());
const logger = createLogger({ service: 'kafka-bridge', level: config.LOG_LEVEL });
runBridge(config, logger).catch((error: unknown) => {
  logger.fatal({ err: error }, 'kafka-bridge failed to start');
  process.exit(1);
});
