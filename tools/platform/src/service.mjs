#!/usr/bin/env node
// @ts-check
/**
 * npm run service -- <app>: one built service in the foreground, configured only by environment
 * variables (see the README's configuration reference). SIGTERM and SIGINT go to the service,
 * which drains; this exits with its exit code.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { APPS, appEntry, repoRoot } from './workspace.mjs';

const app = process.argv[2];
if (!app || !(/** @type {readonly string[]} */ (APPS)).includes(app)) {
  process.stderr.write(`usage: npm run service -- <${APPS.join('|')}>\n`);
  process.exit(2);
}
const entry = appEntry(app);
if (!existsSync(entry)) {
  process.stderr.write(`${app} is not built (${entry} missing): run npm run build first\n`);
  process.exit(2);
}
const child = spawn(process.execPath, [entry], { cwd: repoRoot, stdio: 'inherit', env: process.env });
for (const signal of /** @type {const} */ (['SIGTERM', 'SIGINT'])) process.on(signal, () => child.kill(signal));
child.once('exit', (code, signal) => process.exit(code ?? (signal === 'SIGTERM' || signal === 'SIGINT' ? 0 : 1)));
