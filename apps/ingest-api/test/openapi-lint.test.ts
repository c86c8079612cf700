/**
 * The OpenAPI document as API consumers get it (GET /docs/json of the app as production builds
 * it) passes Redocly's linter with the recommended rules and those of redocly.yaml, with no error
 * and no warning; and every operation, including routes added later, keeps the rules that make a
 * generated client work: the bearer scheme on /v1, an operationId, problem+json errors, and the
 * errors that the scope's hooks and the body parser can answer.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { PROBLEM_CONTENT_TYPE } from '@herald/contracts';
import { openApiDocument } from '../src/openapi-document';
import { startTestApp, type TestApp } from './support/test-app';

const run = promisify(execFile);
const redocly = join(dirname(require.resolve('@redocly/cli/package.json')), 'bin', 'cli.js');
const config = join(__dirname, '..', 'redocly.yaml');

interface LintProblem {
  ruleId: string;
  severity: string;
  message: string;
  location: Array<{ pointer: string }>;
}

type Doc = {
  paths: Record<string, Record<string, Operation>>;
  components?: { securitySchemes?: Record<string, { type: string; scheme?: string }> };
};
type Operation = {
  operationId?: string;
  security?: Array<Record<string, string[]>>;
  requestBody?: unknown;
  responses: Record<string, { content?: Record<string, { schema?: { properties?: Record<string, unknown> } }> }>;
};

let t: TestApp;
let doc: Doc;
let scratch: string;

beforeAll(async () => {
  t = await startTestApp({ name: 'openapi-lint', env: { API_KEYS: 'acme:0123456789abcdef0123' } });
  const response = await t.app.inject({ method: 'GET', url: '/docs/json' });
  expect(response.statusCode).toBe(200);
  doc = response.json();
  scratch = mkdtempSync(join(tmpdir(), 'herald-openapi-'));
}, 60_000);

afterAll(async () => {
  await t?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** Runs `redocly lint` on a document; the problems it reports (errors and warnings). */
async function lint(document: unknown, name: string): Promise<LintProblem[]> {
  const file = join(scratch, `${name}.json`);
  writeFileSync(file, JSON.stringify(document, null, 2));
  const result = await run(process.execPath, [redocly, 'lint', '--config', config, '--format', 'json', file], { maxBuffer: 32 * 1024 * 1024 }).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
  const report = JSON.parse(result.stdout) as { problems: LintProblem[] };
  return report.problems;
}

const describeProblems = (problems: LintProblem[]) => problems.map((p) => `${p.severity} ${p.ruleId} ${p.location[0]?.pointer ?? ''}: ${p.message}`);

const operations = (): Array<[string, string, Operation]> =>
  Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => [path, method, op] as [string, string, Operation]));

describe('the OpenAPI document', () => {
  it('passes redocly lint with the recommended rules and no warning', async () => {
    expect(describeProblems(await lint(doc, 'openapi'))).toEqual([]);
  }, 60_000);

  it('fails the lint when an operation loses its operationId or its security (the lint can fail)', async () => {
    const broken = JSON.parse(JSON.stringify(doc)) as Doc;
    const north = broken.paths['/v1/North']?.['post'];
    if (!north) throw new Error('no POST /v1/North in the document');
    delete north.operationId;
    delete north.security;
    const rules = (await lint(broken, 'broken')).map((p) => p.ruleId);
    expect(rules).toEqual(expect.arrayContaining(['operation-operationId', 'security-defined']));
  }, 60_000);

  it('declares the bearer scheme and applies it to every /v1 operation, which documents 401 and 429', () => {
    expect(doc.components?.securitySchemes?.['bearerAuth']).toMatchObject({ type: 'http', scheme: 'bearer' });
    const v1 = operations().filter(([path]) => path.startsWith('/v1/'));
    expect(v1.length).toBeGreaterThan(0);
    for (const [path, method, op] of v1) {
      expect({ path, method, security: op.security }).toEqual({ path, method, security: [{ bearerAuth: [] }] });
      expect({ path, method, errors: Object.keys(op.responses) }).toEqual({ path, method, errors: expect.arrayContaining(['401', '429']) });
    }
  });

  it('documents only the API: every path is under /v1 (probes, metrics and the docs themselves are left out)', () => {
    expect(Object.keys(doc.paths).filter((path) => !path.startsWith('/v1/'))).toEqual([]);
  });

  it('answers every error as problem+json with the Problem schema, and 400, 413 and 415 where a body is taken', () => {
    for (const [path, method, op] of operations()) {
      for (const [status, response] of Object.entries(op.responses).filter(([s]) => /^[45]/.test(s))) {
        expect({ path, method, status, media: Object.keys(response.content ?? {}) }).toEqual({ path, method, status, media: [PROBLEM_CONTENT_TYPE] });
        expect(Object.keys(response.content?.[PROBLEM_CONTENT_TYPE]?.schema?.properties ?? {})).toEqual(expect.arrayContaining(['type', 'title', 'status', 'code', 'errors']));
      }
      if (op.requestBody) expect({ path, method, errors: Object.keys(op.responses) }).toEqual({ path, method, errors: expect.arrayContaining(['400', '413', '415']) });
    }
  });

  it('is the document the client generator commits (openapi-document.js builds the same app, connected to nothing)', async () => {
    expect(JSON.parse(JSON.stringify(await openApiDocument()))).toEqual(doc);
  });

  it('gives every operation a unique operationId', () => {
    const ids = operations().map(([, , op]) => op.operationId);
    expect(ids.every((id) => typeof id === 'string' && id.length > 0)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
