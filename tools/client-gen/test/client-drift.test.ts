/**
 * The committed client never drifts from the server: the generator (the built command that
 * `nx run @herald/client:generate` runs) writes into a temporary folder from the built
 * ingest-api, and every file it writes must equal the committed one. When this fails, run
 * `npx nx run @herald/client:generate` and commit the result.
 *
 * The command runs as a process: openapi-typescript's CommonJS build requires an ES module,
 * which Node loads and Jest's module system does not.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GENERATED_FILES, clientDir, generatorCli } from '../src/files';

const run = promisify(execFile);
let scratch: string;

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'herald-client-'));
  await run(process.execPath, [generatorCli, scratch], { timeout: 120_000 });
}, 120_000);

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('@herald/client, generated from the server', () => {
  it.each(GENERATED_FILES)('has %s as the server documents it now (else: npx nx run @herald/client:generate)', (file) => {
    const committed = readFileSync(join(clientDir, file), 'utf8');
    const fresh = readFileSync(join(scratch, file), 'utf8');
    expect(committed === fresh ? 'identical' : `${file} differs from what the server documents`).toBe('identical');
  });

  it('renders every schema as a precise type: no union or intersection with unknown', () => {
    const types = readFileSync(join(scratch, 'src/generated/schema.ts'), 'utf8');
    const loose = types.split('\n').filter((line) => /[|&]\s*unknown\b|\bunknown\s*[|&]/.test(line));
    expect(loose).toEqual([]);
  });

  it('knows which operations take an Idempotency-Key (sendMessage does)', () => {
    expect(readFileSync(join(scratch, 'src/generated/operations.ts'), 'utf8')).toContain("sendMessage: { method: 'POST', path: '/v1/North', idempotencyKey: true }");
  });
});
