-- Hand-written SQL for IPS, SNIPS and DR with their standard errors as most
-- people write it: avg() and var_samp() for the means, sums for SNIPS's
-- delta method (the same definitions as ope_report).  hand_written_ope.sql
-- is the faster, sums-only form the target is measured against.
SELECT s.ips, sqrt(s.var_ips / s.n) AS ips_se,
       s.swr / s.sw AS snips,
       sqrt(greatest(s.sw2r2 - 2 * (s.swr / s.sw) * s.sw2r + (s.swr / s.sw) ^ 2 * s.sw2, 0)
            / (s.sw / s.n) ^ 2 / (s.n * (s.n - 1))) AS snips_se,
       s.dr, sqrt(s.var_dr / s.n) AS dr_se
FROM (SELECT count(*)::float8 AS n, avg(wr) AS ips, var_samp(wr) AS var_ips,
             sum(w) AS sw, sum(wr) AS swr, sum(w * w) AS sw2, sum(w * wr) AS sw2r,
             sum(wr * wr) AS sw2r2, avg(v + w * (r - q)) AS dr, var_samp(v + w * (r - q)) AS var_dr
      FROM (SELECT pi / mu AS w, pi / mu * r AS wr, r, q, v FROM bench_log) t) s
