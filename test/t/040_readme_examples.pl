# Every ```sql block of README.md runs, in order, in one fresh database,
# without an error: the documentation cannot rot.
use strict;
use warnings;

use File::Basename qw(dirname);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $readme = dirname(__FILE__) . '/../../README.md';
plan skip_all => 'README.md not found' unless -f $readme;

my @blocks = slurp_file($readme) =~ /^```sql\n(.*?)^```/msg;
ok(scalar(@blocks) >= 2, 'README.md has SQL examples');

my $node = PostgreSQL::Test::Cluster->new('readme');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION artbandit');

my $i = 0;
foreach my $sql (@blocks)
{
	$i++;
	my ($ret, $out, $err) = $node->psql('postgres', $sql, on_error_stop => 1);
	is($ret, 0, "README SQL block $i runs") or diag("$sql\n$err");
}

$node->stop;
done_testing();
