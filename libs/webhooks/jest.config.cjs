const { projectJestConfig } = require('../../jest.preset.cjs');

module.exports = projectJestConfig('webhooks', __dirname);
