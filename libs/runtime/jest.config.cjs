const { projectJestConfig } = require('../../jest.preset.cjs');

module.exports = projectJestConfig('runtime', __dirname);
