/** The README is the front door: it must show the commands that work and a configuration reference that matches the code. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@herald/testing';

const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');

describe('README', () => {
  it('lists every configuration variable exactly as the services define it', () => {
    expect(() => execFileSync(process.execPath, [join(repoRoot, 'tools/platform/src/docs.mjs'), '--check'], { stdio: 'pipe' })).not.toThrow();
  });

  it('shows the commands that start and test everything, and .ci/run runs the same test command', () => {
    expect(readme).toContain('npm start');
    expect(readme).toContain('npm test');
    expect(readFileSync(join(repoRoot, '.ci/run'), 'utf8')).toMatch(/^npm test$/m);
    const scripts = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(Object.keys(scripts)).toEqual(expect.arrayContaining(['start', 'test', 'service']));
  });
});
