// @ts-check
/**
 * Where the local platform keeps its files.
 *
 * Everything the platform downloads, writes or starts lives under `<repo>/.local/` (git-ignored).
 * Set HERALD_LOCAL_DIR to move it elsewhere (an absolute path, or one relative to the repo root).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of the repository root (this file is tools/platform/src/paths.mjs). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Absolute path of tools/platform. */
export const platformDir = path.join(repoRoot, 'tools', 'platform');

/** Absolute path of the runtime folder (default `<repo>/.local`). */
export const localDir = process.env.HERALD_LOCAL_DIR
  ? path.resolve(repoRoot, process.env.HERALD_LOCAL_DIR)
  : path.join(repoRoot, '.local');

/**
 * Absolute path of a sub-folder of the runtime folder, created if missing.
 * @param {...string} parts
 * @returns {string}
 */
export function localPath(...parts) {
  const dir = path.join(localDir, ...parts);
  mkdirSync(dir, { recursive: true });
  return dir;
}
