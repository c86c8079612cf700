/**
 * The OpenAPI document of the ingest-api, without serving it: buildApp() as production builds it
 * (every route and schema), asked for its document and closed. Its connections point nowhere on
 * purpose (port 1): nothing is connected to, so it runs on a machine with no Kafka, Redis or
 * PostgreSQL (the client generator, CI).
 *
 *   node apps/ingest-api/dist/openapi-document.js <file>   writes the document (JSON) to <file>
 */
import { writeFileSync } from 'node:fs';
import { createLogger } from '@herald/runtime';
import { buildApp } from './app';
import { loadConfig } from './config';

const NOWHERE = {
  KAFKA_BROKERS: '127.0.0.1:1',
  REDIS_URL: 'redis://127.0.0.1:1',
  DATABASE_URL: 'postgresql://nobody@127.0.0.1:1/none',
  AUTH_DISABLED: 'true',
  WEB_CONCURRENCY: '1',
  LOG_LEVEL: 'silent',
};

export async function openApiDocument(): Promise<Record<string, unknown>> {
  const app = await buildApp(loadConfig(NOWHERE), { logger: createLogger({ service: 'ingest-api-openapi', level: 'silent' }) });
  try {
    await app.ready();
    return app.swagger() as unknown as Record<string, unknown>;
  } finally {
    await app.close();
  }
}

/** The document as the generator commits it: 2-space JSON and a final newline. */
export function formatDocument(document: unknown): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

if (require.main === module) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: node openapi-document.js <file>\n');
    process.exit(2);
  }
  openApiDocument()
    .then((document) => {
      writeFileSync(file, formatDocument(document));
      // Background reconnection timers of the clients may still be pending: the work is done.
      process.exit(0);
    })
    .catch((error: unknown) => {
      process.stderr.write(`openapi-document failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    });
}
