const { projectJestConfig } = require('../../jest.preset.cjs');

module.exports = projectJestConfig('client', __dirname);
