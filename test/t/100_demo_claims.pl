# The main job, `make demo`, runs demo/demo.sql: here it runs on a smaller
# log (300,000 impressions) and its claims are asserted, not just printed:
# contextual policies beat the best single image, which beats random; DR's
# interval is narrower than IPS's; the intervals cover the truth; plain
# replay is biased under non-uniform logging while weighted estimates are
# not; at 16 images per show the lambda estimators trade bias for variance
# and SLOPE's choice covers the truth, Recap's interval is narrower than
# replay's, and the paired comparison of the learned policy with the
# logging policy finds the true lift with a smaller standard error than
# the two separate estimates.
# The chart: the numbers demo.sql writes for it are the ones it printed;
# demo/plot_chart.py (matplotlib) draws them into a valid PNG and SVG with
# axis titles, a legend, even ticks and both panels, and the values read
# back from the drawn artists are those numbers.
use strict;
use warnings;

use File::Basename qw(dirname);
use IPC::Run;
use JSON::PP;
use POSIX ();
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $demo = dirname(__FILE__) . '/../../demo/demo.sql';
my $plot = dirname(__FILE__) . '/../../demo/plot_chart.py';
plan skip_all => 'demo/demo.sql not found' unless -f $demo;

my $node = PostgreSQL::Test::Cluster->new('demo');
$node->init;
$node->append_conf('postgresql.conf', "max_parallel_workers_per_gather = 2\n");
$node->start;

my $csv = $node->basedir . '/chart.csv';
my ($ret, $out, $err) = $node->psql(
	'postgres', slurp_file($demo),
	extra_params => [ '-v', 'rows=300000', '-v', "chart_data=$csv" ],
	on_error_stop => 1);
is($ret, 0, 'demo.sql runs to the end (its own claim check raises on failure)')
  or diag($err);
note($out);

my $claims = $node->safe_psql('postgres',
	q{SELECT string_agg(ord || ':' || holds, ',' ORDER BY ord) FROM artbandit_demo.claims});
is($claims, '1:true,2:true,3:true,4:true,5:true,6:true,7:true', 'every claim of the demo holds');
like($out, qr/\breplay\b.*\bips\b.*\bsnips\b.*\bdm\b.*\bdr\b.*\bsndr\b/s,
	'the estimates table lists all six estimators');
# a line before each slow step and its duration after it
my $steps = () = $out =~ /^    done in \d+(\.\d)? s$/mg;
is($steps, 5, 'the demo says how long each of its five slow steps took');

# ---- the chart's numbers are the ones the demo printed ---------------------
ok(-s $csv, 'the chart data was written');
my @rows = map { [ split /,/ ] } grep { !/^panel,/ } split /\n/, slurp_file($csv);
is(scalar(grep { $_->[0] == 1 } @rows), 36, 'panel 1: six policies x six estimators');
is(scalar(grep { $_->[0] == 2 } @rows), 6, 'panel 2: two policies x replay, ips, snips');
my %data = map { ("$_->[0]|$_->[2]|$_->[3]" => $_) } @rows;

# psql runs with -A -t here: rows are unaligned, |-separated
sub section
{
	my ($from, $to) = @_;
	$out =~ /\Q$from\E(.*?)\Q$to\E/s or return '';
	return $1;
}
sub close_to { my ($a, $b, $tol) = @_; return abs($a - $b) <= $tol; }
my $r4 = 0.00005 + 1e-12;    # printed with 4 decimals

my ($printed, $same) = (0, 0);
for (split /\n/, section('Held-out days 21-30', 'Diagnostics:'))
{
	my ($policy, $est, @v) = split /\|/;
	next unless defined $v[3] && $v[0] =~ /^[-\d.]+$/;
	my $d = $data{"1|$policy|$est"} or next;
	$printed++;
	$same++ if close_to($v[0], $d->[4], $r4) && close_to($v[1], $d->[5], $r4)
	  && close_to($v[2], $d->[6], $r4) && close_to($v[3], $d->[7], $r4);
}
is($printed, 36, 'every printed held-out estimate has its row in the chart data');
is($same, 36, 'panel 1: estimate, interval and truth equal the printed ones (4 decimals)');

($printed, $same) = (0, 0);
for (split /\n/, section('Non-uniform logging', 'Many images per show'))
{
	my ($policy, $plain, undef, undef, $snips, $ips, $truth) = split /\|/;
	next unless defined $truth && $truth =~ /^[\d.]+$/;
	$printed++;
	my %e = map { ($_ => $data{"2|$policy|$_"}) } qw(replay ips snips);
	$same++ if close_to($plain, $e{replay}[4], $r4) && close_to($ips, $e{ips}[4], $r4)
	  && close_to($snips, $e{snips}[4], $r4) && close_to($truth, $e{replay}[7], $r4);
}
is($printed, 2, 'two policies printed under non-uniform logging');
is($same, 2, 'panel 2: plain replay, IPS, SNIPS and the truth equal the printed ones');

# ---- the chart itself --------------------------------------------------------
my $python = '/usr/bin/python3';
SKIP:
{
	if (!-x $python || system("$python -c 'import matplotlib' >/dev/null 2>&1") != 0)
	{
		diag("SKIPPED: the chart is not drawn: $python with matplotlib is missing "
			  . '(Debian: python3-matplotlib; make test installs it)');
		skip 'python3-matplotlib is not installed', 11;
	}
	local $ENV{MPLCONFIGDIR} = $node->basedir . '/mpl';    # its font cache, not $HOME
	my $prefix = $node->basedir . '/chart';
	my ($plotted, $perr);
	my $drawn = IPC::Run::run([ $python, $plot, $csv, $prefix, '--print-plotted' ],
		'>', \$plotted, '2>', \$perr);
	ok($drawn, 'plot_chart.py draws the chart') or diag($perr);

	# PNG: signature, then the IHDR chunk with width and height
	my $head = '';
	if (open(my $fh, '<:raw', "$prefix.png")) { read($fh, $head, 24); close($fh); }
	my ($sig, undef, $ihdr, $w, $h) = unpack('a8 N a4 N N', $head . "\0" x 24);
	is($sig, "\x89PNG\r\n\x1a\n", 'the PNG has the PNG signature');
	ok($ihdr eq 'IHDR' && $w >= 1600 && $h >= 800 && $w > $h,
		"the PNG is a wide picture of readable size ($w x $h)");

	# SVG: parsed by an XML parser; its texts (kept as text) and element ids
	my ($svg, $xerr);
	IPC::Run::run([ $python, '-c', <<'PY', "$prefix.svg" ], '>', \$svg, '2>', \$xerr);
import json, sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
ns = "{http://www.w3.org/2000/svg}"
print(json.dumps({"root": root.tag,
                  "texts": ["".join(e.itertext()) for e in root.iter(ns + "text")],
                  "ids": [e.get("id") for e in root.iter() if e.get("id")]}))
PY
	my $doc = eval { decode_json($svg // '') };
	is($doc && $doc->{root}, '{http://www.w3.org/2000/svg}svg', 'the SVG parses as an SVG document')
	  or diag($xerr);
	my %text = map { ($_ => 1) } @{ $doc->{texts} || [] };
	my @missing = grep { !$text{$_} } (
		'take fraction (plays / impressions)',
		'target policy (fitted on days 1-20, evaluated on days 21-30)', 'target policy',
		'replay (matched rows, no propensities)', 'IPS (weighted by 1 / propensity)',
		'SNIPS (self-normalised IPS)', 'DM (reward model only)', 'DR (model + weighted residuals)',
		'SNDR (self-normalised DR)', 'true take fraction (the simulator knows it)',
		'plain replay is biased, weighting is not', 'greedy', 'thompson');
	is("@missing", '', 'the SVG has the axis titles, every legend entry, the panel titles and the policies');
	is(scalar(grep { $_ eq 'plain replay' } @{ $doc->{texts} }), 2,
		'panel 2 says how far plain replay is from the truth, for both policies');

	# even ticks: each panel's tick labels step by one nice amount (1, 2, 2.5 or 5 x 10^k)
	my @runs = ([]);
	for my $t (grep { /^\d+\.\d+$/ } @{ $doc->{texts} })
	{
		push @runs, [] if @{ $runs[-1] } && $t <= $runs[-1][-1];
		push @{ $runs[-1] }, $t;
	}
	my @bad;
	for my $run (@runs)
	{
		my $step = $run->[1] - $run->[0];
		my $mant = $step / 10**(POSIX::floor(log($step) / log(10)));
		push @bad, "@$run" if @$run < 4
		  || grep({ abs($run->[$_] - $run->[$_ - 1] - $step) > 1e-9 } 1 .. $#$run)
		  || !grep({ abs($mant - $_) < 1e-6 } 1, 2, 2.5, 5);
	}
	ok(@runs == 2 && !@bad, 'two panels of evenly stepped y ticks (' . join('; ', map { "@$_" } @runs) . ')');

	my @ids = @{ $doc->{ids} || [] };
	is(scalar(grep { /^p1-.*-interval$/ } @ids), 36, 'panel 1 draws 36 intervals');
	is(scalar(grep { /^p2-.*-interval$/ } @ids), 6, 'panel 2 draws 6 intervals');
	is(scalar(grep { /^p[12]-.*-truth$/ } @ids), 8, 'the truth is drawn for each of the 6 + 2 policies');

	# what was drawn, read back from the artists, is the chart data
	my ($n, $ok) = (0, 0);
	for (split /\n/, $plotted)
	{
		my ($panel, $policy, $est, $y, $lo, $hi) = split /,/;
		next if $panel eq 'panel';
		$n++;
		my $d = $data{"$panel|$policy|" . ($est eq 'truth' ? 'replay' : $est)} or next;
		$ok++ if $est eq 'truth'
		  ? close_to($y, $d->[7], 1e-12)
		  : close_to($y, $d->[4], 1e-12) && close_to($lo, $d->[5], 1e-12) && close_to($hi, $d->[6], 1e-12);
	}
	ok($n == 50 && $ok == 50, "the drawn points, intervals and truth lines are the chart data ($ok of $n)");
}

$node->stop;
done_testing();
