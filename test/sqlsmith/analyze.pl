#!/usr/bin/perl
# analyze.pl PATTERN SERVER_LOG QUERY_DUMP... — the report of run_sqlsmith.sh.
#
# PATTERN is an alternation of the extension's function names.  The query
# dumps are sqlsmith --dump-all-queries output (each query ends with ";\n");
# the server log was written with log_line_prefix '%m [%p] %e: ' and
# log_min_error_statement = error, so each ERROR carries its SQLSTATE and its
# statement.  Prints: queries, queries calling an artbandit function, calls
# per function, the errors of those queries by SQLSTATE and message, internal
# errors (class XX) anywhere, and crashes (backends terminated by a signal,
# PANIC, failed assertions).  Writes crashes.txt and internal_errors.txt next
# to the log when there are any.  Its last line is "crashes=N internal=M",
# internal counting only the XX errors of queries that call the extension.
use strict;
use warnings;
use File::Basename qw(dirname);

my ($pattern, $log, @dumps) = @ARGV;
die "usage: analyze.pl PATTERN SERVER_LOG QUERY_DUMP...\n" unless @dumps;
my $ours = qr/\b(?:$pattern)\s*\(/;

# --- the queries ------------------------------------------------------------
my ($total, $touched, %calls) = (0, 0);
for my $file (@dumps)
{
	local $/ = ";\n";
	open(my $fh, '<', $file) or die "$file: $!";
	while (my $q = <$fh>)
	{
		next unless $q =~ /\S/;
		$total++;
		next unless $q =~ $ours;
		$touched++;
		$calls{$1}++ while $q =~ /\b($pattern)\s*\(/g;
	}
}

# --- the server log: errors with SQLSTATE and statement, crashes ------------
my (@errors, @crashes, $ncrashes, $cur, $in_stmt, $after_crash);    # @crashes: lines, with context
open(my $lh, '<', $log) or die "$log: $!";
while (my $line = <$lh>)
{
	if ($line =~ /^\d{4}-\S+ \S+ \S+ \[\d+\] (\w{5}): (ERROR|FATAL|PANIC|LOG|WARNING|DETAIL|STATEMENT|HINT|CONTEXT):  (.*)$/)
	{
		my ($state, $level, $text) = ($1, $2, $3);
		$in_stmt = 0;
		if ($after_crash && $level eq 'DETAIL')
		{    # "Failed process was running: <query>"
			push @crashes, $line;
			next;
		}
		$after_crash = 0;
		if ($level eq 'ERROR')
		{
			$cur = { state => $state, msg => $text, stmt => '' };
			push @errors, $cur;
		}
		elsif ($level eq 'STATEMENT' && $cur)
		{
			$cur->{stmt} = "$text\n";
			$in_stmt = 1;
		}
		elsif ($level ne 'DETAIL' && $level ne 'HINT' && $level ne 'CONTEXT')
		{
			$cur = undef;
		}
		if ($level eq 'PANIC' || $text =~ /terminated by signal|server process .* was terminated|TRAP:/)
		{
			push @crashes, $line;
			$ncrashes++;
			$after_crash = 1;
		}
		next;
	}
	if ($line =~ /TRAP:|terminated by signal/)
	{
		push @crashes, $line;
		$ncrashes++;
		$after_crash = 1;
	}
	elsif ($line =~ /^\t/ || $line !~ /^\d{4}-/)
	{
		$cur->{stmt} .= $line if $in_stmt && $cur;
		push @crashes, $line if $after_crash;
	}
	else
	{
		($cur, $in_stmt) = (undef, 0);
	}
}

my (%by_state, %by_msg, @internal, $ours_failed);
for my $e (@errors)
{
	my $is_ours = $e->{stmt} =~ $ours;
	push @internal, $e if $e->{state} =~ /^XX/;
	next unless $is_ours;
	$ours_failed++;
	$by_state{ $e->{state} }++;
	(my $m = $e->{msg}) =~ s/-?\d[\d.e+-]*/N/g;
	$by_msg{"$e->{state} $m"}++;
}
$ours_failed //= 0;
my $internal_ours = grep { $_->{stmt} =~ $ours } @internal;

printf "  queries        %d\n", $total;
printf "  artbandit      %d queries call an artbandit function (%.0f%%); %d of them ran without error\n",
  $touched, $total ? 100 * $touched / $total : 0, $touched - $ours_failed;
print "  calls per function (occurrences in the queries):\n";
printf "    %-28s %d\n", $_, $calls{$_} for sort { $calls{$b} <=> $calls{$a} || $a cmp $b } keys %calls;
print "  errors of the queries calling artbandit, by SQLSTATE: ",
  join(' ', map { "$_=$by_state{$_}" } sort keys %by_state), "\n";
print "  most frequent of those errors:\n";
my @top = (sort { $by_msg{$b} <=> $by_msg{$a} || $a cmp $b } keys %by_msg)[ 0 .. 14 ];
printf "    %5d  %s\n", $by_msg{$_}, substr($_, 0, 110) for grep { defined } @top;
printf "  internal errors (XX) %d, %d of them in queries calling artbandit\n",
  scalar @internal, $internal_ours;
my $dir = dirname($log);
if (@internal)
{
	open(my $fh, '>', "$dir/internal_errors.txt") or die $!;
	print $fh "-- SQLSTATE $_->{state}: $_->{msg}\n$_->{stmt}\n" for @internal;
	close $fh;
	printf "    %s %s\n", $_->{state}, substr($_->{msg}, 0, 120) for @internal[ 0 .. ($#internal < 9 ? $#internal : 9) ];
}
$ncrashes //= 0;
printf "  crashes        %d (server log: terminated by signal, PANIC, TRAP)\n", $ncrashes;
if (@crashes)
{
	open(my $fh, '>', "$dir/crashes.txt") or die $!;
	print $fh @crashes;
	close $fh;
	print "    $_" for @crashes[ 0 .. ($#crashes < 9 ? $#crashes : 9) ];
}
printf "crashes=%d internal=%d touched=%d total=%d\n", $ncrashes, $internal_ours, $touched, $total;
