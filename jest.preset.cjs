/**
 * Shared Jest settings. Each project's jest.config.cjs calls projectJestConfig(name, __dirname).
 * TypeScript runs through SWC (fast, no type checking: `nx run-many -t typecheck` does that), and
 * workspace libraries resolve to their sources through the `@herald/source` export condition.
 * Unit tests are src/**\/*.spec.ts, integration tests test/**\/*.test.ts.
 */
const swc = {
  jsc: {
    parser: { syntax: 'typescript' },
    target: 'es2022',
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};

function projectJestConfig(name, dir) {
  return {
    displayName: name,
    rootDir: dir,
    testEnvironment: 'node',
    testEnvironmentOptions: { customExportConditions: ['@herald/source', 'node', 'node-addons'] },
    transform: { '^.+\\.ts$': ['@swc/jest', swc] },
    moduleFileExtensions: ['ts', 'js', 'cjs', 'json'],
    // TypeScript sources that import './x.js' (the generated Prisma client does) resolve to x.ts.
    moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
    testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.test.ts'],
    coverageDirectory: `../../coverage/${name}`,
  };
}

module.exports = { projectJestConfig };
