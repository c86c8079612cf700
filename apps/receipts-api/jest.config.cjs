const { projectJestConfig } = require('../../jest.preset.cjs');

module.exports = {
  ...projectJestConfig('receipts-api', __dirname),
  globalSetup: '<rootDir>/../../tools/platform/src/jest-global-setup.cjs',
};
