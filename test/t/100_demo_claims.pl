# The main job, `make demo`, runs demo/demo.sql: here it runs on a smaller
# log (300,000 impressions) and its claims are asserted, not just printed:
# contextual policies beat the best single image, which beats random; DR's
# interval is narrower than IPS's; the intervals cover the truth; plain
# replay is biased under non-uniform logging while weighted estimates are
# not; at 16 images per show the lambda estimators trade bias for variance
# and SLOPE's choice covers the truth, Recap's interval is narrower than
# replay's, and the paired comparison of the learned policy with the
# logging policy finds the true lift with a smaller standard error than
# the two separate estimates.  The chart must be written.
use strict;
use warnings;

use File::Basename qw(dirname);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $demo = dirname(__FILE__) . '/../../demo/demo.sql';
plan skip_all => 'demo/demo.sql not found' unless -f $demo;

my $node = PostgreSQL::Test::Cluster->new('demo');
$node->init;
$node->append_conf('postgresql.conf', "max_parallel_workers_per_gather = 2\n");
$node->start;

my $chart = $node->basedir . '/chart.svg';
my ($ret, $out, $err) = $node->psql(
	'postgres', slurp_file($demo),
	extra_params => [ '-v', 'rows=300000', '-v', "chart=$chart" ],
	on_error_stop => 1);
is($ret, 0, 'demo.sql runs to the end (its own claim check raises on failure)')
  or diag($err);
note($out);

my $claims = $node->safe_psql('postgres',
	q{SELECT string_agg(ord || ':' || holds, ',' ORDER BY ord) FROM artbandit_demo.claims});
is($claims, '1:true,2:true,3:true,4:true,5:true,6:true,7:true', 'every claim of the demo holds');

ok(-s $chart, 'the chart was written');
like(slurp_file($chart), qr/^<svg .*<\/svg>\s*$/s, 'the chart is an SVG document');
like($out, qr/\breplay\b.*\bips\b.*\bsnips\b.*\bdm\b.*\bdr\b.*\bsndr\b/s,
	'the estimates table lists all six estimators');

$node->stop;
done_testing();
