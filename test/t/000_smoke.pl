# Smoke test of the TAP harness and of the installed extension: a fresh node
# can CREATE EXTENSION artbandit at its default version and DROP it again.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('smoke');

# Skip (rather than fail) until `make install` has put the extension in place.
my $control =
  $node->config_data('--sharedir') . '/extension/artbandit.control';
plan skip_all => "artbandit is not installed ($control missing)"
  unless -f $control;

my ($default_version) =
  slurp_file($control) =~ /^\s*default_version\s*=\s*'([^']+)'/m;
ok(defined $default_version, "control file gives a default_version");

$node->init;
$node->start;

my ($ret, $stdout, $stderr) =
  $node->psql('postgres', 'CREATE EXTENSION artbandit');
is($ret, 0, 'CREATE EXTENSION artbandit succeeds')
  or diag("stderr: $stderr");

is( $node->safe_psql(
		'postgres',
		"SELECT extversion FROM pg_extension WHERE extname = 'artbandit'"),
	$default_version,
	'installed version is the default_version');

# The extension must also drop cleanly.
$node->safe_psql('postgres', 'DROP EXTENSION artbandit');
is( $node->safe_psql(
		'postgres',
		"SELECT count(*) FROM pg_extension WHERE extname = 'artbandit'"),
	'0',
	'DROP EXTENSION removes it');

$node->stop;
done_testing();
