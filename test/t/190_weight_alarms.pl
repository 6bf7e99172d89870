# The mean-weight alarm of ope_diagnostics.warnings (issue 12, point 3): a
# z-test of mean(pi / mu) = 1, its standard error from the state.
# - On 600 simulated correct logs it stays quiet: at most 1 % false alarms
#   (the observed rate is printed).  The logs cover 200 to 5,000 rows, 2, 4
#   and 16 images, uniform and epsilon-greedy logging (80 % on image 1, the
#   rest uniform) and four targets: deterministic on image 1, a stochastic
#   one (1/2 on image 1), deterministic on a rare image under
#   epsilon-greedy logging (weights of 80 with 16 images: the skewed case
#   where a z-test is least normal), and the logging policy's favourite.
# - On logs with the bug of the issue (4 uniform images, propensity logged
#   0.5 instead of 0.25) it fires: in at least 99 % of 200 logs of 2,000 and
#   3,000 rows (the rate at 200 and 500 rows is printed, not asserted).
#
# Every row is drawn from md5(log, row), so the run is the same everywhere.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";
use PostgreSQL::Test::Cluster;
use SimulationNode qw(simulation_node);
use PostgreSQL::Test::Utils;
use Test::More;
use TestScale qw(skip_when_quick);

skip_when_quick('alarm false-positive and detection rates over 1,000 simulated logs');

my $node = simulation_node('weight_alarms');

# Columns of a log: shown image, propensity mu, target probability pi of the
# shown image, reward r; per log s: n rows, k images, scenario.
#   scenario 0: uniform logging, target deterministic on image 1
#   scenario 1: uniform logging, target 1/2 on image 1, the rest shared
#   scenario 2: epsilon-greedy logging, target deterministic on image k
#   scenario 3: epsilon-greedy logging, target deterministic on image 1
#   scenario 4: uniform logging over 4 images, propensity logged as 0.5, target on image 1
my $logs_sql = <<'SQL';
CREATE TABLE %s AS
WITH cfg AS (%s),
draws AS (
  SELECT c.s, c.k, c.scenario, i,
         ('x' || substr(md5(c.s || ':' || i), 1, 8))::bit(32)::bigint / 4294967296.0 AS u1,
         ('x' || substr(md5(c.s || ':' || i), 9, 8))::bit(32)::bigint / 4294967296.0 AS u2
  FROM cfg c, generate_series(1, c.n) i),
logged AS (
  SELECT s, k, scenario, u2,
         CASE WHEN scenario IN (0, 1, 4) THEN 1 + floor(u1 * k)::int
              WHEN u1 < 0.8 THEN 1 ELSE 1 + floor((u1 - 0.8) / 0.2 * k)::int END AS shown
  FROM draws),
scored AS (
  SELECT s, k, scenario, shown,
         CASE WHEN scenario = 4 THEN 0.5
              WHEN scenario IN (0, 1) THEN 1.0 / k
              WHEN shown = 1 THEN 0.8 + 0.2 / k ELSE 0.2 / k END AS mu,
         CASE scenario WHEN 1 THEN CASE WHEN shown = 1 THEN 0.5 ELSE 0.5 / (k - 1) END
                       WHEN 2 THEN (shown = k)::int::float8
                       ELSE (shown = 1)::int::float8 END AS pi,
         (u2 < 0.1 + 0.05 * (shown % 3))::int::float8 AS r
  FROM logged)
SELECT s, k, scenario, count(*) AS n, ope_accumulate(r, mu, pi) AS st FROM scored GROUP BY s, k, scenario
SQL

my $alarm = q{EXISTS (SELECT FROM unnest((ope_diagnostics(st)).warnings) w WHERE w LIKE 'mean weight%')};

# 600 correct logs: 5 sizes x 3 image counts x 4 scenarios, 10 of each
$node->safe_psql('postgres', sprintf($logs_sql, 'correct', q{
	SELECT s, (ARRAY[200, 500, 1000, 2000, 5000])[1 + s % 5] AS n,
	       (ARRAY[2, 4, 16])[1 + (s / 5) % 3] AS k, (s / 15) % 4 AS scenario
	FROM generate_series(0, 599) s}));
my ($logs, $alarms, $by) = split /\|/, $node->safe_psql('postgres', qq{
	SELECT count(*), count(*) FILTER (WHERE $alarm),
	       string_agg(DISTINCT scenario || '/' || k, ',') FILTER (WHERE $alarm)
	FROM correct});
is($logs, 600, '600 correct logs simulated');
cmp_ok($alarms / $logs, '<=', 0.01, "correct logs: $alarms false alarms in $logs ("
	  . sprintf('%.2f', 100 * $alarms / $logs) . ' %)' . ($by ? " in scenario/images $by" : ''));
# no other kind of warning is a false alarm either where the log is large
# and the weights moderate (uniform logging, 2 or 4 images, 2,000+ rows)
is($node->safe_psql('postgres', q{
	SELECT count(*) FROM correct
	WHERE scenario IN (0, 1) AND k <= 4 AND n >= 2000 AND (ope_diagnostics(st)).warnings <> '{}'}),
	'0', 'large correct logs with moderate weights have no warning at all');

# the 0.5-vs-0.25 bug at 200, 500, 2,000 and 3,000 rows, 100 logs each
$node->safe_psql('postgres', sprintf($logs_sql, 'buggy', q{
	SELECT s, (ARRAY[200, 500, 2000, 3000])[1 + s / 100] AS n, 4 AS k, 4 AS scenario
	FROM generate_series(0, 399) s}));
my %rate = map { split /\|/ } split /\n/, $node->safe_psql('postgres', qq{
	SELECT n, round(avg(($alarm)::int), 2) FROM buggy GROUP BY n ORDER BY n});
note(sprintf('0.5 logged for 0.25: alarm rate %.2f at 200 rows, %.2f at 500 rows', $rate{200}, $rate{500}));
cmp_ok($rate{2000}, '>=', 0.99, "0.5 logged for 0.25 at 2,000 rows: alarm in $rate{2000} of the logs");
cmp_ok($rate{3000}, '>=', 0.99, "0.5 logged for 0.25 at 3,000 rows: alarm in $rate{3000} of the logs");
# the alarm names the mean weight (about 0.5) and how far it is from 1
like($node->safe_psql('postgres', q{
	SELECT w FROM buggy, unnest((ope_diagnostics(st)).warnings) w WHERE s = 250 AND w LIKE 'mean weight%'}),
	qr/^mean weight 0\.[45]\d* is below 1 \(\d+(\.\d)? standard errors\): propensities logged larger/,
	'the alarm says the mean weight is below 1 by how many standard errors');

$node->stop;
done_testing();
