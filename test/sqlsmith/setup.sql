-- The database sqlsmith works on (run_sqlsmith.sh): the extension, sample
-- tables holding every type the extension takes or returns, with realistic
-- and extreme values, and the unprivileged role sqlsmith connects as.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;

CREATE EXTENSION artbandit;

-- An exploration log: realistic rows from the simulator...
CREATE TABLE smith_log AS
SELECT impression_id, user_id, show_id, day, context, candidates, image_id, propensity,
       played, minutes, play_probabilities,
       ARRAY['show=' || show_id, 'day=' || day, 'hour=' || hour] AS tokens,
       (ARRAY['greedy', 'softmax(temperature=0.5)', 'linucb(alpha=1)', 'thompson',
              'epsilon_greedy(epsilon=0.1)', 'uniform'])[1 + impression_id % 6] AS policy
FROM simulate_impressions(3000, 20, 4, 8, 42);

-- ...and extreme ones: NULLs, -0, subnormals, huge values, NaN, infinities,
-- empty, two-dimensional, NULL-holding, lower-bound-not-1 and long arrays,
-- garbage policies.
INSERT INTO smith_log VALUES
 (-1, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
 (-2, 0, 0, 0, '{}', '{}', 0, 0, false, '-0', '{}', '{}', ''),
 (-3, -9223372036854775808, -2147483648, 2147483647, '{NaN,1,2,3,4,5,6,7}',
  '{1,2,3,4}', 9223372036854775807, 'NaN', true, 'Infinity', '{NaN}', '{NULL}', 'bogus'),
 (-4, 9223372036854775807, 1, 1, '{Infinity,-Infinity,0,0,0,0,0,0}', '{1,1,1,1}', 1,
  '-Infinity', true, '-Infinity', '{Infinity}', '{{a,b},{c,d}}', 'greedy('),
 (-5, 1, 1, 1, '{1e308,1e308,1e308,1e308,1e308,1e308,1e308,1e308}', '{1001,1002,1003,1004}',
  1001, 5e-324, true, 1e308, '{1e308,-1e308}', '[0:1]={x,y}', 'softmax(temperature=1e-300)'),
 (-6, 1, 1, 1, '{5e-324,-5e-324,0,-0,1e-300,1e-308,2.2e-308,1}', '{1001,NULL}', 1001, 1e-300,
  false, 5e-324, '{5e-324}', '{NULL,a}', 'thompson(scale=1e300)'),
 (-7, 1, 1, 1, '{{1,2,3,4},{5,6,7,8}}', '{{1001,1002},{1003,1004}}', 1002, 1, true, 1,
  '{{0.5,0.5}}', '{}', 'linucb(alpha=1e308)'),
 (-8, 1, 1, 1, '[0:7]={1,0,0,0,0,0,0,0}', '[5:8]={1001,1002,1003,1004}', 1003, 0.25, true, 1,
  '[0:3]={0.25,0.25,0.25,0.25}', '[-1:0]={a,b}', 'greedy(ridge=5e-324)'),
 (-9, 1, 1, 1, '{1,NULL,0,0,0,0,0,0}', '{}', 1004, 1.0000000000000002, true, -1,
  '{0.5,NULL}', '{NULL}', ''),
 (-10, 1, 1, 1, ARRAY(SELECT sin(g)::float8 FROM generate_series(1, 2000) g),
  ARRAY(SELECT g::int8 FROM generate_series(1, 2000) g), 7, 0.5, true, 2,
  ARRAY(SELECT 1.0 / 2000 FROM generate_series(1, 2000))::float8[],
  ARRAY(SELECT 't' || g FROM generate_series(1, 2000) g), repeat('x', 5000)),
 (-11, 1, 1, 1, '{1,0.5,0,1,0,0,1,0}', '{9223372036854775807,-9223372036854775808}',
  -9223372036854775808, 1e-154, true, 1e154, '{1,0}', '{genre=anime,country=BR}',
  'epsilon_greedy(epsilon=1, ridge=1e308)');

-- Fitted models per show, and extreme ones.
CREATE TABLE smith_models AS
SELECT show_id, bandit_fit(image_id, context, played::int) AS model,
       bandit_fit(image_id, context, minutes, 1 + (impression_id % 3)) AS minutes_model
FROM smith_log WHERE impression_id > 0 GROUP BY show_id;
INSERT INTO smith_models VALUES
 (-1, NULL, NULL),
 (-2, '{"version":1,"dim":8,"arms":[]}', '{"version":1,"dim":3,"arms":[]}'),
 (-3, '{"version":1,"dim":1,"arms":[{"action":-9223372036854775808,"n":9223372036854775807,"weight":2.2471164185778946e307,"sum_wr":-1e-9,"sum_wr2":5e-324,"A":[[5e-324]],"b":[-0]},{"action":9223372036854775807,"n":0,"weight":0,"sum_wr":0,"sum_wr2":0,"A":[[0]],"b":[0]}]}',
  (SELECT bandit_fit(1 + i % 2, ARRAY[1e100 * i, 1]::float8[], 1e100 * (i % 3)) FROM generate_series(1, 10) i)),
 (-4, (SELECT bandit_fit(1 + i % 2, ARRAY[1, 1, 1, 1, 1, 1, 1, 1]::float8[], i % 2) FROM generate_series(1, 40) i),
  (SELECT bandit_fit(1 + i % 2, ARRAY[1e-300 * i, 5e-324]::float8[], i, 1e-300) FROM generate_series(1, 10) i)),
 (-5, (SELECT bandit_fit(i % 12, ARRAY(SELECT sin(i * j)::float8 FROM generate_series(1, 8) j), cos(i), 0) FROM generate_series(1, 100) i),
  (SELECT bandit_fit(-1, ARRAY(SELECT sin(i + j)::float8 FROM generate_series(1, 64) j), i) FROM generate_series(1, 3) i)),
 (-6, (SELECT bandit_fit(i % 500, ARRAY[1, (i % 13) / 13.0, (i % 7) / 7.0, 0, 0, 0, 0, 1]::float8[], (i % 3 = 0)::int) FROM generate_series(1, 2000) i),
  (SELECT bandit_fit(5, ARRAY[2]::float8[], 1)));

-- OPE states per day (basic and with reward-model inputs), and extreme ones.
CREATE TABLE smith_states AS
SELECT day, ope_accumulate(played::int, propensity, (image_id % 4 = 1)::int) AS state,
       ope_accumulate(minutes, propensity, 0.5, 10, 20) AS state_dr,
       (ARRAY['replay', 'ips', 'snips', 'dm', 'dr', 'sndr'])[1 + day % 6] AS estimator
FROM smith_log WHERE impression_id > 0 GROUP BY day;
INSERT INTO smith_states VALUES
 (-1, NULL, NULL, NULL),
 (-2, (SELECT ope_accumulate(1, 1, 1) WHERE false), (SELECT ope_accumulate(1, 1, 1, 1, 1) WHERE false), ''),
 (-3, (SELECT ope_accumulate(1, 0.5, 0) FROM generate_series(1, 3)), (SELECT ope_accumulate(1, 0.25, 1, 0.5, 0.75)), 'bogus'),
 (-4, (SELECT ope_accumulate(r, 1, 1) FROM (VALUES (1e150), (-1e150)) v(r)),
  (SELECT ope_accumulate(1, 0.5, 1, q, v) FROM (VALUES (1e150, -1e150)) x(q, v)), 'IPS'),
 (-5, (SELECT ope_accumulate(1, mu, 1) FROM (VALUES (1e-150), (1)) v(mu)),
  (SELECT ope_accumulate(1e100, 1, 1, -1e100, 1e100)), 'sndr'),
 (-6, (SELECT ope_accumulate(NULL::float8, 0.5, 1) FROM generate_series(1, 3)),
  (SELECT ope_accumulate(0, 1, 0, 0, 0) FROM generate_series(1, 2)), 'dm'),
 (-7, (SELECT ope_accumulate(x, 1, 1) FROM (VALUES (1e-300), (5e-324)) v(x)),
  (SELECT ope_accumulate(1, 1e-150, 1, 1e-300, 1e150)), 'replay');

-- Scalars and arrays of every argument type.
CREATE TABLE smith_values (id int, x float8, k int8, n int4, b bool, t text,
                           xs float8[], ks int8[], ts text[]);
INSERT INTO smith_values VALUES
 (1, 0, 0, 0, false, '', '{}', '{}', '{}'),
 (2, '-0', 1, 1, true, 'greedy', '{1}', '{1}', '{a}'),
 (3, 1, -1, -1, NULL, 'ips', '{0.5,0.5}', '{1,2}', '{a,b}'),
 (4, -1, 9223372036854775807, 2147483647, true, 'thompson(scale=1e-300)', '{0.25,0.25,0.25,0.25}', '{1001,1002,1003,1004}', '{genre=anime}'),
 (5, 1e308, -9223372036854775808, -2147483648, false, 'linucb(alpha=0.5, ridge=2)', '{1e308,1e308}', '{9223372036854775807,-9223372036854775808}', '{{a,b},{c,d}}'),
 (6, -1e308, 42, 1024, true, 'softmax(temperature=5e-324)', '{5e-324,-5e-324}', '{1,1}', '{NULL}'),
 (7, 5e-324, 1001, 1025, NULL, 'snips', '{NaN,0}', '{NULL,1}', '[0:1]={x,y}'),
 (8, 1e-300, 4294967296, 1048576, true, 'greedy(', '{Infinity}', '{{1,2},{3,4}}', '{""}'),
 (9, 'NaN', 3, 1048577, false, 'dr', '{{1,2},{3,4}}', '[3:4]={1,2}', NULL),
 (10, 'Infinity', NULL, 8, true, 'uniform', '[0:1]={0.5,0.5}', NULL, '{x}'),
 (11, '-Infinity', 2, 3, false, NULL, '{NULL,1}', '{3,2,1}', '{a,NULL}'),
 (12, NULL, 7, 2, true, 'epsilon_greedy(epsilon=0, ridge=1e-300)', NULL, '{7}', '{token}'),
 (13, 0.5, 1002, 4, true, 'sndr', '{1,0,0,0,0,0,0,0}', '{1002,1003}', '{dow=sat,tod=evening}'),
 (14, 1e-154, 1003, 16, false, 'dm', '{0.7,0.2,0.1}', '{1004}', '{lang=pt}'),
 (15, 1e154, 1004, 6, true, 'replay', '{1,1,1,1,1,1,1,1}', '{1001}', '{country=BR}');

ANALYZE;

-- sqlsmith connects as this unprivileged role: it cannot reach the server's
-- files or other sessions, and its statements are cut after a few seconds.
CREATE ROLE smith LOGIN;
GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA public TO smith;
