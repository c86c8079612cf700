/**
 * The generator of @herald/client: asks the built ingest-api for its OpenAPI document (the
 * same document GET /docs/json serves), then writes, under a client folder:
 *   openapi.json                 the document, as committed
 *   src/generated/schema.ts      its types (openapi-typescript: paths, operations, components)
 *   src/generated/operations.ts  each operation's method, path and whether it takes an
 *                                Idempotency-Key (the client gives one to every call that does)
 * Deterministic: the same server gives the same bytes, so a test can regenerate into a
 * temporary folder and compare with what is committed.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import openapiTS, { COMMENT_HEADER, astToString } from 'openapi-typescript';
import { GENERATED_FILES, clientDir, repoRoot } from './files';

const run = promisify(execFile);

const documentCli = join(repoRoot, 'apps', 'ingest-api', 'dist', 'openapi-document.js');
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

interface Operation {
  operationId?: string;
  parameters?: Array<{ in: string; name: string }>;
}
type Document = { paths?: Record<string, Partial<Record<(typeof METHODS)[number], Operation>>> };

/** The operations of a document: id, method, path, and whether an Idempotency-Key header is taken. */
export function operationsOf(document: Document): Array<{ operationId: string; method: string; path: string; idempotencyKey: boolean }> {
  return Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
    METHODS.flatMap((method) => {
      const op = item[method];
      if (!op) return [];
      if (!op.operationId) throw new Error(`${method.toUpperCase()} ${path} has no operationId`);
      const idempotencyKey = (op.parameters ?? []).some((p) => p.in === 'header' && p.name.toLowerCase() === 'idempotency-key');
      return [{ operationId: op.operationId, method: method.toUpperCase(), path, idempotencyKey }];
    }),
  );
}

function operationsModule(document: Document): string {
  const ops = operationsOf(document);
  return [
    '/**',
    ' * This file was generated from openapi.json by tools/client-gen (nx run @herald/client:generate).',
    ' * Do not make direct changes to the file.',
    ' */',
    '',
    '/** Every operation of the API: method and path by operationId. */',
    'export const operations = {',
    ...ops.map((o) => `  ${o.operationId}: { method: '${o.method}', path: '${o.path}', idempotencyKey: ${o.idempotencyKey} },`),
    '} as const;',
    '',
    '/** "METHOD /path" of the operations that take an Idempotency-Key header. */',
    `export const idempotentOperations: ReadonlySet<string> = new Set([${ops
      .filter((o) => o.idempotencyKey)
      .map((o) => `'${o.method} ${o.path}'`)
      .join(', ')}]);`,
    '',
  ].join('\n');
}

/** Writes the document and the types into `outDir` (a client folder); returns the files written. */
export async function generateClient(outDir: string = clientDir): Promise<string[]> {
  mkdirSync(join(outDir, 'src', 'generated'), { recursive: true });
  const documentFile = join(outDir, 'openapi.json');
  await run(process.execPath, [documentCli, documentFile], { timeout: 60_000 });
  const document = JSON.parse(readFileSync(documentFile, 'utf8')) as Document;
  const ast = await openapiTS(document as Parameters<typeof openapiTS>[0], { alphabetize: false });
  writeFileSync(join(outDir, 'src', 'generated', 'schema.ts'), COMMENT_HEADER + astToString(ast));
  writeFileSync(join(outDir, 'src', 'generated', 'operations.ts'), operationsModule(document));
  return GENERATED_FILES.map((file) => join(outDir, file));
}
