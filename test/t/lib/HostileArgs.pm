# Random hostile values for the random calls of TAP 160, as SQL expressions:
# float8 (NULL, 0, -0, +-1, huge, tiny, subnormal, NaN, +-Infinity, out of
# range), int8 and int4 (limits, random ids), policy strings (valid and
# garbage), text, arrays (empty, two-dimensional, NULL-holding,
# lower-bound-not-1, long), and random mutations of the JSON text forms of
# ope_state and banditmodel (broken JSON, or well-formed with a wrong
# number, arm, dimension or sum).  Every draw comes from Perl's rand, so a
# test's srand fixes the sequence.
package HostileArgs;

use strict;
use warnings;

use Exporter 'import';
our @EXPORT_OK = qw(pick chance q_lit gen_float gen_prob gen_int8 gen_int4 gen_bool
  gen_policy gen_text gen_estimator float_elem float_array_lit gen_float_array
  gen_int8_array gen_text_array mutate_json mutate_model_struct mutate_state_struct);

sub pick { return $_[ int(rand(@_)) ]; }
sub chance { return rand() < $_[0]; }
sub q_lit { my $s = shift; $s =~ s/'/''/g; return "'$s'"; }

my @float_real = qw(0 1 0.5 0.25 0.1 0.9 2 3.5 -2 10 42 0.001 0.75 0.3333333333333333 -1 100);
my @float_extreme = (
	"'-0'", '1e308', '-1e308', '1.7976931348623157e308', '-1.7976931348623157e308',
	'1e-308', '2.2250738585072014e-308', '5e-324', '-5e-324', '1e-320',
	"'NaN'", "'Infinity'", "'-Infinity'", '1e154', '1e-154', '1e300',
	'-1e300', '1e-300', '0.9999999999999999', '1.0000000000000002',
	'9.3e18', '1e16', '-1e-300', '4e-162');

sub gen_float
{
	return 'NULL::float8' if chance(0.06);
	return '1e400::float8' if chance(0.003);    # out-of-range literal: 22003
	my $v = chance(0.6) ? pick(@float_real) : pick(@float_extreme);
	$v = "($v)" if $v =~ /^-/;
	return "$v\::float8";
}

sub gen_prob    # a propensity or probability: mostly in range
{
	return gen_float() if chance(0.3);
	return pick('0.25', '0.5', '1', '0.1', '0.75', '0.01', '0', '1e-6', '0.3') . '::float8';
}

my @int8_vals = (
	'0', '1', '-1', '2', '3', '42', '9223372036854775807',
	'(-9223372036854775808)', '1001', '1002', '5', '12', '(-7)', '4294967296',
	'(-2147483648)', '1000000000000');

sub gen_int8
{
	return 'NULL::int8' if chance(0.05);
	return pick(@int8_vals) . '::int8' if chance(0.7);
	my $v = int(rand(2**31)) * (chance(0.5) ? 1 : -1) * (chance(0.3) ? 4294967296 : 1);
	return "($v)::int8";
}

my @int4_vals = (
	'0', '1', '-1', '2', '3', '4', '6', '8', '16', '64', '999', '1000', '1024',
	'1025', '1048576', '1048577', '2147483647', '(-2147483648)');

sub gen_int4
{
	return 'NULL::int4' if chance(0.05);
	return pick(@int4_vals) . '::int4';
}

sub gen_bool { return pick('true', 'false', 'NULL::bool'); }

my @policies = (
	'greedy', 'uniform', 'epsilon_greedy', 'softmax', 'linucb', 'thompson',
	'epsilon_greedy(epsilon=0.1)', 'epsilon_greedy(epsilon=0)', 'epsilon_greedy(epsilon=1)',
	'softmax(temperature=0.5)', 'softmax(temperature=1e-300)', 'softmax(temperature=1e300)',
	'softmax(temperature=5e-324)', 'linucb(alpha=1.0)', 'linucb(alpha=0)',
	'linucb(alpha=1e308)', 'linucb(alpha=0.5, ridge=2)', 'thompson(scale=1.0)',
	'thompson(scale=1e-300)', 'thompson(scale=1e300)', 'thompson(scale=5e-324)',
	'thompson(scale=0.01, ridge=1e-300)', 'greedy(ridge=1e-300)', 'greedy(ridge=5e-324)',
	'greedy(ridge=1e308)', 'uniform(ridge=1)', 'GREEDY', ' Softmax ( temperature = 2 ) ',
	'linucb(ridge=1e-12, alpha=3)', 'thompson(ridge=1e-8)', 'greedy()',
	'epsilon_greedy(epsilon=0.5, ridge=0.5)');
my @bad_policies = (
	'', ' ', 'greedy(', 'greedy)', 'greedy(ridge=)', 'greedy(ridge=0)', 'greedy(ridge=-1)',
	'greedy(ridge=nan)', 'greedy(ridge=inf)', 'greedy(ridge=1e400)', 'linucb(alpha=-1)',
	'softmax(temperature=0)', 'thompson(scale=0)', 'thompson(scale=-1)',
	'epsilon_greedy(epsilon=1.5)', 'epsilon_greedy(epsilon=0.1, epsilon=0.2)',
	'epsilon_greedy(epsilon=0.1, ridge=1, ridge=2)', 'greedy(epsilon=0.1)', 'bogus',
	'greedy extra', 'greedy,', 'linucb(alpha=1,)', 'linucb(alpha 1)', '(alpha=1)',
	'linucb(alpha=1))', "greedy\x{e9}", 'thompson(scale=1e-400)',
	'softmax(temperature=0x10)', 'greedy(' . ('a' x 100) . '=1)',
	'epsilon_greedy(' . join(',', map { "ridge=$_" } 1 .. 50) . ')',
	'x' x 5000, 'uniform(ridge=1, ridge=1, ridge=1)', "greedy\ttab",
	'linucb(alpha=1e-310)');

sub gen_policy
{
	return 'NULL::text' if chance(0.04);
	return q_lit(chance(0.75) ? pick(@policies) : pick(@bad_policies)) . '::text';
}

sub gen_text
{
	return 'NULL::text' if chance(0.05);
	return q_lit(
		pick(
			'', 'a', 'ips', 'snips', 'dr', 'sndr', 'dm', 'replay', 'IPS', ' ips',
			'greedy', 'x' x 3000, "\x{263a}", 'NaN')) . '::text';
}

sub gen_estimator
{
	return gen_text() if chance(0.2);
	return q_lit(pick(qw(replay ips snips dm dr sndr Replay DR ipw_clip dr_clip switch_dr dr_os))) . '::text';
}

# arrays: literal or expression, with the element type $t ('float8', 'int8', 'text')
sub float_elem { my $v = gen_float(); $v =~ s/::float8$//; $v =~ s/^\((.*)\)$/$1/; return $v; }

sub float_array_lit
{
	my @v = @_;
	return "ARRAY[" . join(',', @v) . "]::float8[]";
}

sub gen_float_array
{
	my ($len) = @_;
	my $r = rand();
	if (defined $len && $r < 0.75)
	{
		# the right length: mostly realistic, sometimes one extreme element
		my @v = map { pick(@float_real) } 1 .. $len;
		if (chance(0.35)) { $v[ int(rand($len)) ] = float_elem(); }
		@v = map { $_ eq 'NULL' ? 'NULL' : "($_)::float8" } @v;
		return float_array_lit(@v) if $len <= 64 || chance(0.5);
		return "array_fill(0.5::float8, ARRAY[$len])";
	}
	return pick(
		'NULL::float8[]', "'{}'::float8[]", "'{1}'::float8[]", "'{0.5,0.5}'::float8[]",
		"'{1,2,3}'::float8[]", "'{{1,2},{3,4}}'::float8[]", "'{{{1}}}'::float8[]",
		"'[0:1]={1,2}'::float8[]", "'[5:7]={1,0,1}'::float8[]", "'[-3:-2]={0.5,0.5}'::float8[]",
		"'{NULL,1}'::float8[]", "'{1,NULL,3}'::float8[]", "'{NULL}'::float8[]",
		"'{NaN,1}'::float8[]", "'{Infinity,1}'::float8[]", "'{1,-Infinity,0}'::float8[]",
		"'{1e308,1e308}'::float8[]", "'{5e-324,-5e-324}'::float8[]", "'{-0,-0,-0}'::float8[]",
		"'{0.25,0.25,0.25,0.25}'::float8[]", "'{1,0,0,0}'::float8[]", "'{0.5,0.5,0}'::float8[]",
		"'{0.7,0.2,0.1}'::float8[]", "'{1.0000000001,0}'::float8[]", "'{0.5,0.5000000001}'::float8[]",
		"ARRAY(SELECT sin(g)::float8 FROM generate_series(1, 2000) g)",
		"array_fill(1e-3::float8, ARRAY[1000])", "array_fill(0::float8, ARRAY[1025])",
		"array_fill(1::float8, ARRAY[2, 3])", "array_fill(0.5::float8, ARRAY[2], ARRAY[0])",
		"array_fill(NULL::float8, ARRAY[3])", "array_fill(1e308::float8, ARRAY[64])",
		"ARRAY(SELECT 1.0 / 2000 FROM generate_series(1, 2000))::float8[]",
		"feature_hash(ARRAY['genre=anime', 'country=BR'], 8)");
}

sub gen_int8_array
{
	my ($arms) = @_;
	if ($arms && @$arms && chance(0.7))
	{
		my @c = @$arms;
		if (chance(0.5) && @c > 1)
		{    # a random subset, in random order
			my $n = 1 + int(rand(@c > 40 ? 40 : @c));
			my %seen;
			@c = grep { !$seen{$_}++ } map { pick(@$arms) } 1 .. $n;
		}
		@c = @c[ 0 .. 1999 ] if @c > 2000;
		push @c, pick('424242', '-1', '0', '9223372036854775806') if chance(0.3);
		push @c, $c[0] if chance(0.05);    # a duplicate
		return "ARRAY[" . join(',', map { "($_)::int8" } @c) . "]::int8[]";
	}
	return pick(
		'NULL::int8[]', "'{}'::int8[]", "'{1}'::int8[]", "'{1,2}'::int8[]", "'{1,2,3}'::int8[]",
		"'{1,1}'::int8[]", "'{{1,2},{3,4}}'::int8[]", "'{NULL,1}'::int8[]", "'{NULL}'::int8[]",
		"'[0:1]={1,2}'::int8[]", "'[7:9]={1,2,3}'::int8[]",
		"'{9223372036854775807,-9223372036854775808}'::int8[]", "'{1001,1002,1003,1004}'::int8[]",
		"ARRAY(SELECT g::int8 FROM generate_series(1, 2000) g)",
		"ARRAY(SELECT g::int8 FROM generate_series(1, 100001) g)",
		"ARRAY(SELECT (g * 7919)::int8 FROM generate_series(-1000, 999) g)",
		"ARRAY(SELECT g % 10 FROM generate_series(1, 2000) g)::int8[]");
}

my @tokens = (
	'genre=anime', 'country=BR', 'lang=pt', 'dow=sat', '', ' ', "\x{263a}", 'a' x 1000,
	'tod=evening', 'x', 'NULL', "'", '\\', 'genre=drama');

sub gen_text_array
{
	return pick(
		'NULL::text[]', "'{}'::text[]", "'{a,b}'::text[]", "'{NULL}'::text[]",
		"'{a,NULL}'::text[]", "'{{a,b},{c,d}}'::text[]", "'[0:1]={a,b}'::text[]",
		"'[-2:-2]={x}'::text[]", "ARRAY(SELECT 't' || g FROM generate_series(1, 2000) g)",
		"ARRAY(SELECT repeat('z', g) FROM generate_series(1, 300) g)",
		"array_fill('same'::text, ARRAY[2000])", "array_fill('a'::text, ARRAY[2,2])")
	  if chance(0.4);
	my $n = int(rand(8));
	return "ARRAY[" . join(',', map { q_lit(pick(@tokens)) } 1 .. $n) . "]::text[]";
}

# JSON text mutations of valid ope_state / banditmodel text forms.
my @json_numbers = (
	'0', '-0', '-1', '1', '2', '1e308', '-1e308', '1.7976931348623157e308', '5e-324',
	'1e-320', '1e400', '-1e400', '9223372036854775807', '9223372036854775808',
	'-9223372036854775809', '4294967295', '4294967296', '1025', '100001', 'NaN',
	'Infinity', '"1"', 'null', 'true', '[]', '{}', '0.5', '1e-300', '3', '-5e-324', '1.5',
	'[1,2]', '[[1]]', '18446744073709551616', '0.0000000001');

sub mutate_json
{
	my ($s) = @_;
	my $rounds = 1 + (chance(0.3) ? int(rand(3)) : 0);
	for (1 .. $rounds)
	{
		my $k = int(rand(10));
		my @num;
		while ($s =~ /(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)/g)
		{
			push @num, [ $-[1], $+[1] - $-[1] ];
		}
		if ($k <= 3 && @num)
		{    # replace a number
			my $n = pick(@num);
			substr($s, $n->[0], $n->[1]) = pick(@json_numbers);
		}
		elsif ($k == 4 && length $s)
		{    # delete a character
			substr($s, int(rand(length $s)), 1) = '';
		}
		elsif ($k == 5)
		{    # insert a character
			substr($s, int(rand(length($s) + 1)), 0) =
			  pick('{', '}', '[', ']', ',', ':', '"', '1', ' ', '-', '\\', "\x{e9}");
		}
		elsif ($k == 6 && length $s)
		{    # truncate
			$s = substr($s, 0, int(rand(length $s)));
		}
		elsif ($k == 7 && length $s)
		{    # duplicate a slice
			my $at = int(rand(length $s));
			my $l = int(rand(40));
			substr($s, $at, 0) = substr($s, $at, $l);
		}
		elsif ($k == 8)
		{    # rename a key
			my @keys;
			while ($s =~ /"([a-z_0-9]+)"\s*:/g) { push @keys, [ $-[1], $+[1] - $-[1] ]; }
			if (@keys)
			{
				my $key = pick(@keys);
				substr($s, $key->[0], $key->[1]) = pick(
					'version', 'dim', 'arms', 'kind', 'n', 'n_skipped', 'sums', 'action', 'A', 'b',
					'weight', 'x', 'pi', 'w', 'max_weight', 'min_propensity', 'sum_wr2');
			}
		}
		elsif ($k == 9 && @num >= 2)
		{    # swap two numbers
			my ($x, $y) = (pick(@num), pick(@num));
			($x, $y) = ($y, $x) if $x->[0] > $y->[0];
			if ($x->[0] + $x->[1] <= $y->[0])
			{
				my $sx = substr($s, $x->[0], $x->[1]);
				my $sy = substr($s, $y->[0], $y->[1]);
				substr($s, $y->[0], $y->[1]) = $sx;
				substr($s, $x->[0], $x->[1]) = $sy;
			}
		}
	}
	return $s;
}

# Structured mutations: the JSON stays well-formed and A symmetric, so that
# most mutated values are accepted and reach the mathematics.
my @model_vals = (
	'0', '-0', '-1', '1', '2', '0.5', '1e308', '-1e308', '5e-324', '-5e-324', '1e-300',
	'1e154', '-1e154', '1e16', '9223372036854775807', '-9223372036854775808', '1e-160');

sub mutate_model_struct
{
	my ($s) = @_;
	my @arms;
	while ($s =~ /\{"action":[^{}]*\}/g) { push @arms, [ $-[0], $+[0] - $-[0] ]; }
	my $k = int(rand(9));
	if ($k == 8 || !@arms)
	{    # another dimension
		$s =~ s/"dim":(\d+)/'"dim":' . pick($1 + 1, $1 - 1, 0, 1025, 1, 4294967297)/e;
		return $s;
	}
	if ($k == 7)
	{    # a duplicate arm, two arms swapped, or no arms
		my $a = pick(@arms);
		my $r = rand();
		if ($r < 0.4)
		{
			substr($s, $a->[0] + $a->[1], 0) = ',' . substr($s, $a->[0], $a->[1]);
		}
		elsif ($r < 0.7 && @arms >= 2)
		{
			my ($x, $y) = @arms[ 0, 1 ];
			my ($ax, $ay) = (substr($s, $x->[0], $x->[1]), substr($s, $y->[0], $y->[1]));
			substr($s, $y->[0], $y->[1]) = $ax;
			substr($s, $x->[0], $x->[1]) = $ay;
		}
		else
		{
			$s =~ s/"arms":\[.*\]\}$/"arms":[]}/s;
		}
		return $s;
	}
	my $a   = pick(@arms);
	my $arm = substr($s, $a->[0], $a->[1]);
	my $v   = pick(@model_vals);
	if ($k <= 1)
	{    # a scalar of the arm
		my $f = pick(qw(action n weight sum_wr sum_wr2));
		$arm =~ s/"$f":[^,]+/"$f":$v/;
	}
	elsif ($k <= 5)
	{    # A: a diagonal element, a symmetric pair, or every element alike
		my ($A) = $arm =~ /"A":(\[\[.*?\]\])/;
		my @rows = map { [ split /,/ ] } ($A =~ /\[([^\[\]]*)\]/g);
		my $d = @rows;
		my ($i, $j) = (int(rand($d)), int(rand($d)));
		$j = $i if $k == 2;
		if ($k == 5)
		{
			@rows = map { [ ($v) x $d ] } 1 .. $d;
		}
		else
		{
			$rows[$i][$j] = $v;
			$rows[$j][$i] = $v;
		}
		my $newA = '[' . join(',', map { '[' . join(',', @$_) . ']' } @rows) . ']';
		$arm =~ s/"A":\[\[.*?\]\]/"A":$newA/;
	}
	else
	{    # an element of b
		my ($b) = $arm =~ /"b":\[([^\[\]]*)\]/;
		my @b = split /,/, $b;
		$b[ int(rand(@b)) ] = $v;
		my $nb = join(',', @b);
		$arm =~ s/"b":\[[^\[\]]*\]/"b":[$nb]/;
	}
	substr($s, $a->[0], $a->[1]) = $arm;
	return $s;
}

my @sum_names = qw(pi pi_r pi2 pi2_r pi2_r2 w w2 w_r w2_r w2_r2 v v2 w_e w2_e w2_e2 v_w_e v_w);
my @state_vals = (
	@model_vals, '[1,1]', '[1e308,-1e308]', '[1,-1]', '[5e-324,5e-324]', '[0,1e-300]',
	'[1e16,1]', '[-1,0.5]', '[1,1e-17]', 'null', '[1]', '[1,2,3]');

sub mutate_state_struct
{
	my ($s) = @_;
	my $k = int(rand(6));
	my $v = pick(@state_vals);
	if ($k <= 1)
	{    # a count or an extreme
		my $f = pick(qw(n n_skipped n_matched max_weight min_propensity));
		$v = pick('0', '1', '2', '3', '-1', '9223372036854775807', '1e308', '5e-324', 'null', '0.5')
		  if chance(0.5);
		$s =~ s/"$f":[^,]+/"$f":$v/;
	}
	elsif ($k <= 3)
	{    # a sum set (or added)
		my $f = pick(@sum_names);
		if ($s =~ /"$f":/)
		{
			$s =~ s/"$f":(\[[^\]]*\]|[^,}]+)/"$f":$v/;
		}
		else
		{
			$s =~ s/"sums":\{/"sums":{"$f":$v,/;
			$s =~ s/,\}/}/;
		}
	}
	elsif ($k == 4)
	{    # a sum removed
		my $f = pick(@sum_names);
		$s =~ s/"$f":(\[[^\]]*\]|[^,}]+),?//;
		$s =~ s/,\}/}/;
	}
	else
	{    # the other kind
		$s =~ s/"kind":"(basic|dr)"/'"kind":"' . ($1 eq 'dr' ? 'basic' : 'dr') . '"'/e;
	}
	return $s;
}

1;
