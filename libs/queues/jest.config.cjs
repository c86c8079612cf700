const { projectJestConfig } = require('../../jest.preset.cjs');

module.exports = projectJestConfig('queues', __dirname);
