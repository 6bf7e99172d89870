# A node for the simulation studies (030, 090, 095, 096): artbandit
# installed, parallel query forced where the planner allows it (the logs
# are evaluated by parallel workers), no fsync.
package SimulationNode;

use strict;
use warnings;

use PostgreSQL::Test::Cluster;

use Exporter 'import';
our @EXPORT_OK = qw(simulation_node);

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

1;
