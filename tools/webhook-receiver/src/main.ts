#!/usr/bin/env node
/** The receiver as a process: listens, optionally registers itself with Herald, logs each event as a JSON line. */
import { configOrExit } from '@herald/runtime';
import { loadConfig } from './config';
import { startReceiver } from './receiver';
import { registerReceiver } from './register';

async function main(): Promise<void> {
  const config = configOrExit('webhook-receiver', () => loadConfig());
  const receiver = await startReceiver({ port: config.RECEIVER_PORT, host: config.RECEIVER_HOST, secrets: config.RECEIVER_SECRETS });
  process.stdout.write(`${JSON.stringify({ message: 'webhook receiver listening', url: receiver.url, list: `http://${config.RECEIVER_HOST}:${receiver.port}/` })}\n`);
  if (config.HERALD_API_URL) {
    const registration = await registerReceiver({ apiUrl: config.HERALD_API_URL, receiverUrl: receiver.url, ...(config.HERALD_API_KEY ? { apiKey: config.HERALD_API_KEY } : {}) });
    receiver.control({ secrets: [...config.RECEIVER_SECRETS, registration.secret] });
    process.stdout.write(`${JSON.stringify({ message: 'registered with Herald', endpointId: registration.endpointId, created: registration.created })}\n`);
  }
  const stop = () => {
    void receiver.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`webhook-receiver: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
