/**
 * Summarizes CPU profiles: node tools/bench/dist/profile-cli.js <folder or .cpuprofile files>...
 * Each folder (e.g. results/profiles/e2e-email-worker) is summarized on its own; the profiles in
 * it (one per process, e.g. a cluster's workers) are added together.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { formatSummary, summarizeProfile, type CpuProfile } from './profile';

export function summarizeFolder(path: string, n = 15): string {
  const files = statSync(path).isDirectory()
    ? readdirSync(path)
        .filter((f) => f.endsWith('.cpuprofile'))
        .map((f) => join(path, f))
    : [path];
  if (files.length === 0) return `${basename(path)}: no .cpuprofile files`;
  const profiles = files.map((f) => JSON.parse(readFileSync(f, 'utf8')) as CpuProfile);
  return formatSummary(`${basename(path)} (${files.length} profile${files.length > 1 ? 's' : ''})`, summarizeProfile(profiles, n));
}

if (require.main === module) {
  const args = process.argv.slice(2);
  if (args.length === 0) {
    process.stderr.write('usage: node tools/bench/dist/profile-cli.js <folder or .cpuprofile>...\n');
    process.exit(2);
  }
  for (const arg of args) process.stdout.write(`${summarizeFolder(arg)}\n\n`);
}
