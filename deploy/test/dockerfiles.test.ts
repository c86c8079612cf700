/**
 * The Dockerfiles, checked without a Docker engine: the build context and .dockerignore send what
 * each COPY needs and nothing that must stay out, stages reference each other correctly, the
 * final stage is a non-root distroless image whose entry is `node` itself (exec form, PID 1) on
 * the file the app's build produces, with a HEALTHCHECK on the app's health port, and the
 * migration image copies every module its entry imports.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import { DockerIgnore, copyPaths, expand, readDockerfile, shellCommands, type Dockerfile, type Instruction, type Stage } from './support/dockerfile';
import { APP_FACTS, APP_NAMES, SECRET_VARIABLES, dockerDir, repoRoot, type AppName } from './support/repo';

const ignore = new DockerIgnore(readFileSync(join(repoRoot, '.dockerignore'), 'utf8'));
const nodeMajor = process.versions.node.split('.')[0] as string;

/** Files under a context directory that the build would receive (node_modules are never walked). */
function contextFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const entry of readdirSync(join(repoRoot, rel), { withFileTypes: true })) {
      const path = posix.join(rel, entry.name);
      if (entry.isDirectory()) {
        if (entry.name === 'node_modules' || entry.name === '.git') continue;
        walk(path);
      } else if (ignore.includes(path)) out.push(path);
    }
  };
  walk(dir);
  return out;
}

/**
 * Files git ignores (build output, local installs, the Prisma client the build generates) as a
 * set: a `generated` folder that is committed source (libs/client's OpenAPI types) is source.
 */
function gitIgnored(files: string[]): Set<string> {
  if (files.length === 0) return new Set();
  const r = spawnSync('git', ['check-ignore', '--stdin'], { cwd: repoRoot, input: files.join('\n'), encoding: 'utf8' });
  return new Set((r.stdout ?? '').split('\n').filter(Boolean));
}

/** A COPY source from the context exists and reaches the builder, and nothing that must stay out comes with it. */
function expectInContext(source: string): void {
  const rel = source.replace(/\/+$/, '');
  const abs = join(repoRoot, rel);
  expect({ source, exists: existsSync(abs) }).toEqual({ source, exists: true });
  if (statSync(abs).isDirectory()) {
    const files = contextFiles(rel);
    expect({ source, files: files.length > 0 }).toEqual({ source, files: true });
    const ignored = gitIgnored(files.filter((f) => /(^|\/)generated\//.test(f)));
    const leaked = files.filter((f) => /(^|\/)(node_modules|dist|out-tsc|test)(\/|$)|\.spec\.ts$|\.tsbuildinfo$/.test(f) || ignored.has(f));
    expect({ source, leaked }).toEqual({ source, leaked: [] });
  } else {
    expect({ source, included: ignore.includes(rel) }).toEqual({ source, included: true });
  }
}

function stageNamed(file: Dockerfile, name: string): Stage {
  const stage = file.stages.find((s) => s.name === name);
  if (!stage) throw new Error(`no stage ${name}`);
  return stage;
}

function last<T>(items: T[]): T {
  const item = items[items.length - 1];
  if (item === undefined) throw new Error('empty');
  return item;
}

function only(stage: Stage, keyword: string): Instruction[] {
  return stage.instructions.filter((i) => i.keyword === keyword);
}

/** The program and arguments the container runs: ENTRYPOINT then CMD, both exec form. */
function command(stage: Stage): string[] {
  const entrypoint = only(stage, 'ENTRYPOINT');
  const cmd = only(stage, 'CMD');
  expect(entrypoint).toHaveLength(1);
  expect(cmd).toHaveLength(1);
  const e = last(entrypoint).exec;
  const c = last(cmd).exec;
  expect(e).toBeDefined();
  expect(c).toBeDefined();
  return [...(e ?? []), ...(c ?? [])];
}

/** Checks every Dockerfile shares: stages, bases, COPY sources, npm without install scripts, the final stage. */
function commonChecks(file: Dockerfile): void {
  const names = file.stages.map((s) => s.name).filter(Boolean);
  expect(new Set(names).size).toBe(names.length);
  expect(file.stages.length).toBeGreaterThanOrEqual(3);
  expect(file.globalArgs['NODE_MAJOR']).toBe(nodeMajor);
  for (const stage of file.stages) {
    const base = expand(stage.base, file.globalArgs);
    expect(base).not.toMatch(/:latest$|^[^:@]+$/);
    expect(base).toMatch(new RegExp(`^(node:${nodeMajor}-bookworm-slim|gcr\\.io/distroless/nodejs${nodeMajor}-debian12:nonroot)$`));
    for (const copy of only(stage, 'COPY')) {
      const from = copy.flags['from'];
      if (from) {
        const earlier = file.stages.slice(0, stage.index).map((s) => s.name);
        expect({ line: copy.line, from, defined: earlier.includes(from) }).toEqual({ line: copy.line, from, defined: true });
      } else {
        for (const source of copyPaths(copy).sources) expectInContext(source);
      }
    }
    for (const run of only(stage, 'RUN')) {
      for (const words of shellCommands(run.args)) {
        if (words[0] === 'npm') {
          expect(words[1]).toBe('ci');
          expect(words).toContain('--ignore-scripts');
        }
      }
      for (const mount of run.mounts) {
        if (mount['type'] === 'bind') {
          // The whole (filtered) context is bind-mounted: the scripts run from it must be in it.
          expect(mount['source'] ?? '.').toBe('.');
          for (const words of shellCommands(run.args)) if (words[0] === 'node') expectInContext(words[1] as string);
          expectInContext('package.json');
          expectInContext('package-lock.json');
        }
      }
    }
  }
  const final = last(file.stages);
  expect(expand(final.base, file.globalArgs)).toBe(`gcr.io/distroless/nodejs${nodeMajor}-debian12:nonroot`);
  // No shell in a distroless image: nothing runs at build time in the final stage either.
  expect(only(final, 'RUN')).toEqual([]);
  const user = last(only(final, 'USER')).args;
  expect(user).toMatch(/^\d+:\d+$/);
  expect(Number(user.split(':')[0])).toBeGreaterThan(0);
  // Only files the earlier stages produced or the context holds, nothing added as root-writable at runtime.
  for (const env of only(final, 'ENV')) for (const name of SECRET_VARIABLES) expect(env.args).not.toContain(name);
}

describe.each(APP_NAMES)('deploy/docker/%s.Dockerfile', (app: AppName) => {
  const file = readDockerfile(join(dockerDir, `${app}.Dockerfile`));
  const final = last(file.stages);
  const facts = APP_FACTS[app];

  test('multi-stage; every COPY source exists in the context and is not excluded by .dockerignore; npm runs no install scripts', () => {
    commonChecks(file);
    expect(file.stages.map((s) => s.name)).toEqual(['prune', 'build', 'deps', 'runtime']);
  });

  test('only this app\'s production dependencies: pruned for this app, installed with --omit=dev', () => {
    const prune = stageNamed(file, 'prune');
    const commands = only(prune, 'RUN').flatMap((r) => shellCommands(r.args));
    const runtime = commands.find((c) => c.includes('--mode') && c[c.indexOf('--mode') + 1] === 'runtime');
    const build = commands.find((c) => c.includes('--mode') && c[c.indexOf('--mode') + 1] === 'build');
    expect(runtime?.slice(0, 2)).toEqual(['node', 'tools/docker/prune-workspace.mjs']);
    expect(runtime?.[runtime.indexOf('--app') + 1]).toBe(`apps/${app}`);
    expect(build?.[build.indexOf('--app') + 1]).toBe(`apps/${app}`);
    const depsInstall = only(stageNamed(file, 'deps'), 'RUN').flatMap((r) => shellCommands(r.args)).find((c) => c[0] === 'npm');
    expect(depsInstall).toEqual(expect.arrayContaining(['ci', '--omit=dev', '--ignore-scripts']));
    const deps = only(stageNamed(file, 'deps'), 'COPY').map((c) => [c.flags['from'], copyPaths(c).sources]);
    expect(deps).toEqual([['prune', ['/out/runtime/']]]);
  });

  test('the build compiles this app with tsc --build and collects its dist folders (generating the Prisma client only for an app with a database)', () => {
    const commands = only(stageNamed(file, 'build'), 'RUN').flatMap((r) => shellCommands(r.args));
    const prismaGenerate = ['node', 'libs/tracking/scripts/prisma-generate.mjs'];
    if (facts.database) expect(commands).toContainEqual(prismaGenerate);
    else expect(commands).not.toContainEqual(prismaGenerate);
    expect(commands).toContainEqual(['node', 'node_modules/typescript/bin/tsc', '--build', `apps/${app}/tsconfig.app.json`]);
    expect(commands).toContainEqual(['node', 'tools/docker/prune-workspace.mjs', 'collect', '--app', `apps/${app}`, '--out', '/out/dist']);
    const tsconfig = JSON.parse(readFileSync(join(repoRoot, 'apps', app, 'tsconfig.app.json'), 'utf8')) as { compilerOptions: { outDir: string; rootDir: string } };
    expect(tsconfig.compilerOptions).toMatchObject({ outDir: 'dist', rootDir: 'src' });
    expect(existsSync(join(repoRoot, 'apps', app, 'src', 'main.ts'))).toBe(true);
  });

  test('the runtime stage: node as the entry (exec form, no npm or shell) on the built apps/<app>/dist/main.js, non-root', () => {
    const argv = command(final);
    expect(argv).toEqual(['/nodejs/bin/node', `apps/${app}/dist/main.js`]);
    expect(posix.basename(argv[0] as string)).toBe('node');
    // The file the app's build produces (the tests run after `nx run-many -t build`), and the app's declared main.
    expect(existsSync(join(repoRoot, 'apps', app, 'dist', 'main.js'))).toBe(true);
    const manifest = JSON.parse(readFileSync(join(repoRoot, 'apps', app, 'package.json'), 'utf8')) as { main: string };
    expect(posix.normalize(`apps/${app}/${manifest.main}`)).toBe(`apps/${app}/dist/main.js`);
    expect(last(only(final, 'USER')).args).toBe('65532:65532');
    expect(last(only(final, 'WORKDIR')).args).toBe('/app');
    const copies = only(final, 'COPY').map((c) => [c.flags['from'], copyPaths(c).sources, copyPaths(c).dest]);
    expect(copies).toEqual([
      ['deps', ['/app/'], './'],
      ['build', ['/out/dist/'], './'],
    ]);
  });

  test('a HEALTHCHECK on the app\'s health port, and EXPOSE of the same port', () => {
    const checks = only(final, 'HEALTHCHECK');
    expect(checks).toHaveLength(1);
    const check = last(checks);
    const m = /^(--\S+\s+)*CMD\s+(\[.*\])$/.exec(check.args);
    expect(m).not.toBeNull();
    const argv = JSON.parse((m as RegExpExecArray)[2] as string) as string[];
    expect(argv[0]).toBe('/nodejs/bin/node');
    expect(argv[2]).toContain(`process.env.${facts.portVar} || ${facts.port}`);
    expect(argv[2]).toContain("'/healthz'");
    expect(only(final, 'EXPOSE').map((e) => e.args)).toEqual([String(facts.port)]);
    const envs = only(final, 'ENV').map((e) => e.args).join(' ');
    expect(envs).toContain(`${facts.portVar}=${facts.port}`);
    if (app === 'ingest-api') expect(envs).toContain('WEB_CONCURRENCY=1');
  });
});

describe('deploy/docker/migrate.Dockerfile', () => {
  const file = readDockerfile(join(dockerDir, 'migrate.Dockerfile'));
  const final = last(file.stages);

  test('multi-stage; every COPY source exists in the context and is not excluded by .dockerignore', () => {
    commonChecks(file);
  });

  test('the default target runs the migrations with node, as non-root, and nothing else', () => {
    expect(final.name).toBe('migrate');
    expect(command(final)).toEqual(['/nodejs/bin/node', 'libs/tracking/dist/migrate-cli.js', 'deploy']);
    expect(last(only(final, 'USER')).args).toBe('65532:65532');
    const fromContext = only(final, 'COPY').filter((c) => !c.flags['from']).flatMap((c) => copyPaths(c).sources);
    expect(fromContext).toContain('libs/tracking/prisma/');
    expect(existsSync(join(repoRoot, 'libs/tracking/prisma/migrations/migration_lock.toml'))).toBe(true);
  });

  test('every module the migration entry imports is compiled in the build stage, and every package it needs is installed', () => {
    const build = stageNamed(file, 'build');
    const copied = only(build, 'COPY')
      .filter((c) => !c.flags['from'])
      .flatMap((c) => {
        const { sources, dest } = copyPaths(c);
        return sources.map((s) => (s.endsWith('/') ? s : posix.join(dest, posix.basename(s))));
      });
    const tsconfigPath = 'libs/tracking/tsconfig.migrate.json';
    expect(copied).toContain(tsconfigPath);
    const included = (JSON.parse(readFileSync(join(repoRoot, tsconfigPath), 'utf8')) as { include: string[] }).include.map((f) => posix.join('libs/tracking', f));
    const compiles = only(build, 'RUN').flatMap((r) => shellCommands(r.args)).filter((c) => c.includes('node_modules/typescript/bin/tsc'));
    expect(compiles.map((c) => c[c.indexOf('-p') + 1])).toEqual([tsconfigPath]);
    // The final stage takes what that compile wrote.
    expect(only(final, 'COPY').filter((c) => c.flags['from'] === 'build').map((c) => copyPaths(c))).toEqual([{ sources: ['/app/libs/tracking/dist/'], dest: 'libs/tracking/dist/' }]);
    const pruneDeps = only(stageNamed(file, 'prune'), 'RUN')
      .flatMap((r) => shellCommands(r.args))
      .filter((c) => c.includes('/out/runtime'))
      .map((c) => (c[c.indexOf('--deps') + 1] as string).split(','))[0];
    expect(pruneDeps).toBeDefined();
    const tracking = JSON.parse(readFileSync(join(repoRoot, 'libs/tracking/package.json'), 'utf8')) as { dependencies: Record<string, string> };
    for (const dep of pruneDeps ?? []) expect(Object.keys(tracking.dependencies)).toContain(dep);

    const seen = new Set<string>();
    const queue = ['libs/tracking/src/migrate-cli.ts'];
    while (queue.length) {
      const rel = queue.shift() as string;
      if (seen.has(rel)) continue;
      seen.add(rel);
      expect({ module: rel, copied: copied.includes(rel), compiled: included.includes(rel) }).toEqual({ module: rel, copied: true, compiled: true });
      const source = readFileSync(join(repoRoot, rel), 'utf8');
      const specifiers = [...source.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|\brequire(?:\.resolve)?\s*\(\s*)['"]([^'"]+)['"]/g)].map((m) => m[1] as string);
      for (const spec of specifiers) {
        if (spec.startsWith('.')) queue.push(`${posix.join(posix.dirname(rel), spec)}.ts`);
        else if (!spec.startsWith('node:')) {
          const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : (spec.split('/')[0] as string);
          expect({ module: rel, imports: pkg, installed: (pruneDeps ?? []).includes(pkg) }).toEqual({ module: rel, imports: pkg, installed: true });
        }
      }
    }
    expect(seen.size).toBeGreaterThanOrEqual(2);
  });

  test('the migrate-prisma-cli target runs `prisma migrate deploy` with the config it copies', () => {
    const cli = stageNamed(file, 'migrate-prisma-cli');
    expect(command(cli)).toEqual(['node', 'node_modules/prisma/build/index.js', 'migrate', 'deploy', '--config', 'prisma.config.mjs']);
    const copies = only(cli, 'COPY').filter((c) => !c.flags['from']).map((c) => copyPaths(c));
    expect(copies).toContainEqual({ sources: ['deploy/docker/migrate/prisma.config.mjs'], dest: './' });
    expect(copies).toContainEqual({ sources: ['libs/tracking/prisma/'], dest: 'libs/tracking/prisma/' });
    const config = readFileSync(join(repoRoot, 'deploy/docker/migrate/prisma.config.mjs'), 'utf8');
    expect(config).toContain("schema: 'libs/tracking/prisma/schema.prisma'");
    expect(config).toContain("migrations: { path: 'libs/tracking/prisma/migrations' }");
    expect(config).toContain('process.env.DATABASE_URL');
    expect(last(only(cli, 'USER')).args).toBe('65532:65532');
  });
});

describe('.dockerignore', () => {
  test.each([
    'package.json',
    'package-lock.json',
    'tsconfig.base.json',
    'apps/ingest-api/src/main.ts',
    'apps/email-worker/tsconfig.app.json',
    'libs/contracts/src/index.ts',
    'libs/tracking/prisma/schema.prisma',
    'libs/tracking/prisma/migrations/migration_lock.toml',
    'tools/docker/prune-workspace.mjs',
    'libs/tracking/scripts/prisma-generate.mjs',
    'libs/tracking/src/migrate-cli.ts',
    'libs/tracking/tsconfig.migrate.json',
    'deploy/docker/migrate/prisma.config.mjs',
  ])('sends %s', (path) => {
    expect(existsSync(join(repoRoot, path))).toBe(true);
    expect(ignore.includes(path)).toBe(true);
  });

  test.each([
    'node_modules/fastify/package.json',
    'apps/ingest-api/node_modules/fastify-plugin/package.json',
    'libs/contracts/node_modules/ajv/package.json',
    'apps/ingest-api/dist/main.js',
    'libs/tracking/dist/index.js',
    'libs/tracking/src/generated/prisma/client.ts',
    'libs/runtime/src/config.spec.ts',
    'apps/ingest-api/test/north.test.ts',
    'apps/ingest-api/out-tsc/spec/x.d.ts',
    '.git/HEAD',
    '.env',
    'apps/ingest-api/.env',
    '.local/kafka/server.log',
    'tmp/test-results.json',
    'deploy/charts/ingest-api/values.yaml',
    'tools/platform/src/kafka.mjs',
    'docker-compose.yml',
  ])('keeps %s out', (path) => {
    expect(ignore.includes(path)).toBe(false);
  });

  test('the matcher follows Docker: last match wins, parents count, ** spans directories', () => {
    const m = new DockerIgnore('*\n!keep/\nkeep/**/secret*\n!keep/a/secret-ok\n');
    expect(m.includes('other.txt')).toBe(false);
    expect(m.includes('keep/a/b.txt')).toBe(true);
    expect(m.includes('keep/a/b/secret.key')).toBe(false);
    expect(m.includes('keep/secret.key')).toBe(false);
    expect(m.includes('keep/a/secret-ok')).toBe(true);
  });
});
