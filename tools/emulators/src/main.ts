#!/usr/bin/env node
/**
 * herald-emulator <provider> [--host 127.0.0.1] [--port 0] [--callback-url URL] [--set key=value ...]
 *
 * Starts one provider emulator and prints one JSON line {"provider","url"} once it listens, so a
 * parent process (npm start, the test harness) can read the address. SIGTERM or SIGINT stops it.
 */
import { parseArgs } from 'node:util';
import { createEmulator, EMULATOR_PROVIDERS } from './registry';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '0' },
    'callback-url': { type: 'string' },
    set: { type: 'string', multiple: true, default: [] },
    log: { type: 'boolean', default: false },
  },
});

const provider = positionals[0];
if (!provider) {
  process.stderr.write(`usage: herald-emulator <${EMULATOR_PROVIDERS.join('|')}> [--port N] [--callback-url URL] [--set key=value]\n`);
  process.exit(2);
}
const settings = Object.fromEntries(
  (values.set ?? []).map((pair) => {
    const at = pair.indexOf('=');
    return at < 0 ? [pair, 'true'] : [pair.slice(0, at), pair.slice(at + 1)];
  }),
);
const port = Number(values.port);
const emulator = createEmulator(provider, {
  host: values.host,
  ...(Number.isInteger(port) && port >= 0 ? { port } : {}),
  ...(values['callback-url'] ? { callbackUrl: values['callback-url'] } : {}),
  settings,
  logger: values.log ?? false,
});
const stop = () => {
  void emulator.close().then(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
emulator.start().then(
  (url) => process.stdout.write(`${JSON.stringify({ provider, url })}\n`),
  (error: unknown) => {
    process.stderr.write(`herald-emulator ${provider}: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
