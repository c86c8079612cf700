// @ts-check
/**
 * .local/platform/state.json: what `platform up` started, so that `platform down` stops exactly
 * that (and never a Redis or PostgreSQL that was running before).
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { localPath } from './paths.mjs';

/**
 * @typedef {object} ServiceState
 * @property {boolean} startedByUs true when `platform up` (or the platform tooling it reused) started it
 * @property {number | null} [pid]
 * @property {string} address
 * @property {string} [url]
 * @property {string} [startedAt] ISO time
 * @property {Record<string, unknown>} [details]
 */

/**
 * @typedef {object} PlatformState
 * @property {number} version
 * @property {string} updatedAt
 * @property {Record<string, ServiceState>} services
 */

/** @returns {string} */
export function stateFile() {
  return path.join(localPath('platform'), 'state.json');
}

/** @returns {PlatformState} */
export function readState() {
  const file = stateFile();
  if (!existsSync(file)) return { version: 1, updatedAt: new Date().toISOString(), services: {} };
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8'));
    return { version: 1, updatedAt: parsed.updatedAt ?? '', services: parsed.services ?? {} };
  } catch {
    return { version: 1, updatedAt: new Date().toISOString(), services: {} };
  }
}

/** @param {PlatformState} state */
export function writeState(state) {
  const file = stateFile();
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify({ ...state, updatedAt: new Date().toISOString() }, null, 2)}\n`);
  renameSync(tmp, file);
}
