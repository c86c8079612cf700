const { projectJestConfig } = require('../../jest.preset.cjs');

module.exports = projectJestConfig('kafka', __dirname);
