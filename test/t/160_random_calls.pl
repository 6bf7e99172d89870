# Random calls of every artbandit function and aggregate (issue: "your own
# random-call generator for our functions (sqlsmith seldom reaches them): 0
# crashed backends").
#
# The functions are read from the catalog (pg_proc via pg_depend on the
# extension), so a function added later is covered without touching this
# file.  For each one the generator draws many calls (fixed seed) whose
# arguments come from a pool per type: NULL, 0, -0, +-1, huge, tiny,
# subnormal, NaN, +-Infinity; empty, two-dimensional, NULL-holding,
# lower-bound-not-1 and long (2000-element) arrays; fitted ope_state and
# banditmodel values (small and extreme ones, stored in tables and as
# literals) and randomly mutated text forms of them; valid and garbage
# policy strings; random int8 action ids.  Arguments are drawn coherently
# most of the time (a context of the model's dimension, candidates among its
# arms) so that calls get past the argument checks into the mathematics.
# Aggregates run over VALUES lists, as window aggregates, with ORDER BY and
# FILTER, and over a 6,000-row table with parallel plans forced (so the
# combine, serialize and deserialize functions run); set-returning functions
# run in the target list (streamed, LIMITed) and in FROM.  A few calls are
# wrong on purpose (one argument too many, an uncallable `internal`
# argument, a text where a number is expected): those alone may fail with
# a 42xxx SQLSTATE.
#
# Each call is one statement of one psql session: a PL/pgSQL runner
# executes it in a subtransaction and reports either its result or its
# SQLSTATE; 15% of the calls run with force_parallel_mode = on, so the
# functions also run inside parallel workers.  Every outcome must be
#   - a result whose text holds no NaN or Infinity (float8 outputs and
#     array elements, and the JSON of ope_state / banditmodel), that passes
#     the function's invariants (probabilities in [0, 1] summing to 1, a
#     banditmodel or ope_state that reads back from its text form to the same
#     text and bytes, feature_hash of length dim, scores and probabilities
#     aligned with the candidates, a chosen action among them), or
#   - an ERROR of class 22 (data exception) or 54000 (program limit), or
#     42xxx only for the deliberate calls: never XX000, a timeout or a crash.
# When a backend dies, the call that killed it is recorded (and re-run alone
# to confirm it), the server restarts and the run goes on, so one run shows
# every crashing call.  The server log must not say "terminated by signal",
# and the server must answer afterwards.
#
# The machinery lives in test/t/lib: the hostile values in HostileArgs.pm,
# the sample values and the functions under test in RandomCallSamples.pm,
# building the calls and their result checks in CallBuilder.pm, running them
# and the verdicts in CallRunner.pm.  This file is the driver.
#
# Knobs: RANDOM_CALLS_SEED (default 160), RANDOM_CALLS_SCALE (calls per
# function weight, default 1.0), RANDOM_CALLS_DUMP (a file to write every
# call and its outcome to).  About 11,000 calls; runtime about 2 minutes on
# 2 busy cores.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time);
use RandomCallSamples qw(create_samples read_samples extension_functions samples_digest);
use CallBuilder;
use CallRunner qw(install_runner run_calls dump_calls verdicts report_run reproduce_crashes show_bad);

my $SEED  = $ENV{RANDOM_CALLS_SEED}  // 160;
my $SCALE = $ENV{RANDOM_CALLS_SCALE} // 1.0;
srand($SEED);
my $t_start = time;

my $node = PostgreSQL::Test::Cluster->new('random_calls');
$node->init;
$node->append_conf(
	'postgresql.conf', q{
restart_after_crash = on
max_worker_processes = 8
max_parallel_workers = 4
max_parallel_workers_per_gather = 2
});
$node->start;
create_samples($node);
install_runner($node);

my $funcs = extension_functions($node);
cmp_ok(scalar(@$funcs), '>=', 50, 'functions and aggregates of the extension read from pg_depend');
my $samples = read_samples($node);
note(sprintf "%d sample models, %d sample states, %d bootstrap and %d paired states",
	scalar @{ $samples->{models} }, scalar @{ $samples->{states} },
	scalar @{ $samples->{states12}{rc_bs} }, scalar @{ $samples->{states12}{rc_ps} });

my $builder = CallBuilder->new($samples);
my $calls = $builder->calls($funcs, $SCALE);
note(sprintf "%d calls generated (seed %d, %d from mutated text forms)",
	scalar @$calls, $SEED, $builder->n_mutated);
cmp_ok(scalar(@$calls), '>=', 3000, 'thousands of calls');

# The stored sample values, to check afterwards that no call changed them
# (a function must never write into its pass-by-reference arguments).
my $digest_before = samples_digest($node);
my $run = run_calls($node, $calls);
dump_calls($ENV{RANDOM_CALLS_DUMP}, $calls, $run) if $ENV{RANDOM_CALLS_DUMP};

my ($per_func, $bad) = verdicts($calls, $run);
report_run($calls, $run, $per_func);
reproduce_crashes($node, $calls, $run);
show_bad($bad);
is(scalar(@{ $run->{crashes} }), 0, 'no call crashed the backend');
is(scalar(@$bad), 0, 'every call returned a finite, consistent result or an expected SQLSTATE');
is($node->safe_psql('postgres', 'SELECT 1'), '1', 'the server answers afterwards');
is(samples_digest($node), $digest_before, 'the stored models and states are unchanged');
my $log = slurp_file($node->logfile);
ok($log !~ /terminated by signal|server process .* was terminated|PANIC|TRAP:/,
	'server log: no backend terminated by a signal, no PANIC');
note(sprintf 'total runtime %.1f s', time - $t_start);

$node->stop;
done_testing();
