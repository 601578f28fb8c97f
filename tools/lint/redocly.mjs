// Runs Redocly (redocly.yaml: the `recommended` ruleset) on each contract given and fails on
// any error or warning that .redocly.lint-ignore.yaml does not list as deliberate: Redocly
// itself fails on errors only.
import { spawnSync } from 'node:child_process';

const bin = new URL('./node_modules/.bin/redocly', import.meta.url).pathname;
const env = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' };
let bad = 0;
for (const file of process.argv.slice(2)) {
  const run = spawnSync(bin, ['lint', '--config', 'redocly.yaml', '--format=json', file], { env, encoding: 'utf8' });
  let report;
  try {
    report = JSON.parse(run.stdout);
  } catch {
    console.error(`redocly: ${file}: no report (exit ${run.status})\n${run.stderr}`);
    process.exit(2);
  }
  const { totals, problems } = report;
  for (const p of problems) {
    const at = p.location?.[0];
    console.error(`${file}:${at?.start?.line ?? 0}: ${p.severity} ${p.ruleId}: ${p.message} (${at?.pointer})`);
  }
  bad += totals.errors + totals.warnings;
  console.log(`redocly ${file}: ${totals.errors} errors, ${totals.warnings} warnings, ${totals.ignored} deliberate`);
}
if (bad > 0) {
  console.error('redocly: every problem fails `make lint` unless tools/lint/.redocly.lint-ignore.yaml lists it, with its reason');
  process.exit(1);
}
