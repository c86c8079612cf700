const { projectJestConfig } = require('../../jest.preset.cjs');

module.exports = projectJestConfig('contracts', __dirname);
