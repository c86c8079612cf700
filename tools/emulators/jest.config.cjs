const { projectJestConfig } = require('../../jest.preset.cjs');

module.exports = projectJestConfig('emulators', __dirname);
