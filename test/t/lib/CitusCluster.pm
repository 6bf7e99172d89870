# A Citus 12.1 cluster for test/t/200_citus.pl: a coordinator and two
# workers, PostgreSQL::Test::Cluster nodes listening on 127.0.0.1, Citus and
# artbandit created on all three, the workers added with citus_add_node.
#
# The nodes reach each other over loopback TCP with a password
# (scram-sha-256, from a passfile the servers read through PGPASSFILE), so
# the cluster is not open to other local users while the test runs; the
# harness itself uses the unix socket (trust).
package CitusCluster;

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

use Exporter 'import';
our @EXPORT_OK = qw(skip_unless_citus citus_cluster);

our $VERSION_WANTED = '12.1.12';

# plan skip_all when Citus is not installed for the server under test and
# no vendored source says it could be; a vendored source without an
# installed Citus is a failure of the set-up (test/lib/citus.sh).
sub skip_unless_citus
{
	# the pg_config of the server under test (first on PATH, as for the nodes)
	my ($pkglibdir) = run_command([ 'pg_config', '--pkglibdir' ]);
	my ($sharedir) = run_command([ 'pg_config', '--sharedir' ]);
	chomp($pkglibdir, $sharedir);
	my $so = "$pkglibdir/citus.so";
	my $have = -f $so && -f "$sharedir/extension/citus.control"
	  && index(slurp_file($so), "Citus $VERSION_WANTED on ") >= 0;
	return if $have;
	my $vendor = $ENV{ARTBANDIT_VENDOR} // '';
	my $tarball = "$vendor/citus-$VERSION_WANTED.tar.gz";
	if ($vendor ne '' && -f $tarball)
	{
		# a failure of this test alone (BAIL_OUT would stop every TAP test)
		plan tests => 1;
		fail("$tarball is there but Citus $VERSION_WANTED is not installed in $pkglibdir: "
			  . 'the set-up (test/lib/citus.sh, make test / make check) should have built it');
		exit 0;
	}
	plan skip_all => "Citus $VERSION_WANTED is not installed for this server ($pkglibdir) "
	  . "and no citus-$VERSION_WANTED.tar.gz was given (ARTBANDIT_VENDOR, or ../shared/vendor "
	  . 'for make test / make check, which build and install it)';
}

sub _node
{
	my ($name, $passfile) = @_;
	my $node = PostgreSQL::Test::Cluster->new($name);
	$node->init;
	$node->append_conf(
		'postgresql.conf', qq{
shared_preload_libraries = 'citus'
listen_addresses = '127.0.0.1'
# connections to itself (intermediate results) by this name, not 'localhost'
citus.local_hostname = '127.0.0.1'
max_connections = 40
max_worker_processes = 16
jit = off
});
	open my $hba, '>', $node->data_dir . '/pg_hba.conf'
	  or die "cannot write pg_hba.conf: $!";
	print $hba "local all all trust\n";
	print $hba "host all all 127.0.0.1/32 scram-sha-256\n";
	close $hba;
	return $node;
}

# citus_cluster(): ($coordinator, [$worker1, $worker2]), started, with
# citus and artbandit created everywhere and the workers added.
sub citus_cluster
{
	my $password = join '', map { sprintf '%02x', int(rand(256)) } 1 .. 16;
	my $passfile = PostgreSQL::Test::Utils::tempdir('citus_pass') . '/pgpass';
	open my $fh, '>', $passfile or die "cannot write $passfile: $!";
	print $fh "127.0.0.1:*:*:*:$password\n";
	close $fh;
	chmod 0600, $passfile;
	# the servers' own libpq connections (Citus) read it
	local $ENV{PGPASSFILE} = $passfile;

	my $coord = _node('coordinator');
	my @workers = map { _node("worker$_") } 1 .. 2;
	for my $node ($coord, @workers)
	{
		$node->start;
		{
			local $ENV{PGOPTIONS} = '-c log_statement=none';
			$node->safe_psql('postgres',
				"ALTER ROLE CURRENT_USER PASSWORD '$password'");
		}
		$node->safe_psql('postgres', 'CREATE EXTENSION citus; CREATE EXTENSION artbandit;');
	}
	$coord->safe_psql('postgres',
		"SELECT citus_set_coordinator_host('127.0.0.1', " . $coord->port . ')');
	$coord->safe_psql('postgres', "SELECT citus_add_node('127.0.0.1', " . $_->port . ')')
	  for @workers;
	return ($coord, \@workers);
}

1;
