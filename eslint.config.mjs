// Lint for the whole workspace. Module boundaries are enforced with real constraints:
//   type:app        -> contracts, domain, data-access, util (never another app)
//   type:domain     -> contracts, util
//   type:data-access-> contracts, domain (the ports it implements), util, data-access
//   type:util       -> util
//   type:contracts  -> contracts only, and no infrastructure library at all
//   type:errors     -> nothing at all (libs/errors: HeraldError, the base of Herald's errors);
//                      every tag but client may import it
//   type:testing    -> anything but apps; only test files (and tools) may import it
//   type:tool       -> libraries, the API client and the test harness (benchmarks, generators)
//   type:client     -> nothing of Herald's (@herald/client is for API consumers: it is generated
//                      from the OpenAPI document and imports only openapi-fetch and fetch-retry);
//                      apps may not import it (they are the server); the test harness, e2e tests
//                      and tools may
// The Kafka client (kafkajs) may be imported only by libs/kafka, BullMQ only by libs/queues and
// the apps that run workers, Prisma only by libs/tracking.
import nx from '@nx/eslint-plugin';
import importX from 'eslint-plugin-import-x';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const infrastructure = ['kafkajs', 'bullmq', 'ioredis', '@prisma/*', 'pg', 'nodemailer', 'fastify', '@fastify/*', 'pino', 'undici'];
const notKafka = ['kafkajs'];
const notPrisma = ['@prisma/*', 'pg'];

// Each infrastructure client has one home; everywhere else it is out of bounds. A home project
// lifts the ban in its own eslint.config.mjs with allow(...), e.g. libs/kafka: allow('kafkajs').
const bans = {
  kafkajs: { group: ['kafkajs'], message: 'Only libs/kafka talks to Kafka: use @herald/kafka.' },
  prisma: { group: ['@prisma/*', 'pg'], message: 'Only libs/tracking talks to PostgreSQL: use @herald/tracking.' },
  bullmq: { group: ['bullmq'], message: 'BullMQ belongs to libs/queues and the apps that run workers.' },
};
const restricted = (...allowed) => ({
  'no-restricted-imports': ['error', { patterns: Object.entries(bans).filter(([name]) => !allowed.includes(name)).map(([, ban]) => ban) }],
});

/** Config entries that let a project import the named clients (kafkajs, prisma, bullmq). */
export function allow(...clients) {
  return [{ files: ['**/*.ts', '**/*.mjs', '**/*.cjs'], rules: restricted(...clients) }];
}

/** Module boundaries for production files (tests get theirs below). */
const boundaries = [
  'error',
  {
    enforceBuildableLibDependency: true,
    banTransitiveDependencies: true,
    // Bans apply to what a project imports itself: the domain may use runtime's pure
    // helpers (backoff) although runtime, elsewhere, imports pino.
    checkNestedExternalImports: false,
    // npm start imports @herald/process only once its build has made it (start.mjs), while the
    // platform modules it then loads import it statically: not a lazy-loaded library.
    checkDynamicDependenciesExceptions: ['@herald/process'],
    depConstraints: [
      { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:errors', 'type:contracts', 'type:domain', 'type:data-access', 'type:util'] },
      { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:errors', 'type:contracts', 'type:util'], bannedExternalImports: [...infrastructure] },
      { sourceTag: 'type:data-access', onlyDependOnLibsWithTags: ['type:errors', 'type:contracts', 'type:domain', 'type:util', 'type:data-access'] },
      { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:errors', 'type:util'], bannedExternalImports: [...notKafka, ...notPrisma, 'bullmq'] },
      { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:errors', 'type:contracts'], bannedExternalImports: [...infrastructure] },
      { sourceTag: 'type:errors', onlyDependOnLibsWithTags: [], allowedExternalImports: [] },
      { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:errors', 'type:contracts', 'type:domain', 'type:data-access', 'type:util', 'type:testing', 'type:client', 'type:dev'] },
      { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:errors', 'type:contracts', 'type:domain', 'type:data-access', 'type:util', 'type:testing', 'type:client', 'type:dev'] },
      { sourceTag: 'type:client', onlyDependOnLibsWithTags: ['type:client'], allowedExternalImports: ['openapi-fetch', 'fetch-retry'] },
      // Processes for the tools and the test harness (@herald/process): never in a service.
      { sourceTag: 'type:dev', onlyDependOnLibsWithTags: ['type:errors'], bannedExternalImports: [...notKafka, ...notPrisma, 'bullmq'] },
    ],
  },
];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  {
    ignores: ['**/dist', '**/out-tsc', '**/node_modules', '**/generated', '**/.local', 'tools/bench/results'],
  },
  {
    // The scripts (tools/platform, tools/docker, tools/bench/bin, deploy/scripts, the sms sink) and
    // the config files: the same hygiene and the same one home per infrastructure client as the
    // TypeScript; their types are checked by each project's checkJs tsconfig (typecheck target).
    // They are command-line programs: reading process.env is their job.
    files: ['**/*.mjs', '**/*.cjs'],
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'error',
      ...restricted(),
      '@nx/enforce-module-boundaries': boundaries,
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
  },
  {
    // The scripts that a checkJs tsconfig includes get the promise rules, which need types.
    files: ['tools/platform/src/**/*.mjs', 'libs/tracking/scripts/**/*.mjs', 'tools/sms-sink/src/**/*.mjs', 'tools/docker/prune-workspace.mjs', 'tools/bench/bin/**/*.mjs', 'deploy/scripts/**/*.mjs', 'deploy/test/support/**/*.mjs'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/await-thenable': 'error',
    },
  },
  {
    // Each project's eslint and jest config extends the workspace's by relative path, by design.
    files: ['**/eslint.config.mjs', '**/jest.config.cjs'],
    rules: { '@nx/enforce-module-boundaries': 'off' },
  },
  {
    files: ['**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'import-x/no-cycle': ['error', { maxDepth: Infinity }],
      ...restricted(),
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='process'][property.name='env']",
          message: 'Read configuration only in the config module (src/config.ts) and pass it down.',
        },
      ],
      '@nx/enforce-module-boundaries': boundaries,
    },
  },
  {
    // The config module of each process is the one place that reads process.env.
    files: ['**/src/config.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    // Test files may use the test harness; production files may not.
    files: ['**/*.spec.ts', '**/test/**/*.ts'],
    rules: {
      'no-restricted-syntax': 'off',
      '@nx/enforce-module-boundaries': [
        'error',
        {
          allow: ['@herald/testing'],
          depConstraints: [
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:errors', 'type:contracts', 'type:domain', 'type:data-access', 'type:util', 'type:testing'] },
            { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:errors', 'type:contracts', 'type:util', 'type:testing'] },
            { sourceTag: 'type:data-access', onlyDependOnLibsWithTags: ['type:errors', 'type:contracts', 'type:domain', 'type:util', 'type:data-access', 'type:testing'] },
            { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:errors', 'type:util', 'type:testing', 'type:dev'] },
            { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:errors', 'type:contracts', 'type:testing'] },
            { sourceTag: 'type:errors', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:errors', 'type:contracts', 'type:domain', 'type:data-access', 'type:util', 'type:testing', 'type:client', 'type:dev'] },
            { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:errors', 'type:contracts', 'type:util', 'type:testing', 'type:app', 'type:client', 'type:dev'] },
            { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:errors', 'type:contracts', 'type:domain', 'type:data-access', 'type:util', 'type:testing', 'type:client', 'type:dev'] },
            { sourceTag: 'type:client', onlyDependOnLibsWithTags: ['type:client'] },
            { sourceTag: 'type:dev', onlyDependOnLibsWithTags: ['type:errors', 'type:dev'] },
          ],
        },
      ],
    },
  },
];
