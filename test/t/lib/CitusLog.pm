# The exploration log of test/t/200_citus.pl: simulated impressions of 10
# shows (4 images each, 8-dimensional contexts) logged by a softmax policy,
# with what every aggregate of the extension takes as input: a softmax
# target (pi), a greedy one (pi_b, target_image), its rank of the shown
# image (Recap), a reward model's q (NULL on every 997th row) and the
# values v, v_b of both targets.  log_local is the coordinator's local copy
# (the single-node reference); log is the same rows distributed by user_id.
package CitusLog;

use strict;
use warnings;

use SimulationNode qw(policy_models_sql);

use Exporter 'import';
our @EXPORT_OK = qw(create_models add_impressions distribute_log create_states);

sub create_models
{
	my ($node) = @_;
	$node->safe_psql('postgres', policy_models_sql());
	$node->safe_psql(
		'postgres', q{
		CREATE TABLE log_local (
			id int8 PRIMARY KEY, user_id int8 NOT NULL, day date, show_id int4, image_id int8,
			context float8[], candidates int8[], played bool, minutes float8, propensity float8,
			r float8, pi float8, pi_b float8, target_image int8, rank int4,
			q float8, v float8, v_b float8);});
	return;
}

# add_impressions(node, n, seed, first_id): n more rows in log_local (and
# in log, once it is distributed), days 2026-11-01 to 2026-11-30.
sub add_impressions
{
	my ($node, $n, $seed, $first_id, $table) = @_;
	$table //= 'log_local';
	$node->safe_psql(
		'postgres', qq{
		INSERT INTO $table
		SELECT l.impression_id + $first_id - 1, l.user_id, date '2026-11-01' + l.day - 1, l.show_id,
		       l.image_id, l.context, l.candidates, l.played, l.minutes, l.propensity,
		       l.played::int, p[i], g[i], l.candidates[array_position(g, 1::float8)],
		       bandit_rank(m.model, l.context, l.candidates, l.image_id),
		       CASE WHEN l.impression_id % 997 = 0 THEN NULL ELSE q[i] END,
		       policy_value(p, q), policy_value(g, q)
		FROM simulate_impressions($n, 10, 4, 8, $seed, 'softmax(temperature=0.3)',
		                          (SELECT model FROM logging_model)) l
		     JOIN target_model m USING (show_id),
		     LATERAL (SELECT bandit_probabilities(m.model, l.context, l.candidates, 'softmax(temperature=0.2)') AS p,
		                     bandit_probabilities(m.model, l.context, l.candidates, 'greedy') AS g,
		                     bandit_scores(m.model, l.context, l.candidates) AS q,
		                     array_position(l.candidates, l.image_id) AS i OFFSET 0) x;});
	return;
}

# log: the same rows, distributed by user_id (a user's rows on one shard).
sub distribute_log
{
	my ($node) = @_;
	$node->safe_psql(
		'postgres', q{
		CREATE TABLE log (LIKE log_local);
		SELECT create_distributed_table('log', 'user_id');
		INSERT INTO log SELECT * FROM log_local;
		ANALYZE log, log_local;});
	return;
}

# states (distributed like log, on the same shards) and states_local: one
# row per user, show and day of every tenth user, holding each state type,
# for ope_merge and bandit_merge.
sub create_states
{
	my ($node) = @_;
	my $cols = q{user_id, show_id, day,
		ope_accumulate(r, propensity, pi, q, v) AS s,
		ope_bootstrap(r, propensity, pi, user_id, 20) AS b,
		ope_compare(r, propensity, pi, pi_b) AS p,
		bandit_fit(image_id, context, r) AS m};
	$node->safe_psql(
		'postgres', qq{
		CREATE TABLE states_local AS
		SELECT $cols FROM log_local WHERE user_id % 10 = 0 GROUP BY user_id, show_id, day;
		CREATE TABLE states (LIKE states_local);
		SELECT create_distributed_table('states', 'user_id', colocate_with => 'log');
		INSERT INTO states SELECT $cols FROM log WHERE user_id % 10 = 0 GROUP BY user_id, show_id, day;});
	return;
}

1;
