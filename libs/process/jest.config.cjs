const { projectJestConfig } = require('../../jest.preset.cjs');

module.exports = projectJestConfig('process', __dirname);
