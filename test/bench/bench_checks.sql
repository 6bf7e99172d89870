-- Before any timing: the compared queries must compute the same thing.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;

CREATE FUNCTION pg_temp.assert(ok bool, what text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF ok IS NOT TRUE THEN
        RAISE EXCEPTION 'benchmark check failed: %', what;
    END IF;
END $$;

CREATE FUNCTION pg_temp.close(a float8, b float8, tol float8) RETURNS bool
    LANGUAGE sql IMMUTABLE AS $$ SELECT abs(a - b) <= tol * greatest(abs(a), abs(b), 1e-300) $$;

-- hand-written SQL = ope_report (1e-9: the SQL sums are not compensated)
SET max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE serial_state AS SELECT ope_accumulate(r, mu, pi, q, v) AS s FROM bench_log;
CREATE TEMP TABLE hand AS :hand;
INSERT INTO hand :hand_conventional;
SELECT pg_temp.assert(pg_temp.close(h.ips, ope_estimate(s, 'ips'), 1e-9)
                  AND pg_temp.close(h.snips, ope_estimate(s, 'snips'), 1e-9)
                  AND pg_temp.close(h.dr, ope_estimate(s, 'dr'), 1e-9)
                  AND pg_temp.close(h.ips_se, (SELECT std_error FROM ope_report(s) WHERE estimator = 'ips'), 1e-6)
                  AND pg_temp.close(h.snips_se, (SELECT std_error FROM ope_report(s) WHERE estimator = 'snips'), 1e-6)
                  AND pg_temp.close(h.dr_se, (SELECT std_error FROM ope_report(s) WHERE estimator = 'dr'), 1e-6),
                  'hand-written SQL and ope_report disagree')
FROM hand h, serial_state;
SELECT pg_temp.assert(count(*) = 2, 'both hand-written queries checked') FROM hand;

-- parallel = serial: ope_accumulate to 1e-12, bandit_fit to 1e-12
CREATE TEMP TABLE serial_model AS SELECT bandit_fit(action, context, reward) AS m FROM bench_fit;
SET max_parallel_workers_per_gather = 2;
CREATE TEMP TABLE parallel_state AS SELECT ope_accumulate(r, mu, pi, q, v) AS s FROM bench_log;
CREATE TEMP TABLE parallel_model AS SELECT bandit_fit(action, context, reward) AS m FROM bench_fit;
SELECT pg_temp.assert(bool_and(pg_temp.close(a.estimate, b.estimate, 1e-12)
                               AND pg_temp.close(a.std_error, b.std_error, 1e-12))
                      AND count(*) = 6, 'parallel and serial ope_accumulate disagree')
FROM serial_state, parallel_state,
     ope_report(serial_state.s) a JOIN ope_report(parallel_state.s) b USING (estimator);
SELECT pg_temp.assert(bool_and(a.n = b.n AND pg_temp.close(a.weight, b.weight, 1e-12)
                               AND pg_temp.close(a.mean_reward, b.mean_reward, 1e-12))
                      AND count(*) = 8, 'parallel and serial bandit_fit disagree (arms)')
FROM serial_model, parallel_model,
     bandit_arms(serial_model.m) a JOIN bandit_arms(parallel_model.m) b USING (action);
SELECT pg_temp.assert(bool_and(pg_temp.close(bandit_predict(s.m, x, a), bandit_predict(p.m, x, a), 1e-12)),
                      'parallel and serial bandit_fit disagree (predictions)')
FROM serial_model s, parallel_model p, generate_series(0, 7) a,
     (SELECT context AS x FROM bench_fit LIMIT 20) c;

-- the 1.2 rows: the bootstrap's report is the same doubles serial and in
-- parallel; ope_compare's values are the two ope_accumulate estimates
SET max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE boot_serial AS SELECT ope_bootstrap(r, mu, pi, q, v, u, 200, 0) AS s FROM bench_log12;
CREATE TEMP TABLE cmp AS SELECT ope_compare(r, mu, pi, pb, q, v, vb) AS c, ope_accumulate(r, mu, pi, q, v) AS a FROM bench_log12;
SET max_parallel_workers_per_gather = 2;
CREATE TEMP TABLE boot_parallel AS SELECT ope_bootstrap(r, mu, pi, q, v, u, 200, 0) AS s FROM bench_log12;
SELECT pg_temp.assert(bool_and(a.estimate = b.estimate AND a.std_error = b.std_error AND a.ci_lower = b.ci_lower)
                      AND count(*) = 6, 'parallel and serial ope_bootstrap disagree')
FROM boot_serial, boot_parallel,
     ope_bootstrap_report(boot_serial.s) a JOIN ope_bootstrap_report(boot_parallel.s) b USING (estimator);
SELECT pg_temp.assert(bool_and(r.value_a = o.estimate), 'ope_compare and ope_accumulate disagree')
FROM cmp, ope_compare_report(c) r JOIN ope_report(a) o USING (estimator);
