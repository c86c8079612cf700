const { projectJestConfig } = require('../../jest.preset.cjs');

module.exports = projectJestConfig('bench', __dirname);
