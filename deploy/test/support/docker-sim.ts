/**
 * Runs a Dockerfile's stages on this machine, without a Docker engine: the host's Node.js stands
 * in for the base images. Each stage gets a directory as its root filesystem; the build context is
 * a copy of the repository filtered by .dockerignore (so a file the ignore file keeps out is
 * missing here as it would be in a real build); COPY copies from the context or from an earlier
 * stage's root; RUN runs with /bin/sh in the stage's WORKDIR, with its ENV, after its absolute
 * paths are mapped into the stage root (a bind mount of the context maps to the context).
 *
 * What this does not reproduce: the base images themselves (distroless has no shell; the checks in
 * dockerfiles.test.ts ensure the final stages run nothing), users and file ownership, and npm's
 * network (the local cache serves what it has: npm_config_prefer_offline).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { DockerIgnore, copyPaths, readDockerfile, type Dockerfile, type Stage } from './dockerfile';
import { repoRoot } from './repo';

/** Copies the files of the repository that .dockerignore lets into the build context. */
export function buildContext(into: string): string {
  const ignore = new DockerIgnore(readFileSync(join(repoRoot, '.dockerignore'), 'utf8'));
  const walk = (rel: string) => {
    for (const entry of readdirSync(join(repoRoot, rel), { withFileTypes: true })) {
      const path = rel ? posix.join(rel, entry.name) : entry.name;
      if (entry.isDirectory()) {
        if (entry.name === 'node_modules' || entry.name === '.git') continue;
        walk(path);
      } else if (entry.isFile() && ignore.includes(path)) {
        mkdirSync(join(into, dirname(path)), { recursive: true });
        cpSync(join(repoRoot, path), join(into, path));
      }
    }
  };
  walk('');
  return into;
}

function parseEnv(args: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("([^"]*)"|\S+)/g)) out[m[1] as string] = m[3] ?? (m[2] as string);
  return out;
}

export interface SimulatedBuild {
  /** Root directory of each stage that ran. */
  roots: Map<string, string>;
  /** WORKDIR of each stage that ran, mapped into its root. */
  workdirs: Map<string, string>;
  /** The ENV of each stage that ran. */
  env: Map<string, Record<string, string>>;
  /** Output of every RUN, in order. */
  log: string[];
}

/**
 * Builds `target` (default: the last stage) and the stages it copies from.
 * @param dockerfile path of the Dockerfile
 * @param work an empty directory for the stage roots
 * @param context the build context (see buildContext)
 */
export function simulateBuild(dockerfile: string, work: string, context: string, target?: string): SimulatedBuild {
  const file: Dockerfile = readDockerfile(dockerfile);
  const byName = new Map(file.stages.map((s) => [s.name ?? String(s.index), s]));
  const last = file.stages[file.stages.length - 1] as Stage;
  const wanted = target ? byName.get(target) : last;
  if (!wanted) throw new Error(`no stage ${target}`);
  const result: SimulatedBuild = { roots: new Map(), workdirs: new Map(), env: new Map(), log: [] };

  const run = (stage: Stage) => {
    const name = stage.name ?? String(stage.index);
    if (result.roots.has(name)) return;
    for (const i of stage.instructions) {
      const from = i.keyword === 'COPY' ? i.flags['from'] : undefined;
      if (from) {
        const source = byName.get(from);
        if (!source) throw new Error(`line ${i.line}: COPY --from=${from}: no such stage`);
        run(source);
      }
    }
    const root = join(work, name);
    mkdirSync(root, { recursive: true });
    const inRoot = (p: string) => join(root, p);
    let workdir = inRoot('/');
    const env: Record<string, string> = {};
    for (const i of stage.instructions) {
      if (i.keyword === 'WORKDIR') {
        workdir = inRoot(i.args);
        mkdirSync(workdir, { recursive: true });
      } else if (i.keyword === 'ENV') {
        Object.assign(env, parseEnv(i.args));
      } else if (i.keyword === 'COPY') {
        const { sources, dest } = copyPaths(i);
        const fromStage = i.flags['from'];
        const base = fromStage ? (result.roots.get(fromStage) as string) : context;
        const target = dest.startsWith('/') ? inRoot(dest) : join(workdir, dest);
        for (const source of sources) {
          const from = join(base, source);
          if (!existsSync(from)) throw new Error(`line ${i.line}: COPY ${source}: not in ${fromStage ? `stage ${fromStage}` : 'the build context'}`);
          if (statSync(from).isDirectory()) {
            mkdirSync(target, { recursive: true });
            cpSync(from, target, { recursive: true, verbatimSymlinks: true });
          } else {
            const into = dest.endsWith('/') || sources.length > 1 ? join(target, posix.basename(source)) : target;
            mkdirSync(dirname(into), { recursive: true });
            cpSync(from, into);
          }
        }
      } else if (i.keyword === 'RUN') {
        const bind = i.mounts.find((m) => m['type'] === 'bind');
        const bindTarget = bind?.['target'];
        // Absolute paths in the command live in this stage's root, except the bind-mounted context.
        const command = i.args.replace(/(^|[\s=])\/(?=[A-Za-z])([^\s]*)/g, (_all, pre: string, rest: string) => {
          const abs = `/${rest}`;
          if (bindTarget && (abs === bindTarget || abs.startsWith(`${bindTarget}/`))) return `${pre}${join(context, abs.slice(bindTarget.length))}`;
          return `${pre}${inRoot(abs)}`;
        });
        const cwd = bindTarget && workdir === inRoot(bindTarget) ? context : workdir;
        const r = spawnSync('/bin/sh', ['-ec', command], {
          cwd,
          env: { ...process.env, ...env, npm_config_prefer_offline: 'true', npm_config_update_notifier: 'false' },
          encoding: 'utf8',
          timeout: 300_000,
        });
        result.log.push(`$ ${command}\n${r.stdout}${r.stderr}`);
        if (r.status !== 0) throw new Error(`line ${i.line}: RUN failed (${r.status ?? r.signal}):\n${command}\n${r.stdout}\n${r.stderr}`);
      }
    }
    result.roots.set(name, root);
    result.workdirs.set(name, workdir);
    result.env.set(name, env);
  };
  run(wanted);
  return result;
}
