#!/usr/bin/env node
// @ts-check
/**
 * Runs the Herald SMS sink.
 *
 *   node tools/sms-sink/src/main.mjs [--port 9025] [--host 127.0.0.1] [--max-messages 100000]
 *
 * Environment: SMS_SINK_HOST, SMS_SINK_PORT, SMS_SINK_MAX_MESSAGES (flags win).
 * Logs one JSON line per request to stdout; stops cleanly on SIGTERM and SIGINT.
 */
import { parseArgs } from 'node:util';
import { createSmsSink } from './server.mjs';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    'max-messages': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});

if (values.help) {
  process.stdout.write('usage: main.mjs [--port 9025] [--host 127.0.0.1] [--max-messages 100000]\n');
  process.exit(0);
}

/**
 * @param {string | undefined} value
 * @param {string} name
 * @returns {number | undefined}
 */
function intOption(value, name) {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) {
    process.stderr.write(`--${name} must be a non-negative integer, got ${value}\n`);
    process.exit(2);
  }
  return n;
}

const sink = await createSmsSink({
  host: values.host,
  port: intOption(values.port, 'port'),
  maxMessages: intOption(values['max-messages'], 'max-messages'),
});
process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), event: 'listening', url: sink.url, pid: process.pid })}\n`);

let stopping = false;
/** @param {NodeJS.Signals} signal */
async function shutdown(signal) {
  if (stopping) return;
  stopping = true;
  await sink.close();
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), event: 'stopped', signal })}\n`);
  process.exit(0);
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
