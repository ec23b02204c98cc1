/**
 * The GitHub Actions workflows cannot run here (no network); they are checked against the
 * workflow schema (@action-validator/core bundles SchemaStore's), and every npm script
 * they run must exist.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { validateWorkflow } from '@action-validator/core';

import { ROOT } from './support/paths';

const dir = path.join(ROOT, '.github', 'workflows');
const workflows = fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
const scripts = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;

test('there is a release workflow', () => {
  expect(workflows).toContain('prebuilds.yml');
});

test.each(workflows)('%s matches the GitHub workflow schema and runs only npm scripts that exist', (file) => {
  const source = fs.readFileSync(path.join(dir, file), 'utf8');
  expect(validateWorkflow(source).errors).toEqual([]);
  for (const [, script] of source.matchAll(/npm run ([\w:-]+)/g)) expect(Object.keys(scripts)).toContain(script);
});

test('the validator does catch mistakes', () => {
  const broken = 'name: x\non: push\njobs:\n  a:\n    runs-on: ubuntu-22.04\n    stepz: []\n';
  expect(validateWorkflow(broken).errors.length).toBeGreaterThan(0);
});
