const { projectJestConfig } = require('../../jest.preset.cjs');

module.exports = projectJestConfig('webhook-receiver', __dirname);
