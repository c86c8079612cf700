const { projectJestConfig } = require('../../jest.preset.cjs');

module.exports = projectJestConfig('errors', __dirname);
