const { projectJestConfig } = require('../../jest.preset.cjs');

module.exports = projectJestConfig('client-gen', __dirname);
