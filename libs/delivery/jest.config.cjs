const { projectJestConfig } = require('../../jest.preset.cjs');

module.exports = projectJestConfig('delivery', __dirname);
