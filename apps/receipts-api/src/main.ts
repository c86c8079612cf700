/** receipts-api entry point: parse the configuration (fail fast), then serve provider callbacks. */
import { ConfigError, configOrExit } from '@herald/runtime';
import { loadConfig } from './config';
import { runServer } from './server';

const config = configOrExit('receipts-api', () => loadConfig());
runServer(config).catch((error: unknown) => {
  // A provider's settings that only its receipt source can check (e.g. a missing key) arrive as a ConfigError here.
  const text = error instanceof ConfigError ? `receipts-api: ${error.message}` : `receipts-api failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
  process.stderr.write(`${text}\n`);
  process.exit(1);
});
