-- The best single-pass hand-written SQL for IPS, SNIPS and DR with their
-- standard errors (the same definitions as ope_report: sample sd / sqrt(n)
-- for the means, the delta method for SNIPS), built-in aggregates only: the
-- eight sums it needs, plain sum() (cheaper than avg/var_samp's
-- float8_accum), the weight computed once per row (OFFSET 0 keeps the
-- subqueries from being flattened into repeated expressions).
SELECT s.swr / s.n AS ips,
       sqrt(greatest(s.sw2r2 - s.swr * s.swr / s.n, 0) / (s.n * (s.n - 1))) AS ips_se,
       s.swr / s.sw AS snips,
       sqrt(greatest(s.sw2r2 - 2 * (s.swr / s.sw) * s.sw2r + (s.swr / s.sw) ^ 2 * s.sw2, 0)
            / (s.sw / s.n) ^ 2 / (s.n * (s.n - 1))) AS snips_se,
       s.sd / s.n AS dr,
       sqrt(greatest(s.sd2 - s.sd * s.sd / s.n, 0) / (s.n * (s.n - 1))) AS dr_se
FROM (SELECT count(*)::float8 AS n, sum(w) AS sw, sum(wr) AS swr, sum(w * w) AS sw2, sum(w * wr) AS sw2r,
             sum(wr * wr) AS sw2r2, sum(d) AS sd, sum(d * d) AS sd2
      FROM (SELECT w, w * r AS wr, v + w * (r - q) AS d
            FROM (SELECT pi / mu AS w, r, q, v FROM bench_log OFFSET 0) a OFFSET 0) t) s
