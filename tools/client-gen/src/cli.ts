/**
 * node tools/client-gen/dist/cli.js [client folder]: regenerates @herald/client (default
 * libs/client) from the built ingest-api. Run through `nx run @herald/client:generate`, which
 * builds what it needs first.
 */
import { relative, resolve } from 'node:path';
import { clientDir, repoRoot } from './files';
import { generateClient } from './generate';

const outDir = process.argv[2] ? resolve(process.argv[2]) : clientDir;
generateClient(outDir)
  .then((files) => {
    for (const file of files) process.stdout.write(`wrote ${relative(repoRoot, file)}\n`);
  })
  .catch((error: unknown) => {
    process.stderr.write(`client generation failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
