const { projectJestConfig } = require('../../jest.preset.cjs');

module.exports = {
  ...projectJestConfig('webhook-receiver', __dirname),
  globalSetup: '<rootDir>/../../tools/platform/src/jest-global-setup.cjs',
};
