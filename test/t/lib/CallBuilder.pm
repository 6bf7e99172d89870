# Random calls of the extension's functions for TAP 160, built over its
# sample values (test/t/lib/RandomCallSamples.pm) from the hostile values of
# test/t/lib/HostileArgs.pm: arguments drawn coherently most of the time (a
# context of the model's dimension, candidates among its arms, stored or
# literal or mutated models and states), scalar calls (positional or named,
# one per row of a table, set-returning ones in the target list or in
# FROM), aggregate calls (over VALUES lists, as window aggregates, with
# ORDER BY and FILTER, over the 6,000-row table with parallel plans), and
# deliberately wrong calls (42xxx allowed).  Each call is a query returning
# the text of its results and whether they pass the function's invariants
# (result_check, argument_check).
package CallBuilder;

use strict;
use warnings;

use List::Util qw(shuffle);
use HostileArgs qw(pick chance q_lit gen_float gen_prob gen_int8 gen_int4 gen_bool
  gen_policy gen_text gen_estimator float_elem float_array_lit gen_float_array
  gen_int8_array gen_text_array mutate_json mutate_model_struct mutate_state_struct);

# A builder over the samples (as RandomCallSamples::read_samples returns
# them: models, states, states12).
sub new
{
	my ($class, $samples) = @_;
	return bless { %$samples, cur_fname => '', n_mutated => 0, call_mutated => 0 }, $class;
}

# How many calls so far were drawn with a mutated ope_state/banditmodel literal.
sub n_mutated { return $_[0]{n_mutated}; }

sub gen_model
{
	my ($self, $ctx) = @_;
	my $r = rand();
	return 'NULL::banditmodel' if $r < 0.05;
	my $m = pick(@{ $self->{models} });
	# the big ones (dim 1024, 2000 arms) rarely, and never printed whole
	$m = pick(@{ $self->{models} }) if $m->{id} == 13 || $m->{id} == 14;
	$m = pick(grep { $_->{id} != 13 } @{ $self->{models} }) if $m->{id} == 13 && $self->{cur_fname} eq 'banditmodel_out';
	$ctx->{model} = $m if !$ctx->{model};
	if ($r < 0.65 || $m->{text} eq '')
	{
		return "(SELECT m FROM rc_bm WHERE id = $m->{id})";
	}
	if ($r < 0.8)
	{
		return q_lit($m->{text}) . '::banditmodel';
	}
	$self->{n_mutated}++;
	$self->{call_mutated} = 1;
	delete $ctx->{model} if $ctx->{model} == $m && chance(0.5);
	my $t = chance(0.6) ? mutate_model_struct($m->{text}) : mutate_json($m->{text});
	return q_lit($t) . '::banditmodel';
}

sub gen_state
{
	my ($self, $ctx) = @_;
	my $r = rand();
	return 'NULL::ope_state' if $r < 0.05;
	my $s = pick(@{ $self->{states} });
	return "(SELECT s FROM rc_os WHERE id = $s->{id})" if $r < 0.6;
	return q_lit($s->{text}) . '::ope_state' if $r < 0.75;
	$self->{n_mutated}++;
	$self->{call_mutated} = 1;
	my $t = chance(0.6) ? mutate_state_struct($s->{text}) : mutate_json($s->{text});
	return q_lit($t) . '::ope_state';
}

# A bootstrap or paired state: NULL, stored, a literal, or a mutated literal.
my %table12 = (ope_bootstrap_state => 'rc_bs', ope_pair_state => 'rc_ps');

sub gen_state12
{
	my ($self, $type) = @_;
	my $r = rand();
	return "NULL::$type" if $r < 0.05;
	my $s = pick(@{ $self->{states12}{ $table12{$type} } });
	return "(SELECT s FROM $table12{$type} WHERE id = $s->{id})" if $r < 0.6;
	return q_lit($s->{text}) . "::$type" if $r < 0.75;
	$self->{n_mutated}++;
	$self->{call_mutated} = 1;
	return q_lit(mutate_json($s->{text})) . "::$type";
}

sub gen_cstring
{
	my ($self, $rettype) = @_;
	my $src;
	if ($rettype eq 'banditmodel')
	{
		my $m = pick(grep { $_->{text} ne '' } @{ $self->{models} });
		$src = $m->{text};
	}
	elsif ($table12{$rettype})
	{
		$src = pick(@{ $self->{states12}{ $table12{$rettype} } })->{text};
		if (chance(0.7))
		{
			$self->{call_mutated} = 1;
			$src = mutate_json($src);
		}
		return q_lit($src) . '::cstring';
	}
	else
	{
		$src = pick(@{ $self->{states} })->{text};
	}
	if (chance(0.7))
	{
		$self->{call_mutated} = 1;
		$src =
		    chance(0.4)                   ? mutate_json($src)
		  : $rettype eq 'banditmodel' ? mutate_model_struct($src)
		  :                               mutate_state_struct($src);
	}
	$src = pick('', '{', '[]', 'null', '{}', ' ' x 10) if chance(0.05);
	return q_lit($src) . '::cstring';
}

sub gen_bytea
{
	return pick(
		"'\\x'::bytea", "'\\x00'::bytea", "'\\x0100000000000000'::bytea",
		"decode(repeat('ff', 400), 'hex')", "banditmodel_send((SELECT m FROM rc_bm WHERE id = 1))",
		"ope_state_send((SELECT s FROM rc_os WHERE id = 1))", 'NULL::bytea',
		"ope_state_send((SELECT s FROM rc_os WHERE id = 10))",
		"ope_bootstrap_state_send((SELECT s FROM rc_bs WHERE id = 1))",
		"substring(ope_bootstrap_state_send((SELECT s FROM rc_bs WHERE id = 2)) FROM 1 FOR 100)",
		"ope_pair_state_send((SELECT s FROM rc_ps WHERE id = 2))");
}

# One argument of type $type (named $name) for a call being built in $ctx.
sub gen_arg
{
	my ($self, $type, $name, $ctx, $f) = @_;
	my $m = $ctx->{model};
	if ($type eq 'banditmodel')    { return $self->gen_model($ctx); }
	if ($type eq 'ope_state')      { return $self->gen_state($ctx); }
	if ($table12{$type})           { return $self->gen_state12($type); }
	if ($type eq 'cstring')        { return $self->gen_cstring($f->{rettype}); }
	if ($type eq 'bytea')          { return gen_bytea(); }
	if ($type eq 'internal')       { return 'NULL::internal'; }
	if ($type eq 'boolean')        { return gen_bool(); }
	if ($type eq 'text[]')         { return gen_text_array(); }
	if ($type eq 'bigint[]')       { return gen_int8_array($m ? $m->{arms} : undef); }
	if ($type eq 'double precision[]' && $name eq 'lambdas' && chance(0.7))
	{
		return pick("'{1}'::float8[]", "'{0,0.5,2,Infinity}'::float8[]", "'{Infinity}'::float8[]",
			"'{1e-300,1e300}'::float8[]", "(SELECT array_agg(g::float8) FROM generate_series(1, 32) g)");
	}
	if ($type eq 'double precision[]' && $name eq 'p_values' && chance(0.7))
	{
		return pick("'{0.01,0.04,0.03}'::float8[]", "'{1}'::float8[]", "'{0,1,NULL,0.5}'::float8[]",
			"ARRAY(SELECT (g % 100) / 100.0 FROM generate_series(1, 2000) g)::float8[]");
	}
	if ($type eq 'double precision[]')
	{
		my $len;
		$len = $m->{dim} if $m && $name eq 'context';
		$len = $ctx->{plen} if $name eq 'values' && $ctx->{plen};
		my $arr = gen_float_array($len);
		if ($name eq 'probabilities' && chance(0.6))
		{
			my $k = 1 + int(rand(5));
			$ctx->{plen} = $k;
			$arr = float_array_lit(map { sprintf('%.17g', 1 / $k) } 1 .. $k);
		}
		return $arr;
	}
	if ($type eq 'text')
	{
		return q_lit(pick('normal', 'bernstein', 'wilson', 'clopper_pearson', 'cs', 'cs(rows=50)',
				'slope', 'mse', 'CS ( rows = 1e15 )', 'cs(rows=0)', 'cs(rows=', 'normal(x=1)', ''))
		  . '::text'
		  if $name eq 'method' && chance(0.8);
		return gen_estimator() if $name eq 'estimator';
		return gen_text()      if $name eq '' && chance(0.3);
		return gen_policy();
	}
	if ($type eq 'bigint')
	{
		if ($m && @{ $m->{arms} } && ($name eq 'action' || $name eq 'logged_action') && chance(0.6))
		{
			return '(' . pick(@{ $m->{arms} }) . ')::int8';
		}
		return '(' . int(rand(200)) . ')::int8' if $name eq 'n' && chance(0.8);
		return gen_int8();
	}
	if ($type eq 'integer')
	{
		return pick('1', '2', '5', '20', '0', '-1', '10000', '10001') . '::int4'
		  if $name eq 'replicates' && chance(0.8);
		return pick('1', '2', '3', '0', '-5', '1000') . '::int4'
		  if ($name eq 'target_rank' || $name eq 'replicate') && chance(0.7);
		return pick('1', '2', '3', '4', '8', '16', '64') . '::int4'
		  if chance(0.6) && ($name eq 'dim' || $name eq 'shows' || $name eq 'images_per_show');
		return gen_int4();
	}
	if ($type eq 'double precision')
	{
		return gen_prob() if $name =~ /^(propensity|target_probability|target_a|target_b|confidence)$/;
		return gen_prob() if $name eq '' && chance(0.5);
		return pick('1.0', '0.5', '2', '1e-6') . '::float8' if $name eq 'ridge' && chance(0.5);
		return gen_float();
	}
	die "no generator for type $type";
}

# Calls per function: 70 times the weight (default 1) times the scale; 5 for a
# function with an internal argument (no call can reach it).
my %weight = (
	bandit_act => 3, bandit_choose => 3, bandit_probabilities => 4, bandit_probability => 3,
	bandit_scores => 3, bandit_value => 3, bandit_predict => 3, bandit_update => 3,
	bandit_fit => 2, bandit_merge => 2, bandit_arms => 2, feature_hash => 2,
	simulate_impressions => 2, ope_report => 3, ope_estimate => 3, ope_diagnostics => 2,
	ope_merge => 2, policy_value => 2, ope_state_in => 2, banditmodel_in => 3);

# Aggregate arguments as columns of the 6,000-row table rc_rows, by type and
# argument name ('' for any other name).
my %rc_cols = (
	'double precision' => {
		reward => 'r', propensity => 'mu', target_probability => 'pi', q_logged => 'q',
		v_target => 'v', weight => 'w', target_a => 'pi', target_b => '0.5::float8',
		v_a => 'v', v_b => 'q', '' => 'minutes'
	},
	'double precision[]' => { lambdas => 'lam', '' => 'ctx' },
	'bigint' => { logged_action => 'la', target_action => 'ta', action => 'la', unit_id => '(id / 3)',
		seed => '7::int8', '' => 'la' },
	'boolean' => { '' => 'played' },
	'ope_state' => { '' => 'st' },
	'banditmodel' => { '' => 'bm' },
	'ope_bootstrap_state' => { '' => 'bs' },
	'ope_pair_state' => { '' => 'ps' },
	'integer' => { replicates => '5', target_rank => '(1 + id % 4)::int4' },
);

sub rc_column
{
	my ($type, $name) = @_;
	my $c = $rc_cols{$type} or return undef;
	my $v = $c->{$name} // $c->{''};
	$v = pick('st', 'st', 'st_dr') if $type eq 'ope_state';
	return $v;
}

# The check expression on result column r (NULL results pass).
sub result_check
{
	my ($f) = @_;
	my $n = $f->{name};
	my $rt = $f->{rettype};
	# (the text form of a big model takes seconds: checked below 64 kB only)
	return "r IS NULL OR octet_length(banditmodel_send(r)) > 65536 OR "
	  . "(r::text::banditmodel::text = r::text AND "
	  . "banditmodel_send(r::text::banditmodel) = banditmodel_send(r))"
	  if $rt eq 'banditmodel';
	return "r IS NULL OR (r::text::ope_state::text = r::text AND "
	  . "ope_state_send(r::text::ope_state) = ope_state_send(r))"
	  if $rt eq 'ope_state';
	return "r IS NULL OR (r::text::${rt}::text = r::text AND "
	  . "${rt}_send(r::text::${rt}) = ${rt}_send(r))"
	  if $table12{$rt};
	# the jsonb casts: an object (the text form); big ones are not re-read
	return "r IS NULL OR jsonb_typeof(r) = 'object'" if $rt eq 'jsonb';
	return "r IS NULL OR (SELECT bool_and(p IS NULL OR (p >= 0 AND p <= 1)) FROM unnest(r) p)"
	  if $n eq 'ope_holm';
	return "r IS NULL OR (r).std_error IS NULL OR ((r).std_error >= 0 AND (r).ci_lower <= (r).ci_upper)"
	  if $n eq 'ope_bootstrap_report' || $n eq 'ope_compare_report' || $n eq 'ope_tune';
	return "r IS NULL OR ((SELECT bool_and(p >= 0 AND p <= 1) FROM unnest(r) p) "
	  . "AND abs((SELECT sum(p) FROM unnest(r) p) - 1) < 1e-6)"
	  if $n eq 'bandit_probabilities';
	return "r IS NULL OR (r >= 0 AND r <= 1)" if $n eq 'bandit_probability';
	return "r IS NULL OR ((r).probability > 0 AND (r).probability <= 1)"
	  if $n eq 'bandit_act';
	return "r IS NULL OR (r).n >= 0" if $n eq 'ope_diagnostics';
	return "r IS NULL OR (r).n >= 0"  if $n eq 'bandit_arms';
	return "r IS NULL OR (r).std_error IS NULL OR ((r).std_error >= 0 AND (r).ci_lower <= (r).ci_upper)"
	  if $n eq 'ope_report';
	return 'true';
}

# Checks that need the call's own arguments (positional, constant ones).
sub argument_check
{
	my ($f, @args) = @_;
	my $n = $f->{name};
	return "r IS NULL OR cardinality(r) = $args[1]" if $n eq 'feature_hash' && @args == 2;
	return undef unless @args >= 3 && $args[2] !~ /^NULL/;
	return "r IS NULL OR cardinality(r) = cardinality($args[2])"
	  if $n eq 'bandit_scores' || $n eq 'bandit_probabilities';
	return "r IS NULL OR r = ANY($args[2])" if $n eq 'bandit_choose';
	return "r IS NULL OR (r).action = ANY($args[2])" if $n eq 'bandit_act';
	return undef;
}

sub wrap
{
	my ($f, $inner, $extra) = @_;
	my $text = 'r::text';
	$text = "CASE WHEN octet_length(banditmodel_send(r)) > 65536 THEN 'big' ELSE r::text END"
	  if $f->{rettype} eq 'banditmodel';
	$text = "CASE WHEN pg_column_size(r) > 65536 THEN 'big' ELSE r::text END"
	  if $f->{rettype} eq 'jsonb';
	my $check = result_check($f);
	$check = "($check) AND ($extra)" if defined $extra;
	return "SELECT string_agg($text, E'\\n'), bool_and($check) FROM ($inner) x";
}

sub gen_scalar_call
{
	my ($self, $f) = @_;
	my %ctx;
	my @types = @{ $f->{types} };
	my @names = @{ $f->{names} };
	# a model first, so that the context and candidates can match it
	if ($f->{name} eq 'simulate_impressions')
	{
		my $m = pick(@{ $self->{models} });
		$ctx{model} = $m;
	}
	my $nargs = @types;
	$nargs -= int(rand($f->{ndef} + 1)) if $f->{ndef} && chance(0.4);
	my @args;
	for my $i (0 .. $nargs - 1)
	{
		my $arg;
		if ($f->{name} eq 'simulate_impressions' && $names[$i] eq 'dim' && chance(0.5))
		{
			$arg = $ctx{model}{dim} . '::int4';
		}
		elsif ($f->{name} eq 'simulate_impressions' && $names[$i] eq 'logging_model' && chance(0.6))
		{
			$arg = "(SELECT m FROM rc_bm WHERE id = $ctx{model}{id})";
		}
		else
		{
			$arg = $self->gen_arg($types[$i], $names[$i], \%ctx, $f);
		}
		push @args, $arg;
	}
	# Row mode: one call per row of a table, a different model or state on
	# each row (the per-call-site model and policy caches churn; stored values
	# are keyed by TOAST pointer, inline ones by their bytes).
	my $from = '';
	if (@types && $types[0] eq 'banditmodel' && !$f->{retset} && chance(0.2))
	{
		if (chance(0.5))
		{
			$args[0] = 'bm';
			$from = 'FROM rc_rows WHERE bm IS NOT NULL ORDER BY (id * 7919) % 101';
			for my $i (1 .. $#args)
			{
				$args[$i] = 'ctx' if $names[$i] eq 'context' && chance(0.8);
				$args[$i] = 'la'  if $names[$i] =~ /action/ && chance(0.5);
				$args[$i] = 'bm'  if $types[$i] eq 'banditmodel' && chance(0.5);
				$args[$i] = 'ARRAY[la, ta]' if $names[$i] eq 'candidates' && chance(0.3);
				$args[$i] = 'r'   if $names[$i] eq 'reward' && chance(0.5);
				$args[$i] = '(ARRAY[' . join(', ', map { gen_policy() } 1 .. 3) . '])[1 + id % 3]'
				  if $names[$i] =~ /policy/ && chance(0.5);
			}
		}
		else
		{
			$args[0] = 'm';
			# (not the dim-1024 model: its text form alone takes seconds)
			my @ids = grep { $_ != 13 && chance(0.5) } map { $_->{id} } @{ $self->{models} };
			@ids = (1) unless @ids;
			$from = 'FROM rc_bm WHERE id IN (' . join(', ', @ids) . ') ORDER BY id DESC';
			for my $i (1 .. $#args)
			{
				$args[$i] = pick(
					'array_fill(0.5::float8, ARRAY[rc_dim(m)])',
					'ARRAY(SELECT sin(id * g)::float8 FROM generate_series(1, rc_dim(m)) g)')
				  if $names[$i] eq 'context' && chance(0.8);
				$args[$i] = 'm' if $types[$i] eq 'banditmodel' && chance(0.5);
			}
		}
	}
	elsif (@types && $types[0] eq 'ope_state' && chance(0.15))
	{
		if (chance(0.5))
		{
			$args[0] = pick('st', 'st_dr');
			$args[1] = pick('st', 'st_dr') if @types > 1 && $types[1] eq 'ope_state' && chance(0.5);
			$from = 'FROM rc_rows WHERE id < 300';
		}
		else
		{
			$args[0] = 's';
			$from = 'FROM rc_os';
		}
	}
	my ($call, $extra);
	if ($nargs == @types && @types && !grep { $_ eq '' } @names and chance(0.1))
	{    # named notation, shuffled, defaults possibly left out
		my @idx = grep { $_ < @types - $f->{ndef} || chance(0.5) } 0 .. $#types;
		@idx = shuffle(@idx);
		$call = "$f->{name}(" . join(', ', map { "\"$names[$_]\" => $args[$_]" } @idx) . ")";
	}
	else
	{
		$call = "$f->{name}(" . join(', ', @args) . ")";
		$extra = argument_check($f, @args) if $from eq '';
	}
	return wrap($f, "SELECT $call AS r $from") if $from ne '' && !$f->{retset};
	return wrap($f, "SELECT r FROM (SELECT $call AS r $from LIMIT 200) s") if $from ne '';
	if ($f->{retset})
	{
		return wrap($f, "SELECT r FROM (SELECT $call AS r LIMIT 40) s")
		  if $f->{name} eq 'simulate_impressions' || chance(0.5);
		return wrap($f, "SELECT t AS r FROM $call AS t LIMIT 40");
	}
	return wrap($f, "SELECT $call AS r", $extra);
}

sub gen_agg_call
{
	my ($self, $f) = @_;
	my @types = @{ $f->{types} };
	my @names = @{ $f->{names} };
	my $args = join(', ', map { "c$_" } 0 .. $#types);
	my $mode = rand();
	if ($mode < 0.25)
	{    # a 6,000-row table, parallel, maybe grouped, maybe a constant swapped in
		my @cols = map {
			my $c = rc_column($types[$_], $names[$_]);
			(!defined $c || chance(0.1)) ? $self->gen_arg($types[$_], $names[$_], {}, $f) : $c
		} 0 .. $#types;
		my $where = pick('', 'WHERE id % 3 = 0', 'WHERE id < 100', 'WHERE id % 2 = 1 AND bm IS NOT NULL', 'WHERE false');
		my $group = chance(0.3) ? 'GROUP BY id % 7' : '';
		my $call = "$f->{name}(" . join(', ', @cols) . ")";
		return wrap($f, "SELECT $call AS r FROM rc_rows $where $group");
	}
	# VALUES rows: a model chosen once for all rows, so that contexts match
	my %ctx;
	my $nrows = pick(0, 1, 1, 2, 3, 5, 8);
	my @rows;
	for my $i (1 .. ($nrows || 1))
	{
		my @vals = map { $self->gen_arg($types[$_], $names[$_], \%ctx, $f) } 0 .. $#types;
		if ($f->{name} eq 'bandit_fit' && !$ctx{model})
		{
			$ctx{model} = pick(grep { $_->{dim} <= 16 } @{ $self->{models} });
		}
		if ($f->{name} eq 'bandit_fit' && $ctx{model} && chance(0.8))
		{
			$vals[1] = gen_float_array($ctx{model}{dim});
		}
		push @rows, "($i, " . join(', ', @vals) . ")";
	}
	my $from = "(VALUES " . join(', ', @rows) . ") v(ord, $args)";
	$from .= ' WHERE false' if $nrows == 0;
	if ($mode < 0.4)
	{    # a window aggregate over a moving frame
		my $frame = pick(
			'ORDER BY ord',
			'ORDER BY ord ROWS BETWEEN 1 PRECEDING AND CURRENT ROW',
			'ORDER BY ord ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING',
			'');
		return wrap($f, "SELECT $f->{name}($args) OVER ($frame) AS r FROM $from");
	}
	if ($mode < 0.5)
	{
		return wrap($f,
			"SELECT $f->{name}($args ORDER BY ord DESC) FILTER (WHERE ord % 2 = 1) AS r FROM $from");
	}
	return wrap($f, "SELECT $f->{name}($args) AS r FROM $from");
}

# Calls that must fail with a 42xxx SQLSTATE (no such function).
sub gen_deliberate_call
{
	my ($self, $f) = @_;
	my %ctx;
	my @args = map { $self->gen_arg($f->{types}[$_], $f->{names}[$_], \%ctx, $f) } 0 .. $#{ $f->{types} };
	my $k = int(rand(3));
	if ($k == 0)
	{
		push @args, '1::int4';
	}
	elsif ($k == 1 && @args)
	{
		$args[ int(rand(@args)) ] = "'x'::text::point";
	}
	else
	{
		@args = ("'x'::text::point") x (@args + 2);
	}
	return wrap({ %$f, name => '', rettype => '' },
		"SELECT $f->{name}(" . join(', ', @args) . ") AS r");
}

# The calls for every function of @$funcs (as
# RandomCallSamples::extension_functions returns them), in order:
# { id, f, sql, deliberate, mutated, in_worker }.
sub calls
{
	my ($self, $funcs, $scale) = @_;
	my $base_calls = 70 * $scale;
	my @calls;
	for my $f (@$funcs)
	{
		my $uncallable = grep { $_ eq 'internal' } @{ $f->{types} };
		my $n = int($base_calls * ($weight{ $f->{name} } // 1));
		$n = 5 if $uncallable;
		for (1 .. $n)
		{
			my ($sql, $deliberate);
			$self->{call_mutated} = 0;
			$self->{cur_fname}    = $f->{name};
			if ($uncallable || chance(0.03))
			{
				$sql        = $uncallable ? $self->gen_scalar_call($f) : $self->gen_deliberate_call($f);
				$deliberate = 1;
			}
			elsif ($f->{kind} eq 'a')
			{
				$sql = $self->gen_agg_call($f);
			}
			else
			{
				$sql = $self->gen_scalar_call($f);
			}
			push @calls,
			  {
				id => scalar(@calls),
				f => $f,
				sql => $sql,
				deliberate => $deliberate,
				mutated => $self->{call_mutated},
				in_worker => chance(0.15)
			  };
		}
	}
	return \@calls;
}

1;
