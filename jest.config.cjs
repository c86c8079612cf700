/** All projects in one Jest run (what `npm test` uses); `nx test <project>` runs one. */
const { readdirSync, existsSync } = require('node:fs');
const { join } = require('node:path');

const nested = ['apps', 'libs', 'tools'].flatMap((group) =>
  existsSync(join(__dirname, group))
    ? readdirSync(join(__dirname, group))
        .map((name) => join(__dirname, group, name, 'jest.config.cjs'))
        .filter((file) => existsSync(file))
    : [],
);

const single = ['deploy', 'e2e'].map((dir) => join(__dirname, dir, 'jest.config.cjs')).filter((file) => existsSync(file));
const projects = [...nested, ...single];

module.exports = { projects };
