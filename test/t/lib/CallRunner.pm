# Running the random calls of TAP 160 (test/t/lib/CallBuilder.pm) and
# judging their outcomes.  Each call is one statement of one psql session:
# the PL/pgSQL runner rc_run executes it in a subtransaction (in a parallel
# worker where it can go when the call says in_worker) and reports its
# result, whether the result is finite and passes its invariants, or its
# SQLSTATE.  When a backend dies, the call that killed it is recorded, the
# server restarts and the run goes on after it, so one run shows every
# crashing call.  A verdict accepts a finite result that passes its checks
# or an ERROR of class 22 or 54000 (42xxx only for deliberate calls).
package CallRunner;

use strict;
use warnings;

use Test::More;
use Time::HiRes qw(time);

use Exporter 'import';
our @EXPORT_OK = qw(install_runner run_calls dump_calls verdicts report_run reproduce_crashes
  show_bad);

# rc_run(id, query, in_worker): runs one call, returns its outcome as a line
# (id, milliseconds, R or E, then null|value|nonfinite, invariant, text or
# SQLSTATE, message).
my $runner_sql = q{
CREATE FUNCTION rc_run(id int, q text, in_worker bool) RETURNS text LANGUAGE plpgsql AS $f$
DECLARE
  res text; ok bool; st text; msg text;
  t0 timestamptz := clock_timestamp();
BEGIN
  IF in_worker THEN
    PERFORM set_config('force_parallel_mode', 'on', true);
  END IF;
  BEGIN
    FOR res, ok IN EXECUTE q LOOP END LOOP;
  EXCEPTION
    WHEN query_canceled THEN
      GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
      RETURN id || E'\t' || round(extract(epoch FROM clock_timestamp() - t0) * 1000)
        || E'\tE\t' || st || E'\t' || left(regexp_replace(msg, '\s+', ' ', 'g'), 300);
    WHEN others THEN
      GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
      RETURN id || E'\t' || round(extract(epoch FROM clock_timestamp() - t0) * 1000)
        || E'\tE\t' || st || E'\t' || left(regexp_replace(msg, '\s+', ' ', 'g'), 300);
  END;
  RETURN id || E'\t' || round(extract(epoch FROM clock_timestamp() - t0) * 1000) || E'\tR\t'
    || CASE WHEN res IS NULL THEN 'null'
            -- (an infinite lambda is a valid value: in a state's text or jsonb, as the
            -- first column of ope_lambda_diagnostics, the last of ope_report,
            -- the second of ope_tune and in its reason)
            WHEN regexp_replace(res, '"lambda": ?"Infinity"|lambda=Infinity|(^|\n)\(Infinity,|,Infinity\)|\((ipw_clip|dr_clip|switch_dr|dr_os),Infinity,',
                                '', 'g') ~ '(NaN|Infinity)' THEN 'nonfinite' ELSE 'value' END
    || E'\t' || coalesce(ok::text, 'null') || E'\t'
    || left(regexp_replace(coalesce(res, ''), '\s+', ' ', 'g'), 300);
END $f$;
};

sub install_runner
{
	my ($node) = @_;
	$node->safe_psql('postgres', $runner_sql);
}

# Run @$calls in order; returns { outcome => {id => [kind, sqlstate or
# flags, text]}, elapsed => {id => ms}, crashes => [ids], seconds }.
sub run_calls
{
	my ($node, $calls) = @_;
	my @calls = @$calls;
	my $tag = '$rcq$';
	my $preamble = join("\n",
		'SET client_min_messages = warning;', "SET statement_timeout = '15s';",
		'SET parallel_setup_cost = 0;', 'SET parallel_tuple_cost = 0;',
		'SET min_parallel_table_scan_size = 0;', 'SET max_parallel_workers_per_gather = 2;',
		'');
	my %outcome;    # id -> [kind, sqlstate or flags, text]
	my %elapsed;    # id -> milliseconds
	my @crashes;
	my $next = 0;
	my $t_run = time;
	while ($next < @calls)
	{
		my $script = $preamble;
		for my $c (@calls[ $next .. $#calls ])
		{
			die "tag inside a query" if index($c->{sql}, $tag) >= 0;
			$script .= "SELECT rc_run($c->{id}, $tag$c->{sql}$tag, "
			  . ($c->{in_worker} ? 'true' : 'false') . ");\n";
		}
		# from a file, not stdin: psql stops reading when its backend dies
		my $file = $node->basedir . '/calls.sql';
		open(my $fh, '>', $file) or die "cannot write $file: $!";
		print $fh $script;
		close $fh;
		my ($out, $err) = ('', '');
		eval {
			$node->psql(
				'postgres', '',
				stdout => \$out,
				stderr => \$err,
				on_error_stop => 0,
				extra_params => [ '-q', '-v', 'VERBOSITY=sqlstate', '-f', $file ]);
		};
		$err .= $@ if $@;
		my $last = $next - 1;
		for my $line (split /\n/, $out)
		{
			my ($id, $ms, $kind, @rest) = split /\t/, $line, -1;
			next unless defined $kind && $id =~ /^\d+$/;
			$outcome{$id} = [ $kind, @rest ];
			$elapsed{$id} = $ms;
			$last = $id if $id > $last;
		}
		# ids psql lost without a crash (an error rc_run could not catch)
		for my $id ($next .. $last)
		{
			$outcome{$id} //= [ 'E', 'uncaught', (split /\n/, $err)[0] // '' ];
		}
		last if $last >= $#calls;
		# the call after the last answered one lost the connection
		my $bad = $last + 1;
		push @crashes, $bad;
		$outcome{$bad} = [ 'C', 'crash', '' ];
		diag("connection lost at call $bad: $calls[$bad]{f}{label}\n  $calls[$bad]{sql}\n  psql: "
			  . substr($err, 0, 400));
		$node->poll_query_until('postgres', 'SELECT true')
		  or die 'the server did not come back after a crash';
		$next = $bad + 1;
		last if @crashes > 30;
	}
	my $t_calls = time - $t_run;
	return { outcome => \%outcome, elapsed => \%elapsed, crashes => \@crashes, seconds => $t_calls };
}

# Every call and its outcome, one per line, into $file.
sub dump_calls
{
	my ($file, $calls, $run) = @_;
	my ($outcome, $elapsed) = @$run{qw(outcome elapsed)};
	open(my $fh, '>', $file) or die "cannot write $file: $!";
	for my $c (@$calls)
	{
		my $o = $outcome->{ $c->{id} } // [];
		print $fh join("\t", $c->{id}, $elapsed->{ $c->{id} } // '', $c->{f}{label}, @$o, $c->{sql}), "\n";
	}
	close $fh;
}

# Outcome counts per function label, and [call, what is wrong] for every
# call whose outcome is not acceptable.
sub verdicts
{
	my ($calls, $run) = @_;
	my %outcome = %{ $run->{outcome} };
	my (%per_func, @bad);
	for my $c (@$calls)
	{
		my $o = $outcome{ $c->{id} } // [ 'E', 'missing', '' ];
		my ($kind, $x1, $x2, $x3) = @$o;
		my $label = $c->{f}{label};
		my $s = $per_func{$label} //= {};
		my $verdict;
		if ($kind eq 'R')
		{
			# x1, x2, x3 = null|value|nonfinite, invariant (true|false|null), text
			if ($x1 eq 'nonfinite')
			{
				$verdict = "result holds NaN or Infinity: $x3";
			}
			elsif ($x2 eq 'false')
			{
				$verdict = "result fails its invariant: $x3";
			}
			else
			{
				$s->{ $x1 eq 'null' ? 'null' : 'value' }++;
			}
		}
		elsif ($kind eq 'E')
		{
			my $state = $x1;
			$s->{"E$state"}++;
			if ($state =~ /^22/ || $state eq '54000')
			{
			}
			elsif ($state =~ /^42/ && $c->{deliberate})
			{
			}
			else
			{
				$verdict = "ERROR $state: $x2";
			}
		}
		else
		{
			$s->{crash}++;
			$verdict = 'backend crashed (or the connection was lost)';
		}
		push @bad, [ $c, $verdict ] if defined $verdict;
	}
	return (\%per_func, \@bad);
}

# Notes: outcomes per function and in total, the calls with mutated
# literals, the slowest calls.
sub report_run
{
	my ($calls, $run, $per_func) = @_;
	my @calls = @$calls;
	my %per_func = %$per_func;
	my %outcome = %{ $run->{outcome} };
	my %elapsed = %{ $run->{elapsed} };
	my $t_calls = $run->{seconds};
	for my $label (sort keys %per_func)
	{
		my $s = $per_func{$label};
		note(sprintf "%-90s %s", $label,
			join(' ', map { "$_=$s->{$_}" } sort keys %$s));
	}
	my %total;
	for my $s (values %per_func) { $total{$_} += $s->{$_} for keys %$s; }
	note('total: ' . join(' ', map { "$_=$total{$_}" } sort keys %total));
	{
		my @m = grep { $_->{mutated} } @calls;
		my %mo;
		for my $c (@m)
		{
			my $o = $outcome{ $c->{id} } // ['?'];
			my $k = $o->[0] eq 'R' ? 'result' : $o->[0] eq 'E' ? "E$o->[1]" : 'crash';
			$mo{$k}++;
		}
		note(sprintf 'calls with a mutated ope_state/banditmodel literal: %d (%s)', scalar @m,
			join(' ', map { "$_=$mo{$_}" } sort keys %mo));
	}
	note(sprintf 'calls ran in %.1f s; the slowest:', $t_calls);
	for my $id ((sort { $elapsed{$b} <=> $elapsed{$a} } keys %elapsed)[ 0 .. 4 ])
	{
		my ($inner) = $calls[$id]{sql} =~ /\) FROM \((.*)\) x$/s;
		note(sprintf '  %6d ms  %s  %s', $elapsed{$id}, $calls[$id]{f}{label},
			substr($inner // $calls[$id]{sql}, 0, 400));
	}

}

# Re-run each crashing call alone: does it crash by itself?
sub reproduce_crashes
{
	my ($node, $calls, $run) = @_;
	for my $id (@{ $run->{crashes} })
	{
		my $c = $calls->[$id];
		my ($ret, $out, $err) = $node->psql('postgres', $c->{sql});
		diag(sprintf "crash reproducer (%s alone): %s\n  %s",
			($ret == 2 ? 'crashes again' : "exit $ret"), $c->{f}{label}, $c->{sql});
		$node->poll_query_until('postgres', 'SELECT true');
	}
}

# The first 40 unacceptable outcomes (as verdicts returns them), as diagnostics.
sub show_bad
{
	my ($bad) = @_;
	my $shown = 0;
	for my $bd (@$bad)
	{
		last if ++$shown > 40;
		diag("call $bd->[0]{id} $bd->[0]{f}{label}: $bd->[1]\n  $bd->[0]{sql}");
	}
}

1;
