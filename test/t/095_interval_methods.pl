# Coverage of the 1.2 interval methods and of the paired comparison, by
# simulation (issue 11, points 4 and 6):
# - normal and empirical Bernstein intervals of ips, snips and dr cover the
#   true value at 95 % or above over L = 500 logs; Wilson and
#   Clopper-Pearson do for replay of a deterministic target;
# - a confidence sequence, looked at after each of the 30 days of a log,
#   covers the truth at all 30 looks in >= 95 % of the logs, where the
#   daily normal interval does not (looking 30 times at a 95 % interval
#   misses far more often than 5 %);
# - the paired interval of the difference of two policies is narrower than
#   the two separate intervals combined and covers the true difference at
#   nominal.
#
# The world and the truth follow 090_interval_coverage.pl (read its notes):
# one model per show fitted on a separate 200,000-row log; uniform logging
# over 4 images; the truth of each policy is the population value on logs of
# the same size (the simulator's user pool grows with the log), here the
# mean over 1,000,000 rows.  The days of a log are drawn at random per row,
# so the first d days are a random part of the same population: the truth
# of every look is the same number.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";
use PostgreSQL::Test::Cluster;
use SimulationNode qw(simulation_node);
use PostgreSQL::Test::Utils;
use Test::More;
use TestScale qw(skip_when_quick);

skip_when_quick('interval methods measured over hundreds of simulated logs');
use Time::HiRes qw(time);

my $L = 500;          # logs
my $N = 6000;         # rows per log (30 days of about 200)
my $M = 1_000_000;    # rows for the truth
my $truth_logs = int($M / $N);

my $started = time;
my $node = simulation_node('interval_methods');

$node->safe_psql(
	'postgres', qq{
	CREATE TABLE models AS
	SELECT show_id, bandit_fit(image_id, context, played::int) AS model
	FROM simulate_impressions(200000, 50, 4, 8, 0) GROUP BY show_id;

	-- One log, per day: the states of greedy (a) and softmax (b) and their
	-- paired state, with the reward model's q and v.
	CREATE FUNCTION log_days(log_seed int8, log_rows int8)
	RETURNS TABLE (day int, a ope_state, b ope_state, pair ope_pair_state)
	LANGUAGE sql STRICT STABLE PARALLEL SAFE ROWS 30 AS \$\$
	    SELECT l.day,
	           ope_accumulate(l.played::int, l.propensity, pa[k], q[k], policy_value(pa, q)),
	           ope_accumulate(l.played::int, l.propensity, pb[k], q[k], policy_value(pb, q)),
	           ope_compare(l.played::int, l.propensity, pa[k], pb[k], q[k], policy_value(pa, q),
	                       policy_value(pb, q))
	    FROM simulate_impressions(log_rows, 50, 4, 8, log_seed) l
	         JOIN models m USING (show_id),
	         LATERAL array_position(l.candidates, l.image_id) k,
	         LATERAL bandit_scores(m.model, l.context, l.candidates) q,
	         LATERAL bandit_probabilities(m.model, l.context, l.candidates, 'greedy') pa,
	         LATERAL bandit_probabilities(m.model, l.context, l.candidates, 'softmax(temperature=0.05)') pb
	    GROUP BY l.day \$\$;
	CREATE FUNCTION log_truth(log_seed int8, log_rows int8)
	RETURNS TABLE (a float8, b float8)
	LANGUAGE sql STRICT STABLE PARALLEL SAFE ROWS 1 AS \$\$
	    SELECT avg(policy_value(bandit_probabilities(m.model, l.context, l.candidates, 'greedy'),
	                            l.play_probabilities)),
	           avg(policy_value(bandit_probabilities(m.model, l.context, l.candidates,
	                                                 'softmax(temperature=0.05)'),
	                            l.play_probabilities))
	    FROM simulate_impressions(log_rows, 50, 4, 8, log_seed) l JOIN models m USING (show_id) \$\$;

	CREATE TABLE log_seeds (seed int8) WITH (fillfactor = 10);
	INSERT INTO log_seeds SELECT generate_series(1, $L);
	CREATE TABLE truth_seeds (seed int8) WITH (fillfactor = 10);
	INSERT INTO truth_seeds SELECT 2000000 + generate_series(1, $truth_logs);
	ANALYZE;});

my $days_sql = qq{SELECT s.seed, d.* FROM log_seeds s, log_days(s.seed, $N) d};
like($node->safe_psql('postgres', "EXPLAIN (COSTS OFF) $days_sql"),
	qr/Gather.*Parallel Seq Scan on log_seeds/s, 'the logs are evaluated in parallel');
$node->safe_psql(
	'postgres', qq{
	CREATE TABLE days AS $days_sql;
	CREATE TABLE truth_logs AS SELECT s.seed, t.* FROM truth_seeds s, log_truth(s.seed, $N) t;
	CREATE TABLE truth AS
	SELECT 'a' AS policy, avg(a) AS truth, stddev_samp(a) / sqrt(count(*)) AS truth_se FROM truth_logs
	UNION ALL SELECT 'b', avg(b), stddev_samp(b) / sqrt(count(*)) FROM truth_logs
	UNION ALL SELECT 'b - a', avg(b - a), stddev_samp(b - a) / sqrt(count(*)) FROM truth_logs;
	-- the whole log, and the log as it stood after each day (a window merge)
	CREATE TABLE finals AS
	SELECT seed, 'a' AS policy, ope_merge(a) AS s FROM days GROUP BY seed
	UNION ALL SELECT seed, 'b', ope_merge(b) FROM days GROUP BY seed;
	CREATE TABLE pairs AS SELECT seed, ope_merge(pair) AS p FROM days GROUP BY seed;
	CREATE TABLE looks AS
	SELECT seed, day, 'a' AS policy, ope_merge(a) OVER w AS s FROM days
	WINDOW w AS (PARTITION BY seed ORDER BY day)
	UNION ALL
	SELECT seed, day, 'b', ope_merge(b) OVER w FROM days
	WINDOW w AS (PARTITION BY seed ORDER BY day);});

is($node->safe_psql('postgres', 'SELECT count(DISTINCT seed), count(DISTINCT day), min(n), max(n) FROM (SELECT seed, day, count(*) AS n FROM days GROUP BY 1, 2) d'),
	"$L|30|1|1", "$L logs of 30 days each");

my @table;

# 1. The whole log: every method's 95 % coverage.
my $cov = $node->safe_psql(
	'postgres', q{
	SELECT f.policy, o.estimator, m.method, count(*) FILTER (WHERE o.ci_lower IS NOT NULL),
	       avg((t.truth BETWEEN o.ci_lower AND o.ci_upper)::int), avg(o.ci_upper - o.ci_lower)
	FROM finals f JOIN truth t USING (policy),
	     (VALUES ('normal'), ('bernstein'), ('wilson'), ('clopper_pearson')) m(method),
	     ope_report(f.s, 0.95, m.method) o
	WHERE o.estimator IN ('replay', 'ips', 'snips', 'dr') AND o.ci_lower IS NOT NULL
	GROUP BY 1, 2, 3 ORDER BY 1, 2, 3});
my %cov;
for my $line (split /\n/, $cov)
{
	my ($policy, $est, $method, $logs, $coverage, $width) = split /\|/, $line;
	$cov{"$policy $est $method"} = [ $logs, $coverage, $width ];
	push @table, sprintf('%-6s %-7s %-16s logs %4d  coverage %.3f  mean width %.4f',
		$policy, $est, $method, $logs, $coverage, $width);
}
for my $policy ('a', 'b')
{
	for my $est ('ips', 'snips', 'dr')
	{
		my ($logs, $c) = @{ $cov{"$policy $est normal"} };
		is($logs, $L, "$policy $est normal: an interval for every log");
		ok($c >= 0.93, sprintf('%s %s normal: coverage %.3f >= 0.93 (95%% nominal, 2 se of %d logs)', $policy, $est, $c, $L));
		my ($blogs, $bc) = @{ $cov{"$policy $est bernstein"} };
		is($blogs, $L, "$policy $est bernstein: an interval for every log");
		ok($bc >= 0.95, sprintf('%s %s bernstein: coverage %.3f >= 0.95', $policy, $est, $bc));
	}
}
# greedy is deterministic and rewards are plays: replay is a binomial proportion
for my $method ('wilson', 'clopper_pearson')
{
	my ($logs, $c) = @{ $cov{"a replay $method"} };
	is($logs, $L, "greedy replay $method: an interval for every log");
	ok($c >= ($method eq 'wilson' ? 0.93 : 0.94), sprintf('greedy replay %s: coverage %.3f', $method, $c));
	ok(!defined $cov{"b replay $method"}, "softmax (not deterministic) replay has no $method interval");
}

# 2. Thirty daily looks: the confidence sequence (tuned for the log's size,
# fixed before looking) against the daily normal interval.
my $looks = $node->safe_psql(
	'postgres', qq{
	SELECT policy, estimator, method, count(*), avg(all_in::int), min(looks)
	FROM (SELECT l.seed, l.policy, o.estimator, m.method,
	             bool_and(t.truth BETWEEN o.ci_lower AND o.ci_upper) AS all_in, count(*) AS looks
	      FROM looks l JOIN truth t USING (policy),
	           (VALUES ('normal'), ('cs(rows=$N)')) m(method), ope_report(l.s, 0.95, m.method) o
	      WHERE o.estimator IN ('ips', 'dr') AND o.ci_lower IS NOT NULL
	      GROUP BY 1, 2, 3, 4) x
	GROUP BY 1, 2, 3 ORDER BY 1, 2, 3});
my %looks;
for my $line (split /\n/, $looks)
{
	my ($policy, $est, $method, $logs, $all_in, $min_looks) = split /\|/, $line;
	$looks{"$policy $est $method"} = [ $logs, $all_in, $min_looks ];
	push @table, sprintf('%-6s %-7s %-16s logs %4d  covered at all %d looks in %.3f',
		$policy, $est, $method, $logs, $min_looks, $all_in);
}
for my $policy ('a', 'b')
{
	for my $est ('ips', 'dr')
	{
		my ($logs, $cs, $looks_n) = @{ $looks{"$policy $est cs(rows=$N)"} };
		my (undef, $normal) = @{ $looks{"$policy $est normal"} };
		is("$logs|$looks_n", "$L|30", "$policy $est: 30 looks at every log");
		ok($cs >= 0.95, sprintf('%s %s: the confidence sequence covers at all 30 looks in %.3f of the logs (>= 0.95)', $policy, $est, $cs));
		ok($normal < 0.95, sprintf('%s %s: the daily normal interval does not (%.3f)', $policy, $est, $normal));
	}
}

# 3. The paired comparison of b - a.
my $paired = $node->safe_psql(
	'postgres', q{
	SELECT c.estimator, count(*), avg((t.truth BETWEEN c.ci_lower AND c.ci_upper)::int),
	       avg(c.std_error), avg(sqrt(ra.std_error ^ 2 + rb.std_error ^ 2)),
	       avg((t.truth BETWEEN c.difference - 1.959963984540054 * sqrt(ra.std_error ^ 2 + rb.std_error ^ 2)
	                        AND c.difference + 1.959963984540054 * sqrt(ra.std_error ^ 2 + rb.std_error ^ 2))::int)
	FROM pairs p, ope_compare_report(p.p) c, truth t,
	     finals fa, ope_report(fa.s) ra, finals fb, ope_report(fb.s) rb
	WHERE t.policy = 'b - a' AND fa.seed = p.seed AND fa.policy = 'a' AND fb.seed = p.seed AND fb.policy = 'b'
	  AND ra.estimator = c.estimator AND rb.estimator = c.estimator
	GROUP BY 1 ORDER BY 1});
for my $line (split /\n/, $paired)
{
	my ($est, $logs, $coverage, $paired_se, $unpaired_se, $unpaired_cov) = split /\|/, $line;
	push @table, sprintf('b - a  %-7s paired: logs %4d coverage %.3f mean se %.5f; unpaired se %.5f coverage %.3f',
		$est, $logs, $coverage, $paired_se, $unpaired_se, $unpaired_cov);
	is($logs, $L, "paired $est: every log");
	ok($coverage >= 0.93 && $coverage <= 0.97,
		sprintf('paired %s: the 95%% interval of the difference covers it in %.3f of the logs (0.93..0.97)', $est, $coverage));
	ok($paired_se < 0.8 * $unpaired_se,
		sprintf('paired %s: standard error %.5f, below 0.8 x the two separate ones combined (%.5f)', $est, $paired_se, $unpaired_se));
}

# The truth's own Monte-Carlo error must be negligible next to a log's.
my ($worst) = $node->safe_psql('postgres', q{
	SELECT max(t.truth_se / r.se) FROM truth t JOIN
	  (SELECT f.policy, avg(o.std_error) AS se FROM finals f, ope_report(f.s) o WHERE o.estimator = 'dr' GROUP BY 1) r
	  USING (policy)});
ok($worst < 0.1, sprintf('the truth is known to %.3f of a log\'s standard error', $worst));

diag("interval methods over $L logs of $N rows (a = greedy, b = softmax(temperature=0.05)):");
diag($_) for @table;
diag(sprintf('elapsed %.1f s', time - $started));

$node->stop;
done_testing();
