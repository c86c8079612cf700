const { projectJestConfig } = require('../../jest.preset.cjs');

module.exports = projectJestConfig('delivery-worker', __dirname);
