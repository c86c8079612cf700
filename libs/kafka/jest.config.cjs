const { projectJestConfig } = require('../../jest.preset.cjs');

module.exports = {
  ...projectJestConfig('kafka', __dirname),
  globalSetup: '<rootDir>/../../tools/platform/src/jest-global-setup.cjs',
};
