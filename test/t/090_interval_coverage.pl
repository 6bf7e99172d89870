# Statistical test of the OPE intervals (issue: "the 95% intervals of IPS,
# SNIPS and DR cover the true value between 93% and 97% of the time, and
# their average error is within 3 standard errors of zero").
#
# Design.
# - One world: simulate_impressions draws users' tastes, shows and images
#   from a fixed world seed; its seed only draws the log.  Three target
#   policies (greedy, softmax(temperature=0.05), epsilon_greedy(epsilon=0.3))
#   of one model per show, fitted once on a separate 200,000-row log (seed 0).
# - L = 1000 uniform-logging logs of N rows each (seeds 1..L).  Per log and
#   policy: ope_accumulate(played, propensity, pi, q_logged, v_target) with pi
#   the policy's probability of the logged image, q from bandit_scores of the
#   same models and v_target = policy_value(probabilities, q); ope_report gives
#   the estimate and the 95% interval of IPS, SNIPS and DR.
# - The true value of a policy is the population value
#   E_x[sum_a pi(a|x) p(x, a)], the mean over rows of
#   policy_value(bandit_probabilities(...), play_probabilities) on 1,000,000
#   independent rows (seeds 1000001.., disjoint from the logs' seeds).
#
# Two design choices the numbers forced (the seeds were never chosen: they are
# 1..L for the logs, the next ones after 1000000 for the truth):
#
# 1. The truth is computed on logs of the SAME size N, not on one big log.
#    The world is fixed but the user pool is not: simulate_impressions draws
#    users among max(100, n/20) ids, so the population (hence the true value)
#    depends on n.  A single 1,000,000-row log (50,000 users) gives, e.g., a
#    greedy value of 0.2087 against 0.2045 for logs of 1000 rows (100 users):
#    a bias of about 5 standard errors of the mean error over 1000 logs.  So
#    the truth is the mean over M/N independent logs of N rows (same user
#    pool, same day schedule).
#
# 2. N = 4000 rows per log, not 1000.  Under uniform logging over 4 images
#    the IPS term w*r of a greedy target is 4 * Bernoulli(~0.05): its 95%
#    interval is a Wald interval for a binomial proportion with about 50
#    successes at n = 1000, whose exact coverage is 0.940 (p = 0.051; the
#    Wald interval under-covers small proportions, mostly on the side where
#    the estimate is low and so is its standard error).  1000 logs of 1000
#    rows (seeds 1..1000) gave IPS coverages of 0.935-0.937 for the three
#    policies, with the truth missed above 4.1-4.8% of the time: a correct
#    estimator at the edge of the band.  At n = 4000 the exact binomial Wald
#    coverage is 0.950-0.952 for p in 0.045..0.051, so the band tests the
#    estimators, not the normal approximation at small counts.  (SNIPS and DR
#    already covered 0.948-0.954 at n = 1000.)
#
# The mean-error check: the error of log l is estimate_l - truth, where the
# truth itself has a Monte-Carlo standard error se_t shared by every log, so
# the mean error has standard error sqrt(sd(errors)^2 / L + se_t^2); the test
# asserts |mean error| < 3 times that (se_t is about a third of
# sd(errors)/sqrt(L) here, and it is asserted to be negligible (< 5%) next to
# the per-log standard errors, which is what the coverage check needs).
#
# Runtime: 5 million simulated rows (4 million scored under 3 policies), in
# parallel: the seeds are scanned by a parallel seq scan and each log is
# computed whole, in one call of a STRICT (so never inlined) SQL function, by
# the process that drew its seed.  About 45 s on 2 cores.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";
use PostgreSQL::Test::Cluster;
use SimulationNode qw(simulation_node);
use PostgreSQL::Test::Utils;
use Test::More;
use TestScale qw(skip_when_quick);

skip_when_quick('interval coverage measured over hundreds of simulated logs');
use Time::HiRes qw(time);

my $L = 1000;         # logs
my $N = 4000;         # rows per log
my $M = 1_000_000;    # rows for the truth: M / N logs of N rows
my $truth_logs = $M / $N;

my $started = time;
my $node = simulation_node('interval_coverage');

$node->safe_psql(
	'postgres', qq{
	CREATE TABLE models AS
	SELECT show_id, bandit_fit(image_id, context, played::int) AS model
	FROM simulate_impressions(200000, 50, 4, 8, 0) GROUP BY show_id;
	CREATE TABLE policies (ord int PRIMARY KEY, policy text NOT NULL);
	INSERT INTO policies VALUES
	    (1, 'greedy'), (2, 'softmax(temperature=0.05)'), (3, 'epsilon_greedy(epsilon=0.3)');

	-- One log: its ope_state per policy (and its propensities, to check the
	-- logging is uniform).
	CREATE FUNCTION log_states(log_seed int8, log_rows int8)
	RETURNS TABLE (ord int, state ope_state, max_mu float8, min_mu float8)
	LANGUAGE sql STRICT STABLE PARALLEL SAFE ROWS 3 AS \$\$
	    SELECT p.ord,
	           ope_accumulate(l.played::int, l.propensity, pi_all[k], q[k], policy_value(pi_all, q)),
	           max(l.propensity), min(l.propensity)
	    FROM simulate_impressions(log_rows, 50, 4, 8, log_seed) l
	         JOIN models m USING (show_id) CROSS JOIN policies p,
	         LATERAL array_position(l.candidates, l.image_id) k,
	         LATERAL bandit_scores(m.model, l.context, l.candidates) q,
	         LATERAL bandit_probabilities(m.model, l.context, l.candidates, p.policy) pi_all
	    GROUP BY p.ord \$\$;
	-- One log of the truth: the mean over its rows of each policy's true value.
	CREATE FUNCTION log_truth(log_seed int8, log_rows int8)
	RETURNS TABLE (ord int, value float8)
	LANGUAGE sql STRICT STABLE PARALLEL SAFE ROWS 3 AS \$\$
	    SELECT p.ord,
	           avg(policy_value(bandit_probabilities(m.model, l.context, l.candidates, p.policy),
	                            l.play_probabilities))
	    FROM simulate_impressions(log_rows, 50, 4, 8, log_seed) l
	         JOIN models m USING (show_id) CROSS JOIN policies p
	    GROUP BY p.ord \$\$;

	-- One row per log; a low fillfactor spreads the seeds over ~50 pages so
	-- that the parallel scan shares the logs evenly between processes.
	CREATE TABLE log_seeds (seed int8) WITH (fillfactor = 10);
	INSERT INTO log_seeds SELECT generate_series(1, $L);
	CREATE TABLE truth_seeds (seed int8) WITH (fillfactor = 10);
	INSERT INTO truth_seeds SELECT 1000000 + generate_series(1, $truth_logs);
	ANALYZE;});

is($node->safe_psql('postgres', 'SELECT count(*) FROM models'), '50', 'one model per show');

# The truth per policy, with its Monte-Carlo standard error (from the spread
# of the per-log means: the logs are independent, equally sized samples).
my $truth_logs_sql = qq{SELECT s.seed, t.* FROM truth_seeds s, log_truth(s.seed, $N) t};
# A STRICT SQL function is not inlined, so a log is computed whole by the
# process (leader or worker) that scanned its seed.
like($node->safe_psql('postgres', "EXPLAIN (COSTS OFF) $truth_logs_sql"),
	qr/Gather.*Nested Loop.*Parallel Seq Scan on truth_seeds.*Function Scan on log_truth/s,
	'the truth logs are computed in parallel');
$node->safe_psql(
	'postgres', qq{
	CREATE TABLE truth_logs AS $truth_logs_sql;
	CREATE TABLE truth AS
	SELECT ord, avg(value) AS truth, stddev_samp(value) / sqrt(count(*)) AS truth_se,
	       count(*) * $N AS rows
	FROM truth_logs GROUP BY ord});

# One ope_state per (log, policy).
my $states_sql = qq{SELECT s.seed, x.* FROM log_seeds s, log_states(s.seed, $N) x};
like($node->safe_psql('postgres', "EXPLAIN (COSTS OFF) $states_sql"),
	qr/Gather.*Nested Loop.*Parallel Seq Scan on log_seeds.*Function Scan on log_states/s,
	'the logs are evaluated in parallel');
$node->safe_psql('postgres', "CREATE TABLE states AS $states_sql");

is( $node->safe_psql(
		'postgres', q{
	SELECT count(*), count(DISTINCT seed), min(max_mu) = 0.25 AND max(max_mu) = 0.25 AND min(min_mu) = 0.25,
	       sum(d.n), sum(d.n_skipped)
	FROM states, ope_diagnostics(state) d}),
	"@{[3 * $L]}|$L|t|@{[3 * $L * $N]}|0",
	"$L uniform-logging logs of $N rows for 3 policies, no row skipped");

$node->safe_psql(
	'postgres', q{
	CREATE TABLE reports AS
	SELECT s.seed, s.ord, o.*
	FROM states s, ope_report(s.state, 0.95) o
	WHERE o.estimator IN ('ips', 'snips', 'dr')});

my $summary = $node->safe_psql(
	'postgres', q{
	SELECT r.ord, p.policy, r.estimator, t.truth, t.truth_se, t.rows,
	       count(*) FILTER (WHERE r.ci_lower IS NOT NULL AND r.ci_upper IS NOT NULL) AS logs,
	       avg((t.truth BETWEEN r.ci_lower AND r.ci_upper)::int) AS coverage,
	       avg((t.truth < r.ci_lower)::int) AS truth_below,
	       avg((t.truth > r.ci_upper)::int) AS truth_above,
	       avg(r.estimate - t.truth) AS mean_error,
	       stddev_samp(r.estimate - t.truth) AS sd_error,
	       avg(r.std_error) AS mean_std_error,
	       avg(r.ci_upper - r.ci_lower) AS mean_width
	FROM reports r JOIN truth t USING (ord) JOIN policies p USING (ord)
	GROUP BY r.ord, p.policy, r.estimator, t.truth, t.truth_se, t.rows
	ORDER BY r.ord, array_position(ARRAY['ips', 'snips', 'dr'], r.estimator)});

my @rows = map { [ split /\|/ ] } split /\n/, $summary;
is(scalar @rows, 9, '3 policies x 3 estimators');

my @table = (
	sprintf('%-28s %-6s %8s %8s %6s %6s %9s %9s %6s %8s',
		'policy', 'est', 'truth', 'coverage', 'below', 'above', 'mean_err', 'se_mean', 'z', 'mean_se'));
my %truth_ratio;
for my $r (@rows)
{
	my ($ord, $policy, $est, $truth, $truth_se, $truth_rows, $logs, $coverage,
		$below, $above, $mean_error, $sd_error, $mean_std_error, $mean_width) = @$r;
	my $se_mean = sqrt($sd_error**2 / $logs + $truth_se**2);
	my $z = $mean_error / $se_mean;
	push @table,
	  sprintf('%-28s %-6s %8.5f %8.3f %6.3f %6.3f %9.6f %9.6f %6.2f %8.5f',
		$policy, $est, $truth, $coverage, $below, $above, $mean_error, $se_mean, $z,
		$mean_std_error);

	is($logs, $L, "$policy $est: an interval for every log");
	ok($coverage >= 0.93 && $coverage <= 0.97,
		sprintf('%s %s: the 95%% interval covers the truth in %.3f of %d logs (band 0.93..0.97)',
			$policy, $est, $coverage, $logs));
	ok(abs($mean_error) < 3 * $se_mean,
		sprintf('%s %s: mean error %.6f within 3 standard errors (%.6f) of zero',
			$policy, $est, $mean_error, $se_mean));

	# The truth's Monte-Carlo error next to a single log's standard error.
	my $ratio = $truth_se / $mean_std_error;
	$truth_ratio{$policy} = $ratio
	  if !defined $truth_ratio{$policy} || $ratio > $truth_ratio{$policy};
	push @table,
	  sprintf('%-28s %-6s truth from %d rows, se %.6f = %.4f x mean per-log se; %.2f x se of the mean error',
		'', '', $truth_rows, $truth_se, $ratio, $truth_se / ($sd_error / sqrt($logs)))
	  if $est eq 'dr';
}
for my $policy (sort keys %truth_ratio)
{
	ok($truth_ratio{$policy} < 0.05,
		sprintf('%s: Monte-Carlo error of the truth negligible next to the per-log standard errors (ratio %.4f)',
			$policy, $truth_ratio{$policy}));
}

diag("interval coverage over $L logs of $N rows (truth on $M rows of logs of the same size):");
diag($_) for @table;
diag(sprintf('elapsed %.1f s', time - $started));

$node->stop;
done_testing();
