#!/usr/bin/env node
// @ts-check
/**
 * A Kafka broker of one's own (failure tests restart one without disturbing the shared broker):
 *   node tools/platform/src/kafka-cli.mjs start --port P --controller-port C
 *   node tools/platform/src/kafka-cli.mjs stop  --port P [--kill]
 *   node tools/platform/src/kafka-cli.mjs purge --port P      (stop, then delete its data)
 */
import { rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { kafkaDir, kafkaService } from './kafka.mjs';

const { positionals, values } = parseArgs({ allowPositionals: true, options: { port: { type: 'string' }, 'controller-port': { type: 'string' }, kill: { type: 'boolean', default: false } } });
const command = positionals[0] ?? '';
const port = Number(values.port);
const controllerPort = Number(values['controller-port']);
if (!port || !['start', 'stop', 'purge'].includes(command) || (command === 'start' && !controllerPort)) {
  console.error('usage: kafka-cli.mjs start|stop|purge --port P [--controller-port C (for start)] [--kill]');
  process.exit(2);
}
try {
  if (command === 'start') console.log((await kafkaService({ port, controllerPort }).up({ log: () => undefined, createTopics: false })).line);
  // --kill: SIGKILL at once (a crash); else a clean shutdown.
  else console.log(await kafkaService({ port, controllerPort }).down(values.kill ? { graceMs: 0 } : {}));
  if (command === 'purge') rmSync(kafkaDir(port), { recursive: true, force: true });
  process.exit(0);
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
