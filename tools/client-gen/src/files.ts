/** Where the generated client lives, and the files the generator writes (relative to it). */
import { join, resolve } from 'node:path';

export const repoRoot = resolve(__dirname, '..', '..', '..');
/** The committed client. */
export const clientDir = join(repoRoot, 'libs', 'client');
export const GENERATED_FILES = ['openapi.json', 'src/generated/schema.ts', 'src/generated/operations.ts'] as const;
/** The generator's command (built): node <cli> <client folder>. */
export const generatorCli = join(repoRoot, 'tools', 'client-gen', 'dist', 'cli.js');
