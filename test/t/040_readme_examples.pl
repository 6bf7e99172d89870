# Every ```sql block of README.md runs, in order, in one fresh database,
# without an error: the documentation cannot rot.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use ReadmeSql qw(readme_text run_sql_blocks);
use Test::More;

my $readme = readme_text();
plan skip_all => 'README.md not found' unless defined $readme;

my $node = PostgreSQL::Test::Cluster->new('readme');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION artbandit');
cmp_ok(run_sql_blocks($node, 'postgres', $readme), '>=', 2, 'README.md has SQL examples');

$node->stop;
done_testing();
