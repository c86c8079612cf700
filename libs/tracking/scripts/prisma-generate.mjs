// @ts-check
/**
 * `prisma generate` for libs/tracking without network access. The Prisma CLI wants its Rust
 * schema engine at start and tries to download it; generating the client does not use it, so we
 * point PRISMA_SCHEMA_ENGINE_BINARY at an existing file (see ../shared/PLATFORM.md). Where the
 * engine can be downloaded (a container build with internet), the variable is left alone.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const trackingDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const root = join(trackingDir, '..', '..');
const cli = join(root, 'node_modules', 'prisma', 'build', 'index.js');
const schema = join(trackingDir, 'prisma', 'schema.prisma');

if (!existsSync(cli)) {
  console.error(`prisma CLI not found at ${cli}: run npm install first`);
  process.exit(1);
}
/** @type {NodeJS.ProcessEnv} */
const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: '1', CHECKPOINT_DISABLE: '1' };
env['PRISMA_SCHEMA_ENGINE_BINARY'] ??= process.execPath;
const result = spawnSync(process.execPath, [cli, 'generate', '--schema', schema], { stdio: 'inherit', env, cwd: trackingDir });
process.exit(result.status ?? 1);
