# Same answers on Citus as on one node (test/t/200_citus.pl): a value of
# each type the aggregates return, read out as rows of numbers, and two
# such readings compared to a relative tolerance.
#   reader(type, column): SQL over a table with (g, <column>) giving one
#     line per group and reported row: every estimate, standard error and
#     interval (ope_report, ope_bootstrap_report, ope_compare_report), the
#     diagnostics, every arm of a model (bandit_arms) and its predictions
#     for the contexts of the probe table;
#   same_numbers(a, b, tol): the lines agree, text exactly and numbers to tol
#     relative; returns the first difference (or undef).
package CitusCompare;

use strict;
use warnings;

use Exporter 'import';
our @EXPORT_OK = qw(reader same_numbers);

my %READER = (
	ope_state => q{
		SELECT t.g::text, 'report', o.k, o.estimator, o.lambda, o.estimate, o.std_error, o.ci_lower, o.ci_upper
		FROM %1$s t, LATERAL ope_report(t.%2$s) WITH ORDINALITY o(estimator, estimate, std_error, ci_lower, ci_upper, lambda, k)
		UNION ALL
		SELECT t.g::text, 'diagnostics', 0, d::text, NULL, NULL, NULL, NULL, NULL
		FROM %1$s t, LATERAL ope_diagnostics(t.%2$s) d},
	ope_bootstrap_state => q{
		SELECT t.g::text, o.ordinality, o.estimator, o.estimate, o.std_error, o.ci_lower, o.ci_upper
		FROM %1$s t, LATERAL ope_bootstrap_report(t.%2$s) WITH ORDINALITY o},
	ope_pair_state => q{
		SELECT t.g::text, o.ordinality, o.estimator, o.value_a, o.value_b, o.difference, o.std_error,
		       o.ci_lower, o.ci_upper, o.p_value
		FROM %1$s t, LATERAL ope_compare_report(t.%2$s) WITH ORDINALITY o},
	banditmodel => q{
		SELECT t.g::text, 'arm', a.action, a.n, a.weight, a.mean_reward
		FROM %1$s t, LATERAL bandit_arms(t.%2$s) a
		UNION ALL
		SELECT t.g::text, 'predict', p.id, bandit_predict(t.%2$s, p.context, p.image_id), NULL, NULL
		FROM %1$s t, probe p},
	'double precision' => q{SELECT t.g::text, 'value', 0, t.%2$s FROM %1$s t},
);

sub reader
{
	my ($type, $table, $column) = @_;
	my $sql = $READER{$type} or die "no reader for type $type";
	return sprintf("SELECT * FROM ($sql) x ORDER BY 1, 2, 3", $table, $column);
}

sub _num
{
	my ($x) = @_;
	return $x =~ /^-?(?:\d+\.?\d*(?:e[-+]?\d+)?|Infinity)$/ ? 1 : 0;
}

sub same_numbers
{
	my ($a, $b, $tol) = @_;
	my @la = split /\n/, $a, -1;
	my @lb = split /\n/, $b, -1;
	return sprintf('%d lines against %d', scalar @la, scalar @lb) if @la != @lb;
	for my $i (0 .. $#la)
	{
		my @fa = split /[|{}(),]/, $la[$i], -1;
		my @fb = split /[|{}(),]/, $lb[$i], -1;
		return "line $i: '$la[$i]' against '$lb[$i]'" if @fa != @fb;
		for my $j (0 .. $#fa)
		{
			my ($x, $y) = ($fa[$j], $fb[$j]);
			next if $x eq $y;
			return "line $i: '$la[$i]' against '$lb[$i]'"
			  unless _num($x) && _num($y) && $x !~ /Infinity/ && $y !~ /Infinity/;
			my $scale = abs($x) > abs($y) ? abs($x) : abs($y);
			return "line $i: $x against $y (relative " . abs($x - $y) / $scale . ")"
			  if abs($x - $y) > $tol * $scale;
		}
	}
	return undef;
}

1;
