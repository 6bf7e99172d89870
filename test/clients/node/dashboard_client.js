// node-postgres (pg from npm, pinned by package-lock.json) against the
// dashboard queries.
//
// Builds the tables of ../fixture.sql (its path is the first argument), runs
// the README "Clients" snippet (the lines between the README markers below,
// word for word: run_clients.sh compares them), then checks the JavaScript
// type of every value and the values against the log's rows, recomputed
// here, and the hand values in fixture.sql.  Output is TAP; exit status 1
// on any failure.
'use strict';
const fs = require('fs');

const Z95 = 1.959963984540054;
let tests = 0;
let failed = false;

function check(ok, what) {
  tests++;
  failed = failed || !ok;
  console.log(`${ok ? 'ok' : 'not ok'} ${tests} - ${what}`);
}

function close(a, b) {
  return typeof a === 'number' && Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b));
}

// Per policy: the estimates from the log rows (reward model q = v = 0.5).
function expectedFromLog(rows) {
  const out = {};
  for (const policy of ['greedy', 'logging']) {
    const w = rows.map((r) => (policy === 'greedy' ? (r.image_id === '1' ? 1 : 0) : r.propensity) / r.propensity);
    const wr = rows.map((r, i) => w[i] * (r.played ? 1 : 0));
    const sum = (a) => a.reduce((s, x) => s + x, 0);
    const n = rows.length;
    const ips = sum(wr) / n;
    out[policy] = {
      n, nMatched: w.filter((x) => x > 0).length, snips: sum(wr) / sum(w), ips,
      ipsSe: Math.sqrt(sum(wr.map((t) => (t - ips) ** 2)) / (n - 1)) / Math.sqrt(n),
      dr: sum(rows.map((r, i) => 0.5 + w[i] * ((r.played ? 1 : 0) - 0.5))) / n,
      ess: sum(w) ** 2 / sum(w.map((x) => x * x)), sumW: sum(w),
    };
  }
  return out;
}

async function main() {
  const setup = new (require('pg').Client)();
  await setup.connect();
  await setup.query(fs.readFileSync(process.argv[2], 'utf8'));
  const log = (await setup.query('SELECT impression_id, day, image_id, propensity, played '
    + 'FROM impressions_log ORDER BY impression_id')).rows;
  await setup.end();
  const exp = expectedFromLog(log);
  check(close(exp.greedy.snips, 6 / 7) && exp.greedy.ips === 1.5 && exp.greedy.dr === 1.125
        && exp.logging.snips === 0.625, "the log's recomputed estimates are the hand values");

  // README: begin js
  const { Client } = require('pg');

  const client = new Client(); // host, port, database, user from PGHOST, PGPORT, ...
  await client.connect();

  // plain columns: float8 -> number, bigint -> string, text[] -> array, boolean -> boolean
  const dashboard = (await client.query(`
    SELECT policy, estimator, estimate, std_error, ci_lower, ci_upper, n, match_rate, warnings, provisional
    FROM ope_rollup_report('ope_daily_results', current_date - 7, current_date - 1)
    WHERE estimator = 'ips' ORDER BY policy`)).rows;

  // the README's view rounded to numeric: a string ('1.1250')
  const rounded = (await client.query(`
    SELECT policy, estimator, round(estimate::numeric, 4) AS estimate, n, days
    FROM ope_last_7_days WHERE estimator IN ('snips', 'dr') ORDER BY policy, estimator`)).rows;

  // a composite column: its text, '(replay,0.8,...)'; SELECT * FROM ... gives columns
  const report = (await client.query(`
    SELECT ope_report(ope_merge(state)) AS r FROM ope_daily_results WHERE policy = 'greedy'`)).rows;
  const expanded = (await client.query(`
    SELECT * FROM ope_report((SELECT ope_merge(state) FROM ope_daily_results
                              WHERE policy = 'greedy'))`)).rows;

  // a state: its JSON text (a string); as jsonb: an object
  const { s: stateText, j: state } = (await client.query(`
    SELECT ope_merge(state) AS s, ope_merge(state)::jsonb AS j
    FROM ope_daily_results WHERE policy = 'greedy'`)).rows[0];
  // README: end js

  // plain columns
  check(dashboard.length === 2, 'ope_rollup_report: one ips row per policy');
  for (const row of dashboard) {
    const e = exp[row.policy];
    check(['estimate', 'std_error', 'ci_lower', 'ci_upper', 'match_rate'].every((k) => typeof row[k] === 'number'),
      `${row.policy}: estimate, std_error, ci_lower, ci_upper, match_rate are numbers`);
    check(typeof row.n === 'string' && row.n === String(e.n), `${row.policy}: n (bigint) is the string '${e.n}'`);
    check(close(row.estimate, e.ips) && close(row.std_error, e.ipsSe),
      `${row.policy}: ips ${e.ips} and its standard error as recomputed`);
    check(close(row.ci_lower, e.ips - Z95 * e.ipsSe) && close(row.ci_upper, e.ips + Z95 * e.ipsSe),
      `${row.policy}: the 95% normal interval`);
    check(close(row.match_rate, e.nMatched / e.n), `${row.policy}: match_rate`);
    check(Array.isArray(row.warnings) && row.warnings.every((x) => typeof x === 'string'),
      `${row.policy}: warnings (text[]) is an array of strings`);
    check(row.provisional === false, `${row.policy}: provisional is a boolean`);
  }

  // rounded numeric
  check(rounded.map((r) => `${r.policy} ${r.estimator}`).join(';') === 'greedy dr;greedy snips;logging dr;logging snips',
    "the README's dashboard query: rows in order");
  for (const r of rounded) {
    check(typeof r.estimate === 'string' && /^\d+\.\d{4}$/.test(r.estimate)
          && Math.abs(Number(r.estimate) - exp[r.policy][r.estimator]) <= 0.00005 + 1e-12,
      `${r.policy} ${r.estimator}: round(estimate::numeric, 4) is the string '${r.estimate}'`);
    check(r.n === '8' && r.days === 2, `${r.policy} ${r.estimator}: n (bigint) is a string, days (integer) a number`);
  }

  // composites
  check(report.length === 6 && report.every((r) => typeof r.r === 'string') && report[0].r.startsWith('(replay,'),
    `ope_result arrives as its text: ${report[0].r.slice(0, 16)}`);
  const byName = Object.fromEntries(report.map((r) => [r.r.slice(1, -1).split(',')[0], r.r.slice(1, -1).split(',')]));
  check(close(Number(byName.snips[1]), exp.greedy.snips) && close(Number(byName.dr[1]), exp.greedy.dr),
    'ope_result text fields as recomputed (floats print exactly)');
  check(expanded.map((r) => r.estimator).join(',') === 'replay,ips,snips,dm,dr,sndr'
        && expanded.every((r) => typeof r.estimate === 'number') && expanded[0].lambda === null,
  'SELECT * FROM ope_report(...): plain columns, numbers, NULL as null');
  check(close(expanded[2].estimate, exp.greedy.snips) && close(expanded[1].std_error, exp.greedy.ipsSe)
        && expanded[3].estimate === 0.5 && expanded[3].ci_lower === null,
  'expanded values as recomputed (dm of a constant model: 0.5, no interval)');

  // states
  check(typeof stateText === 'string' && stateText.startsWith('{"version":'), 'ope_state arrives as its JSON text');
  check(typeof state === 'object' && state.kind === 'dr' && state.n === 8 && state.n_matched === 5,
    'ope_state::jsonb arrives parsed: an object, counts as numbers');
  check(close(state.sums.w, exp.greedy.sumW), `jsonb sums are numbers (sum w = ${exp.greedy.sumW})`);

  // the rest: replay, diagnostics, a time series, bigints, a model
  const take = (await client.query(
    'SELECT replay_take_fraction(image_id, target_image, played) AS t FROM impressions')).rows[0].t;
  check(take === 0.5, 'replay_take_fraction is the number 0.5');
  const d = (await client.query(`SELECT n, n_matched, ess, warnings FROM ope_diagnostics((
    SELECT ope_merge(state) FROM ope_daily_results WHERE policy = 'greedy'))`)).rows[0];
  check(d.n === '8' && d.n_matched === '5', 'ope_diagnostics: n, n_matched (bigint) are strings');
  check(close(d.ess, exp.greedy.ess) && close(d.ess, 196 / 44), 'ope_diagnostics: ess is the number 196/44');
  const series = (await client.query(`SELECT day, day::text AS day_text, policy, estimate
    FROM ope_rollup_report('ope_daily_results', current_date - 3, current_date - 1, by_day => true)
    WHERE estimator = 'snips' ORDER BY day, policy`)).rows;
  const today = (await client.query('SELECT current_date::text AS t')).rows[0].t;
  const twoDaysAgo = new Date(`${today}T00:00:00`);
  twoDaysAgo.setDate(twoDaysAgo.getDate() - 2);
  check(series.length === 4 && series[0].day instanceof Date && series[0].day.getTime() === twoDaysAgo.getTime()
        && typeof series[0].day_text === 'string',
  'by_day: day (date) is a Date at local midnight; day::text a string');
  const big = (await client.query('SELECT max(impression_id) AS id FROM impressions_log')).rows[0].id;
  check(big === '9007199254741007' && String(Number(big)) !== big && BigInt(big) === 2n ** 53n + 15n,
    'bigint above 2^53 arrives as an exact string (Number() would round it, BigInt() is exact)');
  const m = (await client.query(`SELECT m, m::jsonb AS j, m::jsonb -> 'arms' -> 0 ->> 'action' AS action
    FROM (SELECT bandit_fit(a, ARRAY[1.0], 1.0) AS m FROM (VALUES (9007199254740993::int8)) v(a)) f`)).rows[0];
  check(typeof m.j === 'object' && m.j.arms[0].action === 9007199254740992 && m.action === '9007199254740993',
    'banditmodel::jsonb: an action above 2^53 loses precision in JSON.parse; ->> gives the exact text');
  check(typeof m.m === 'string' && m.m.startsWith('{"version":1,'), 'banditmodel arrives as its JSON text');
  await client.end();

  console.log(`1..${tests}`);
  process.exitCode = failed ? 1 : 0;
}

main().catch((err) => {
  console.log(`not ok - ${err.stack}`);
  process.exitCode = 1;
});
