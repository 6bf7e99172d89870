# ope_bootstrap against a resampling bootstrap written independently in
# numpy (097_bootstrap_reference.py), on a log whose rows are clustered by
# user (issue 11, point 5).
#
# The log: 1,250 users with 16 impressions each; a user's taste (a hash of
# the user id) makes all its rows likely plays (0.9) or not (0.02), so rows
# of one user are correlated and the clustered standard error exceeds the
# one that treats rows as independent.  Logging is uniform over 4 images; the target
# shows image 1.
#
# ope_bootstrap draws Poisson(1) weights per unit (B = 2000 replicates);
# numpy resamples units with replacement (multinomial, B = 2000).  The two
# bootstraps estimate the same sampling distribution; with 1,250 units the
# Poisson and multinomial schemes agree to O(1/units), and each standard
# deviation from 2000 replicates has a Monte-Carlo error of about 1.6 %.
# So: standard errors agree within 8 %, percentile endpoints within 0.15
# standard errors, for unit = user and unit = row; and both find the
# clustered standard error clearly above the row one (the design effect).
use strict;
use warnings;

use FindBin;
use IPC::Run;
use JSON::PP;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $python = '/usr/bin/python3';
plan skip_all => "$python with numpy is not available (Debian: python3-numpy)"
  unless -x $python && system("$python -c 'import numpy' >/dev/null 2>&1") == 0;

my $B = 2000;
my $node = PostgreSQL::Test::Cluster->new('bootstrap_reference');
$node->init;
$node->start;
$node->safe_psql(
	'postgres', q{
	CREATE EXTENSION artbandit;
	CREATE TABLE log AS
	WITH u AS (SELECT u AS user_id,
	                  CASE WHEN hashint8(u) & 1 = 0 THEN 0.02 ELSE 0.9 END AS p FROM generate_series(1, 1250) u)
	SELECT user_id, i,
	       ((hashint8(user_id * 100 + i) & 65535) / 65536.0 < p)::int::float8 AS r,
	       0.25::float8 AS mu,
	       ((hashint8(user_id * 1000 + i) & 3) = 0)::int::float8 AS pi
	FROM u, generate_series(1, 16) i;});
my $csv = $node->basedir . '/log.csv';
$node->safe_psql('postgres', "COPY (SELECT user_id, r, mu, pi FROM log) TO '$csv' WITH (FORMAT csv)");

my ($json, $stderr);
IPC::Run::run([ $python, "$FindBin::Bin/097_bootstrap_reference.py", $csv, $B ], '>', \$json, '2>', \$stderr)
  or BAIL_OUT("the numpy bootstrap failed: $stderr");
my $ref = decode_json($json);

my %se;
for my $unit ('user', 'row')
{
	my $unit_sql = $unit eq 'user' ? 'user_id' : 'user_id * 100 + i';
	my $report = $node->safe_psql('postgres', qq{
		SELECT estimator, std_error, ci_lower, ci_upper
		FROM ope_bootstrap_report((SELECT ope_bootstrap(r, mu, pi, $unit_sql, $B, 11) FROM log))
		ORDER BY estimator});
	for my $line (split /\n/, $report)
	{
		my ($est, $se, $lo, $hi) = split /\|/, $line;
		my $py = $ref->{$unit}{$est};
		$se{"$unit $est"} = [ $se, $py->{std_error} ];
		ok(abs($se / $py->{std_error} - 1) < 0.08,
			sprintf('%s, unit = %s: standard error %.5f, numpy %.5f (ratio %.3f)',
				$est, $unit, $se, $py->{std_error}, $se / $py->{std_error}));
		ok(abs($lo - $py->{ci_lower}) < 0.15 * $se && abs($hi - $py->{ci_upper}) < 0.15 * $se,
			sprintf('%s, unit = %s: percentile interval [%.5f, %.5f], numpy [%.5f, %.5f]',
				$est, $unit, $lo, $hi, $py->{ci_lower}, $py->{ci_upper}));
	}
}
for my $est ('replay', 'ips', 'snips')
{
	my ($pg_user, $py_user) = @{ $se{"user $est"} };
	my ($pg_row, $py_row) = @{ $se{"row $est"} };
	ok($pg_user > 1.3 * $pg_row && $py_user > 1.3 * $py_row,
		sprintf('%s: clustering by user raises the standard error %.2f-fold (numpy %.2f-fold)',
			$est, $pg_user / $pg_row, $py_user / $py_row));
}

$node->stop;
done_testing();
