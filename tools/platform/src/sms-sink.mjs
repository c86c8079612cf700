// @ts-check
/** The Herald SMS sink (tools/sms-sink; its HTTP API in tools/sms-sink/src/server.mjs) on 127.0.0.1:9025. */
import path from 'node:path';
import { httpGet, isPortOpen } from '@herald/process';
import { daemonService } from './daemon.mjs';
import { repoRoot } from './paths.mjs';

const port = 9025;
export const smsSink = daemonService({
  name: 'sms-sink',
  port,
  scheme: 'http',
  match: 'sms-sink',
  answers: async () => {
    const res = await httpGet(`http://127.0.0.1:${port}/healthz`, 1500);
    try {
      return res?.status === 200 && JSON.parse(res.body).service === 'herald-sms-sink';
    } catch {
      return false;
    }
  },
  conflict: async () => ((await isPortOpen({ port })) ? `port ${port} on 127.0.0.1 is taken by something that is not the Herald SMS sink` : null),
  command: async (log, dir) => {
    log(`sms-sink: starting on 127.0.0.1:${port}`);
    return { command: process.execPath, args: [path.join(repoRoot, 'tools', 'sms-sink', 'src', 'main.mjs'), '--port', String(port), '--host', '127.0.0.1'], cwd: dir };
  },
  timeoutMs: 15_000,
  graceMs: 5_000,
});
