const { projectJestConfig } = require('../jest.preset.cjs');

module.exports = projectJestConfig('deploy', __dirname);
