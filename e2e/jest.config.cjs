const { projectJestConfig } = require('../jest.preset.cjs');

module.exports = {
  ...projectJestConfig('e2e', __dirname),
  globalSetup: '<rootDir>/../tools/platform/src/jest-global-setup.cjs',
};
