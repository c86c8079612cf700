const { projectJestConfig } = require('../../jest.preset.cjs');

module.exports = projectJestConfig('testing', __dirname);
