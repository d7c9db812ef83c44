#!/usr/bin/env node
// Builds the benches with the fast compiler, then runs the named ones (default: all) in fresh processes.
const { execFileSync } = require('node:child_process');
const { readdirSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
execFileSync(
  process.execPath,
  [join(root, 'node_modules/typescript7/bin/tsc'), '-p', join(root, 'tsconfig.bench.json')],
  {
    stdio: 'inherit',
  },
);
const all = readdirSync(__dirname)
  .filter((f) => f.endsWith('.ts') && f !== 'harness.ts')
  .map((f) => f.slice(0, -3));
const wanted = process.argv.slice(2);
for (const name of wanted.length ? wanted : all) {
  if (!all.includes(name)) throw new Error(`no bench named ${name}; have: ${all.join(', ')}`);
  console.log(`\n== bench ${name}`);
  execFileSync(process.execPath, ['--expose-gc', join(root, 'dist', 'bench', `${name}.js`)], {
    stdio: 'inherit',
  });
}
