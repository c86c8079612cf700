#!/usr/bin/env node
// @ts-check
/**
 * Cuts Herald's npm workspace down to what one container image needs, from package-lock.json
 * alone (no network, no dependencies), so that `npm ci` in the image installs exactly the pinned
 * versions the repository was tested with and nothing else.
 *
 *   prune   --app apps/<name> --mode runtime --out DIR
 *           The app's workspace, the workspace libraries it depends on (transitively) and their
 *           production dependencies. Workspace manifests lose their devDependencies.
 *   prune   --app apps/<name> --mode build --root-dev typescript,@types/node --out DIR
 *           The same workspaces with their external devDependencies (e.g. prisma, @types/...)
 *           and the listed root devDependencies: what compiling the app needs.
 *   prune   --deps @prisma/adapter-pg,pg --out DIR
 *           No workspace: a root manifest depending on the listed packages at their locked versions.
 *   collect --app apps/<name> --out DIR
 *           Copies the built dist/ folder of every workspace in the app's runtime closure into
 *           DIR/<workspace>/dist (JavaScript and JSON only: no .d.ts, no build info).
 *   list    --app apps/<name>
 *           Prints the app's runtime workspaces, one per line.
 *
 * DIR receives package.json, package-lock.json and <workspace>/package.json for each workspace.
 * --root (default: the repository this file is in) is the workspace to read.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

/**
 * @typedef {{ name?: string, version?: string, dependencies?: Record<string,string>, devDependencies?: Record<string,string>,
 *   optionalDependencies?: Record<string,string>, peerDependencies?: Record<string,string>,
 *   peerDependenciesMeta?: Record<string,{optional?: boolean}>, workspaces?: string[], link?: boolean, resolved?: string,
 *   dev?: boolean, optional?: boolean, devOptional?: boolean, [key: string]: unknown }} Entry
 * @typedef {{ name: string, version: string, lockfileVersion: number, requires?: boolean, packages: Record<string, Entry> }} Lockfile
 */

export class PruneError extends Error {
  /** @param {string} message */
  constructor(message) {
    super(message);
    this.name = 'PruneError';
  }
}

/** @param {string} file */
function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new PruneError(`cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** @param {string} file @param {unknown} value */
function writeJson(file, value) {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

/**
 * The workspace as package-lock.json describes it, with each workspace's package.json from disk.
 * @param {string} root
 */
export function loadWorkspace(root) {
  /** @type {Lockfile} */
  const lock = readJson(join(root, 'package-lock.json'));
  if (lock.lockfileVersion !== 3 && lock.lockfileVersion !== 2) {
    throw new PruneError(`package-lock.json has lockfileVersion ${lock.lockfileVersion}; 2 or 3 is needed`);
  }
  const rootManifest = readJson(join(root, 'package.json'));
  /** @type {Map<string, Entry>} workspace path -> package.json */
  const manifests = new Map();
  for (const key of Object.keys(lock.packages)) {
    if (key === '' || key.includes('node_modules/') || key.startsWith('node_modules')) continue;
    const file = join(root, key, 'package.json');
    if (existsSync(file)) manifests.set(key, readJson(file));
  }
  return { root, lock, rootManifest, manifests };
}

/**
 * Where Node would find `name` when required from the package at lock key `from`.
 * @param {Record<string, Entry>} packages @param {string} from @param {string} name
 */
function resolveKey(packages, from, name) {
  let dir = from;
  for (;;) {
    const candidate = dir ? `${dir}/node_modules/${name}` : `node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (dir === '') return undefined;
    const parent = posix.dirname(dir);
    dir = parent === '.' ? '' : parent;
  }
}

/**
 * Edges of one lock entry: [name, optional].
 * @param {Entry} entry @param {{ dev?: (name: string) => boolean }} [options]
 * @returns {Array<[string, boolean]>}
 */
function edges(entry, options = {}) {
  /** @type {Array<[string, boolean]>} */
  const out = [];
  for (const name of Object.keys(entry.dependencies ?? {})) out.push([name, false]);
  for (const name of Object.keys(entry.optionalDependencies ?? {})) out.push([name, true]);
  // npm installs required peers itself; optional peers only come in when something else needs them.
  for (const name of Object.keys(entry.peerDependencies ?? {})) if (entry.peerDependenciesMeta?.[name]?.optional !== true) out.push([name, false]);
  if (options.dev) for (const name of Object.keys(entry.devDependencies ?? {})) if (options.dev(name)) out.push([name, false]);
  return out;
}

/**
 * Every lock key reachable from `starts`, following links into workspaces. `devOf` decides which
 * devDependencies of a workspace (or of the root) are followed.
 * @param {Record<string, Entry>} packages
 * @param {string[]} starts lock keys
 * @param {(key: string, name: string) => boolean} devOf
 * @param {boolean} requiredOnly follow only non-optional edges
 */
function reach(packages, starts, devOf, requiredOnly = false) {
  const seen = new Set();
  const queue = [...starts];
  while (queue.length) {
    const key = /** @type {string} */ (queue.shift());
    if (seen.has(key)) continue;
    seen.add(key);
    const entry = packages[key];
    if (!entry) throw new PruneError(`package-lock.json has no entry "${key}"`);
    if (entry.link) {
      if (!entry.resolved) throw new PruneError(`link "${key}" has no resolved path`);
      queue.push(entry.resolved);
      continue;
    }
    const isWorkspaceOrRoot = !key.includes('node_modules');
    for (const [name, optional] of edges(entry, { dev: isWorkspaceOrRoot ? (n) => devOf(key, n) : undefined })) {
      if (optional && requiredOnly) continue;
      const target = resolveKey(packages, key, name);
      if (!target) {
        if (optional) continue;
        throw new PruneError(`package-lock.json cannot resolve "${name}" required by "${key || 'the root'}": run npm install`);
      }
      queue.push(target);
    }
  }
  return seen;
}

/** @param {Record<string, Entry>} packages @param {string} name */
function isWorkspaceLink(packages, name) {
  return packages[`node_modules/${name}`]?.link === true;
}

/**
 * Checks that package.json and the lock agree on a workspace's dependencies (npm ci would refuse).
 * @param {string} key @param {Entry} manifest @param {Entry} entry
 */
function assertInSync(key, manifest, entry) {
  for (const field of /** @type {const} */ (['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'])) {
    const a = JSON.stringify(sorted(manifest[field] ?? {}));
    const b = JSON.stringify(sorted(entry[field] ?? {}));
    if (a !== b) throw new PruneError(`${key}/package.json ${field} differ from package-lock.json: run npm install`);
  }
}

/** @param {Record<string, string>} o */
function sorted(o) {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * The workspaces an app needs at runtime: itself and the workspace libraries it depends on.
 * @param {ReturnType<typeof loadWorkspace>} ws @param {string} app
 */
export function runtimeWorkspaces(ws, app) {
  const { packages } = ws.lock;
  const key = app.replace(/\/+$/, '');
  if (!packages[key] || !ws.manifests.has(key)) throw new PruneError(`${key} is not a workspace in package-lock.json`);
  const keys = reach(packages, [key], () => false);
  return [...keys].filter((k) => !k.includes('node_modules')).sort();
}

/**
 * @param {ReturnType<typeof loadWorkspace>} ws
 * @param {{ app?: string, deps?: string[], mode?: 'runtime' | 'build', rootDev?: string[] }} options
 * @returns {{ manifest: Entry, lock: Lockfile, workspaces: Map<string, Entry> }}
 */
export function prune(ws, options) {
  const { packages } = ws.lock;
  const mode = options.mode ?? 'runtime';
  /** @type {Entry} */
  const rootEntry = { name: ws.lock.name, version: ws.lock.version };
  /** @type {Entry} */
  const rootManifest = { name: ws.rootManifest.name, version: ws.rootManifest.version, private: true };
  if (ws.rootManifest.engines) rootManifest.engines = ws.rootManifest.engines;
  /** @type {string[]} */
  let workspaceKeys = [];
  /** @type {(key: string, name: string) => boolean} */
  let devOf = () => false;

  if (options.app) {
    workspaceKeys = runtimeWorkspaces(ws, options.app);
    for (const key of workspaceKeys) assertInSync(key, /** @type {Entry} */ (ws.manifests.get(key)), packages[key] ?? {});
    rootEntry.workspaces = workspaceKeys;
    rootManifest.workspaces = workspaceKeys;
    if (mode === 'build') {
      const rootDev = options.rootDev ?? [];
      const known = ws.rootManifest.devDependencies ?? {};
      const missing = rootDev.filter((n) => !(n in known));
      if (missing.length) throw new PruneError(`not root devDependencies: ${missing.join(', ')}`);
      const devDependencies = Object.fromEntries(rootDev.map((n) => [n, known[n]]));
      if (rootDev.length) {
        rootEntry.devDependencies = devDependencies;
        rootManifest.devDependencies = devDependencies;
      }
      devOf = (key, name) => (key === '' ? rootDev.includes(name) : !isWorkspaceLink(packages, name));
    }
  } else if (options.deps?.length) {
    /** @type {Record<string, string>} */
    const dependencies = {};
    for (const name of options.deps) {
      const entry = packages[`node_modules/${name}`];
      if (!entry || entry.link || !entry.version) throw new PruneError(`${name} is not an installed package in package-lock.json`);
      dependencies[name] = entry.version;
    }
    rootEntry.dependencies = dependencies;
    rootManifest.dependencies = dependencies;
  } else {
    throw new PruneError('give --app or --deps');
  }

  // Reachability is computed on a copy of the lock whose root and workspaces are the pruned ones.
  /** @type {Record<string, Entry>} */
  const view = { ...packages, '': rootEntry };
  /** @type {Map<string, Entry>} */
  const workspaces = new Map();
  for (const key of workspaceKeys) {
    const manifest = { .../** @type {Entry} */ (ws.manifests.get(key)) };
    const entry = { .../** @type {Entry} */ (packages[key]) };
    for (const target of [manifest, entry]) {
      const dev = Object.entries(target.devDependencies ?? {}).filter(([name]) => devOf(key, name));
      if (dev.length) target.devDependencies = Object.fromEntries(dev);
      else delete target.devDependencies;
    }
    view[key] = entry;
    workspaces.set(key, manifest);
  }
  // npm links every workspace into node_modules, whether or not something depends on it.
  const links = Object.keys(packages).filter((k) => packages[k]?.link && workspaceKeys.includes(/** @type {string} */ (packages[k]?.resolved)));
  const starts = ['', ...workspaceKeys, ...links];
  const keep = reach(view, starts, devOf);
  const required = reach(view, starts, devOf, true);

  /** @type {Record<string, Entry>} */
  const out = {};
  for (const key of Object.keys(view)) {
    if (!keep.has(key)) continue;
    const entry = { ...view[key] };
    if (mode === 'runtime' && key !== '' && key.includes('node_modules') && !entry.link) {
      // Only production packages are left: recompute the flags npm uses for --omit.
      delete entry.dev;
      delete entry.devOptional;
      if (required.has(key)) delete entry.optional;
      else entry.optional = true;
    }
    out[key] = entry;
  }
  out[''] = rootEntry;
  const ordered = Object.fromEntries([['', rootEntry], ...Object.entries(out).filter(([k]) => k !== '')]);
  return {
    manifest: rootManifest,
    lock: { name: ws.lock.name, version: ws.lock.version, lockfileVersion: ws.lock.lockfileVersion, requires: true, packages: ordered },
    workspaces,
  };
}

/**
 * @param {ReturnType<typeof prune>} result @param {string} outDir
 */
export function writePruned(result, outDir) {
  writeJson(join(outDir, 'package.json'), result.manifest);
  writeJson(join(outDir, 'package-lock.json'), result.lock);
  for (const [key, manifest] of result.workspaces) writeJson(join(outDir, key, 'package.json'), manifest);
}

const RUNTIME_FILE = /\.(js|cjs|mjs|json|node|wasm)$/;
const NOT_RUNTIME = /(\.d\.[cm]?ts|\.tsbuildinfo)$/;

/**
 * Copies the runtime files of each workspace's dist/ into outDir/<workspace>/dist.
 * @param {ReturnType<typeof loadWorkspace>} ws @param {string} app @param {string} outDir
 * @returns {string[]} the files copied, relative to outDir
 */
export function collect(ws, app, outDir) {
  /** @type {string[]} */
  const copied = [];
  for (const key of runtimeWorkspaces(ws, app)) {
    const dist = join(ws.root, key, 'dist');
    if (!existsSync(dist)) throw new PruneError(`${key}/dist does not exist: build ${key} first`);
    /** @param {string} dir */
    const walk = (dir) => {
      for (const dirent of readdirSync(dir, { withFileTypes: true })) {
        const from = join(dir, dirent.name);
        if (dirent.isDirectory()) walk(from);
        else if (RUNTIME_FILE.test(dirent.name) && !NOT_RUNTIME.test(dirent.name)) {
          const rel = relative(ws.root, from);
          mkdirSync(dirname(join(outDir, rel)), { recursive: true });
          copyFileSync(from, join(outDir, rel));
          copied.push(rel);
        }
      }
    };
    walk(dist);
  }
  return copied;
}

function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      root: { type: 'string', default: join(dirname(fileURLToPath(import.meta.url)), '..', '..') },
      app: { type: 'string' },
      deps: { type: 'string' },
      mode: { type: 'string', default: 'runtime' },
      'root-dev': { type: 'string', default: '' },
      out: { type: 'string' },
    },
  });
  const [command = 'prune'] = positionals;
  const list = (/** @type {string | undefined} */ s) => (s ?? '').split(',').map((x) => x.trim()).filter(Boolean);
  const ws = loadWorkspace(values.root);
  if (command === 'list') {
    if (!values.app) throw new PruneError('list needs --app');
    process.stdout.write(`${runtimeWorkspaces(ws, values.app).join('\n')}\n`);
    return;
  }
  if (!values.out) throw new PruneError(`${command} needs --out`);
  if (command === 'collect') {
    if (!values.app) throw new PruneError('collect needs --app');
    const files = collect(ws, values.app, values.out);
    process.stdout.write(`copied ${files.length} files of ${runtimeWorkspaces(ws, values.app).join(', ')}\n`);
  } else if (command === 'prune') {
    if (values.mode !== 'runtime' && values.mode !== 'build') throw new PruneError(`--mode must be runtime or build, not ${values.mode}`);
    const result = prune(ws, { app: values.app, deps: list(values.deps), mode: values.mode, rootDev: list(values['root-dev']) });
    writePruned(result, values.out);
    const count = Object.keys(result.lock.packages).filter((k) => k.includes('node_modules') && !result.lock.packages[k]?.link).length;
    process.stdout.write(`${values.app ?? 'dependencies'} (${values.mode}): ${result.workspaces.size} workspaces, ${count} packages -> ${values.out}\n`);
  } else {
    throw new PruneError(`unknown command ${command} (prune, collect, list)`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    main();
  } catch (error) {
    process.stderr.write(`prune-workspace: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
