# simulation_node: a node for the simulation studies (030, 090, 095, 096):
# artbandit installed, parallel query forced where the planner allows it
# (the logs are evaluated by parallel workers), no fsync.
# policy_models_sql: the models the multi-node tests (170, 200) share.
package SimulationNode;

use strict;
use warnings;

use PostgreSQL::Test::Cluster;

use Exporter 'import';
our @EXPORT_OK = qw(simulation_node policy_models_sql);

sub simulation_node
{
	my ($name) = @_;
	my $node = PostgreSQL::Test::Cluster->new($name);
	$node->init;
	$node->append_conf(
		'postgresql.conf', q{
max_worker_processes = 8
max_parallel_workers = 4
max_parallel_workers_per_gather = 2
parallel_setup_cost = 0
parallel_tuple_cost = 0
min_parallel_table_scan_size = 0
jit = off
fsync = off
});
	$node->start;
	$node->safe_psql('postgres', 'CREATE EXTENSION artbandit');
	return $node;
}

# The SQL of the two models the multi-node tests (170, 200) log and
# evaluate with: logging_model (one model over 10 shows' images, the
# softmax logging policy's) and target_model (one per show, the targets').
sub policy_models_sql
{
	return q{
	CREATE TABLE logging_model AS
	SELECT bandit_fit(image_id, context, played::int) AS model
	FROM simulate_impressions(20000, 10, 4, 8, 3);
	CREATE TABLE target_model AS
	SELECT show_id, bandit_fit(image_id, context, played::int) AS model
	FROM simulate_impressions(20000, 10, 4, 8, 7) GROUP BY show_id;
};
}

1;
