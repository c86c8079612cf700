/**
 * What the charts derive from the code stays in step with it: values.schema.json and the README
 * parameter tables are what deploy/scripts/generate.mjs makes of the apps' configuration specs,
 * the variables each chart sets itself are the ones schema.mjs says it manages (all of them with
 * the optional ones switched on, a subset by default), and every secret variable of the apps is
 * one the charts only ever reference from a Secret.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { cleanupCharts, renderOk } from './support/helm';
import { MANAGED_KAFKA } from './support/kafka';
import { mainContainer, one } from './support/kube';
import { APP_NAMES, SECRET_VARIABLES, chartsDir, deployDir, dockerDir, repoRoot, type AppName } from './support/repo';

afterAll(() => cleanupCharts());

interface VarInfo {
  name: string;
  secret: boolean;
}

/** The apps' configuration specs, from their builds (a child process: plain Node resolution of dist). */
function specs(): Record<string, VarInfo[]> {
  const script = `
    const out = {};
    for (const app of ${JSON.stringify(APP_NAMES)}) {
      const { configSpec } = require(${JSON.stringify(repoRoot)} + '/apps/' + app + '/dist/config.js');
      out[app] = Object.entries(configSpec).map(([name, s]) => ({ name, secret: s.secret === true }));
    }
    process.stdout.write(JSON.stringify(out));`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as Record<string, VarInfo[]>;
}

/** schema.mjs's managed lists and secret variables (ESM, so read in a child process). */
function fromSchema(): { managed: Record<string, string[]>; secrets: string[] } {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', `import { APPS, SECRET_VARIABLES } from ${JSON.stringify(join(deployDir, 'scripts', 'schema.mjs'))}; process.stdout.write(JSON.stringify({ managed: Object.fromEntries(Object.entries(APPS).map(([k, v]) => [k, v.managed])), secrets: SECRET_VARIABLES }));`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as { managed: Record<string, string[]>; secrets: string[] };
}
const managed = () => fromSchema().managed;

/**
 * What switches on the rest of an app's managed variables, beyond a managed Kafka. The providers'
 * secrets (providerSecrets, optional references) are always rendered; the receipts-api's URL and
 * providers are too, but with values they are real ones.
 */
const ALL_ON: Partial<Record<AppName, object>> = {
  'receipts-api': { receiptProviders: ['ses', 'twilio'], publicUrl: 'https://receipts.example.com' },
};

test('values.schema.json and the README parameter tables are up to date (node deploy/scripts/generate.mjs --check)', () => {
  const r = spawnSync(process.execPath, [join(deployDir, 'scripts', 'generate.mjs'), '--check'], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/charts are up to date/);
});

test('every app of apps/ has its chart, its image and its place in the umbrella, and the charts know no other app', () => {
  const apps = readdirSync(join(repoRoot, 'apps'), { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(repoRoot, 'apps', d.name, 'package.json')))
    .map((d) => d.name)
    .sort();
  expect([...APP_NAMES].sort()).toEqual(apps);
  expect(Object.keys(managed()).sort()).toEqual(apps);
  const charts = readdirSync(chartsDir).filter((c) => c !== 'herald' && c !== 'herald-common' && existsSync(join(chartsDir, c, 'Chart.yaml'))).sort();
  expect(charts).toEqual(apps);
  const images = readdirSync(dockerDir).filter((f) => f.endsWith('.Dockerfile') && f !== 'migrate.Dockerfile').map((f) => f.replace(/\.Dockerfile$/, '')).sort();
  expect(images).toEqual(apps);
  const umbrella = parse(readFileSync(join(chartsDir, 'herald', 'Chart.yaml'), 'utf8')) as { dependencies: Array<{ name: string; repository: string; condition?: string }> };
  const deps = umbrella.dependencies.filter((d) => d.name !== 'herald-common');
  expect(deps.map((d) => d.name).sort()).toEqual(apps);
  for (const d of deps) expect(d).toMatchObject({ repository: `file://../${d.name}`, condition: `${d.name}.enabled` });
});

test('the apps\' secret variables are exactly the ones the charts take from Secrets', () => {
  const all = specs();
  const secrets = new Set(Object.values(all).flatMap((vars) => vars.filter((v) => v.secret).map((v) => v.name)));
  expect([...secrets].sort()).toEqual([...SECRET_VARIABLES].sort());
  // generate.mjs refuses the same names in config, and knows the same apps.
  expect([...fromSchema().secrets].sort()).toEqual([...SECRET_VARIABLES].sort());
  expect(Object.keys(managed()).sort()).toEqual([...APP_NAMES].sort());
});

test.each(APP_NAMES)('%s: the chart sets exactly the variables it manages, and each is one the app reads', (app) => {
  const envNames = (values: object[]) => (mainContainer(one(renderOk(app, { values }), 'Deployment')).env ?? []).map((e) => e.name);
  // Some are set only when switched on (KAFKA_SSL_CA_FILE with a CA, KAFKA_SASL_* with a mechanism):
  // with a managed Kafka every one of them is; with the defaults, a subset.
  const names = envNames([{ kafka: MANAGED_KAFKA, ...ALL_ON[app] }]);
  const own = managed()[app] ?? [];
  expect([...names].sort()).toEqual([...own].sort());
  const defaults = envNames([]);
  for (const name of defaults) expect(own).toContain(name);
  const known = specs()[app]?.map((v) => v.name) ?? [];
  for (const name of names) expect(known).toContain(name);
  for (const v of specs()[app] ?? []) if (v.secret) expect(names).toContain(v.name);
});
