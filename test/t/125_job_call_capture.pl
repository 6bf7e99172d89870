# Nothing planted by anyone can capture a call the extension's scheduled
# jobs make (issue 20).
#
# artbandit is trusted: a database owner who is not a superuser can install
# it, and owns public, the schema she installs it into and any schema she
# puts first on a victim's search_path; she can also rename her schema and
# put a look-alike in its place.  The job functions are run by superusers
# (pg_cron jobs, dashboards), so a call in them that resolves to her code is
# a privilege escalation.  Since 1.2 they are C: the extension's work is
# direct C calls, and the SQL they run touches only the caller's tables.
#
# The calls are found from the code, not from a hand list: a test-only
# module (test/t/calltrace) logs every function, aggregate, window function
# and operator that PostgreSQL resolved by name in each query parsed inside
# a running statement -- static SQL, PL/pgSQL and the jobs' SPI queries --
# with the argument types as written at the call site.  The driver below
# runs every job function through its normal paths and through every error
# it raises; every extension function that runs SQL (every C file calling
# SPI_connect, read from src/) must appear in it, and the extension must
# have no SQL or PL/pgSQL function.
#
# For each call found, the schema owner plants a capturing exact-match
# overload (raising "captured: ...") in the extension's schema, in public and
# in a schema first on the caller's path.  The driver then runs again as a
# superuser: no plant may run, every call must resolve to the same function
# or operator as before, and every result and error must be the same.  Then
# she renames the extension's schema, recreates one by its old name and
# plants there every traced call and every function and aggregate of the
# extension; callers bound to the jobs by OID (a view, SQL-standard
# functions) must still get the same answers and run none of it.  An
# extension schema named with % (which format() templates would misread)
# gets the same run.
#
# The same procedure on the 1.1 PL/pgSQL jobs must find a capture: the
# negative control that shows this test fails when the rule is broken.
use strict;
use warnings;

use File::Basename qw(dirname);
use File::Copy qw(copy);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $srcdir = dirname(__FILE__);

# Extension functions that run SQL: those defined in a C file that calls SPI.
sub sql_running_functions
{
	my @names;
	for my $file (glob("$srcdir/../../src/*.c"))
	{
		my $code = slurp_file($file);
		next unless $code =~ /\bSPI_connect\b/;
		push @names, $code =~ /PG_FUNCTION_INFO_V1\((\w+)\)/g;
	}
	return sort @names;
}

my $node = PostgreSQL::Test::Cluster->new('job_capture');
$node->init;
$node->append_conf('postgresql.conf', "fsync = off\nlog_min_messages = log\n");
$node->start;

# --- the call tracer ----------------------------------------------------------
my $build = PostgreSQL::Test::Utils::tempdir('calltrace');
copy("$srcdir/calltrace/$_", "$build/$_") or die "copy $_: $!" for qw(calltrace.c Makefile);
my ($bindir) = $node->config_data('--bindir');
my $make_out = `make -s -C '$build' PG_CONFIG='$bindir/pg_config' 2>&1`;
is($?, 0, 'the call tracer builds') or diag($make_out);
my $tracer = "$build/calltrace.so";
ok(-f $tracer, 'calltrace.so exists');

# --- the premise of rule 2 in the install scripts' header --------------------
$node->safe_psql('postgres', q{CREATE SCHEMA "has$dollar"; CREATE SCHEMA "has'quote"});
for my $schema (q{"has$dollar"}, q{"has'quote"})
{
	my ($ret, $out, $err) = $node->psql('postgres', "CREATE EXTENSION artbandit SCHEMA $schema");
	like($err, qr/invalid character in extension "artbandit" schema/,
		"the server refuses schema $schema, so \@extschema\@ cannot break out of a dollar-quoted body");
}

# --- the driver ------------------------------------------------------------------
# %S% is the extension's schema.  Tables live in schema jobs, owned by the
# superuser; the data and the stored states are made before anything is planted.
my $setup = q{
CREATE SCHEMA jobs;
CREATE TABLE jobs.log AS
SELECT date '2026-10-31' + day AS day, show_id, image_id, context, candidates, propensity, played, minutes
FROM %S%.simulate_impressions(4000, 14, 3, 4, 7);
-- shows 1 to 11 have no usable row on days 1 to 3: a refresh of those days skips them
UPDATE jobs.log SET played = NULL WHERE show_id <= 11 AND day <= date '2026-11-03';
CREATE TABLE jobs.models (
    name text NOT NULL, scope text NOT NULL, version int NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(), trained_from date, trained_to date,
    n_rows bigint, retired boolean NOT NULL DEFAULT false, model %S%.banditmodel NOT NULL,
    PRIMARY KEY (name, scope, version));
SELECT %S%.bandit_refresh_models('jobs.log', 'jobs.models', 'ctr', '2026-11-04', '2026-11-10',
                                 scope_column => 'show_id');
SELECT %S%.bandit_refresh_models('jobs.log', 'jobs.models', 'ctr', '2026-11-04', '2026-11-12',
                                 scope_column => 'show_id');
CREATE TABLE jobs.targets (name text PRIMARY KEY, policy text NOT NULL, model %S%.banditmodel NOT NULL,
                           reward_model %S%.banditmodel, reward_ridge float8);
INSERT INTO jobs.targets
SELECT t.name, t.policy, m.model, CASE WHEN t.dr THEN m.model END, t.ridge
FROM (SELECT %S%.bandit_merge(model) AS model FROM %S%.bandit_current_models('jobs.models', 'ctr')) m,
     (VALUES ('greedy', 'greedy', false, NULL), ('softmax', 'softmax(temperature=0.2)', true, 10.0)) t(name, policy, dr, ridge);
CREATE TABLE jobs.targets_dr AS SELECT name, policy, model, model AS reward_model FROM jobs.targets;
CREATE TABLE jobs.targets_empty AS SELECT * FROM jobs.targets WHERE false;
CREATE TABLE jobs.targets_twice AS SELECT * FROM jobs.targets UNION ALL SELECT * FROM jobs.targets;
CREATE TABLE jobs.targets_null AS SELECT name, NULL::text AS policy, model FROM jobs.targets;
CREATE TABLE jobs.targets_ridge AS SELECT name, policy, model, model AS reward_model, -1::float8 AS reward_ridge FROM jobs.targets;
CREATE TABLE jobs.targets_badridge_type AS SELECT name, policy, model, model AS reward_model, 1::int AS reward_ridge FROM jobs.targets;
CREATE TABLE jobs.results (
    day date NOT NULL, policy text NOT NULL, segment_by text NOT NULL DEFAULT '',
    segment text NOT NULL DEFAULT '', state %S%.ope_state NOT NULL,
    computed_at timestamptz NOT NULL DEFAULT now(), definition text,
    PRIMARY KEY (day, policy, segment_by, segment));
SELECT %S%.ope_rollup_day('jobs.log', 'jobs.results', 'jobs.targets', d::date)
FROM generate_series(date '2026-11-11', date '2026-11-14', interval '1 day') d;
SELECT %S%.ope_rollup_day('jobs.log', 'jobs.results', 'jobs.targets', '2026-11-14', segment_column => 'show_id');
CREATE TABLE jobs.mixed AS SELECT * FROM jobs.results;
SELECT %S%.ope_rollup_day('jobs.log', 'jobs.mixed', 'jobs.targets_dr', '2026-11-15');
CREATE TABLE jobs.bad_results (day date, policy text, state %S%.ope_state);
CREATE TABLE jobs.vlog AS SELECT *, array_fill(1::float8 / 3, ARRAY[3]) AS pmf FROM jobs.log;
CREATE TABLE jobs.wrong_types (day int, image_id text, context float4[], candidates text, played text,
                               propensity text, show_id int);
CREATE TABLE jobs.ts_log AS SELECT day::timestamptz + interval '6 hours' AS day, image_id::int4 AS image_id,
       context, candidates::int4[] AS candidates, minutes AS played, propensity::numeric AS propensity
FROM jobs.log;
CREATE TABLE jobs.models_new_scope AS SELECT * FROM jobs.models;
INSERT INTO jobs.models_new_scope (name, scope, version, created_at, n_rows, retired, model)
SELECT 'ctr', 'new', 3, now(), 1, false, %S%.bandit_fit(1, '{1,2,3,4}', 1);
INSERT INTO jobs.models_new_scope (name, scope, version, created_at, n_rows, retired, model)
SELECT 'ctr', scope, 3, now(), 1, false, model FROM jobs.models WHERE version = 2;
};

# One statement per line, '+' when it must succeed and '-' when it must fail
# (every error the bodies raise is reached); each runs in its own session, in a transaction that
# is rolled back, so every run starts from the same tables.  They contain no
# operator and no function call of their own (only the job call), so that
# the plants first on the caller's path cannot capture the caller's own
# statement (that hazard is the README's, not the bodies').
my @driver_lines = grep { /\S/ } split /\n/, q{
+ SELECT ope_rollup_day('jobs.log', 'jobs.results', 'jobs.targets', '2026-11-12')
+ SELECT ope_rollup_day('jobs.log', 'jobs.results', 'jobs.targets', '2026-11-13', ARRAY['softmax'], 'show_id')
+ SELECT ope_rollup_day('jobs.ts_log', 'jobs.results', 'jobs.targets', '2026-11-13')
+ SELECT ope_rollup_day('jobs.log', 'jobs.results', 'jobs.targets_dr', '2026-11-13')
+ SELECT ope_rollup_day('jobs.log', 'jobs.results', 'jobs.targets', '2027-01-01')
- SELECT ope_rollup_day(NULL, 'jobs.results', 'jobs.targets', '2026-11-12')
- SELECT ope_rollup_day('jobs.log', 'jobs.bad_results', 'jobs.targets', '2026-11-12')
- SELECT ope_rollup_day('jobs.log', 'jobs.results', 'jobs.bad_results', '2026-11-12')
- SELECT ope_rollup_day('jobs.log', 'jobs.results', 'jobs.targets_empty', '2026-11-12')
- SELECT ope_rollup_day('jobs.log', 'jobs.results', 'jobs.targets_twice', '2026-11-12')
- SELECT ope_rollup_day('jobs.log', 'jobs.results', 'jobs.targets_null', '2026-11-12')
- SELECT ope_rollup_day('jobs.log', 'jobs.results', 'jobs.targets_ridge', '2026-11-12')
- SELECT ope_rollup_day('jobs.log', 'jobs.results', 'jobs.targets_badridge_type', '2026-11-12')
- SELECT ope_rollup_day('jobs.log', 'jobs.results', 'jobs.targets', '2026-11-12', ARRAY['nope'])
- SELECT ope_rollup_day('jobs.log', 'jobs.results', 'jobs.targets', '2026-11-12', ARRAY['greedy', 'greedy'])
- SELECT ope_rollup_day('jobs.log', 'jobs.results', 'jobs.targets', '2026-11-12', ARRAY['greedy', NULL])
- SELECT ope_rollup_day('jobs.log', 'jobs.results', 'jobs.targets', '2026-11-12', '{}')
- SELECT ope_rollup_day('jobs.log', 'jobs.results', 'jobs.targets', '2026-11-12', day_column => NULL)
- SELECT ope_rollup_day('jobs.log', 'jobs.results', 'jobs.targets', '2026-11-12', day_column => 'nope')
- SELECT ope_rollup_day('jobs.wrong_types', 'jobs.results', 'jobs.targets', '2026-11-12')
- SELECT ope_rollup_day('jobs.log', 'jobs.results', 'jobs.targets', '2026-11-12', action_column => 'context')
- SELECT ope_rollup_day('jobs.log', 'jobs.results', 'jobs.targets', '2026-11-12', context_column => 'played')
- SELECT ope_rollup_day('jobs.log', 'jobs.results', 'jobs.targets', '2026-11-12', candidates_column => 'played')
- SELECT ope_rollup_day('jobs.log', 'jobs.results', 'jobs.targets', '2026-11-12', reward_column => 'context')
- SELECT ope_rollup_day('jobs.log', 'jobs.results', 'jobs.targets', '2026-11-12', propensity_column => 'played')
+ SELECT ope_rollup_range('jobs.log', 'jobs.results', 'jobs.targets', '2026-11-11', '2026-11-13')
+ SELECT ope_rollup_range('jobs.log', 'jobs.results', 'jobs.targets_dr', '2026-11-12', '2026-11-13', ARRAY['softmax'], 'show_id')
- SELECT ope_rollup_range('jobs.log', 'jobs.results', 'jobs.targets', '2026-11-13', '2026-11-11')
- SELECT ope_rollup_range('jobs.log', 'jobs.results', 'jobs.targets', '2026-11-13', 'infinity')
- SELECT ope_rollup_range('jobs.log', 'jobs.results', 'jobs.targets', NULL, '2026-11-11')
- SELECT ope_rollup_range('jobs.log', 'jobs.bad_results', 'jobs.targets', '2026-11-11', '2026-11-12')
+ SELECT * FROM ope_rollup_report('jobs.results', '2026-11-11', '2026-11-14')
+ SELECT * FROM ope_rollup_report('jobs.results', '2026-11-11', '2026-11-14', ARRAY['softmax'], 'show_id', 0.9, true)
- SELECT * FROM ope_rollup_report('jobs.mixed', '2026-11-11', '2026-11-15')
- SELECT * FROM ope_rollup_report('jobs.results', '2026-11-14', '2026-11-11')
- SELECT * FROM ope_rollup_report('jobs.results', NULL, '2026-11-11')
- SELECT * FROM ope_rollup_report('jobs.bad_results', '2026-11-11', '2026-11-14')
- SELECT * FROM ope_rollup_report('jobs.results', '2026-11-11', '2026-11-14', ARRAY['greedy', 'greedy'])
+ SELECT bandit_refresh_models('jobs.log', 'jobs.models', 'ctr', '2026-11-01', '2026-11-10', 'show_id')
+ SELECT bandit_refresh_models('jobs.log', 'jobs.models', 'ctr', '2026-11-01', '2026-11-03', 'show_id')
+ SELECT bandit_refresh_models('jobs.log', 'jobs.models', 'all', '2026-11-01', '2026-11-10')
+ SELECT bandit_refresh_models('jobs.ts_log', 'jobs.models', 'minutes', '2026-11-01', '2026-11-10')
+ SELECT bandit_refresh_models('jobs.log', 'jobs.models', 'ctr', '2027-01-01', '2027-01-10')
- SELECT bandit_refresh_models('jobs.log', 'jobs.models', NULL, '2026-11-01', '2026-11-10')
- SELECT bandit_refresh_models('jobs.log', 'jobs.models', 'ctr', '2026-11-10', '2026-11-01')
- SELECT bandit_refresh_models('jobs.log', 'jobs.results', 'ctr', '2026-11-01', '2026-11-10')
- SELECT bandit_refresh_models('jobs.wrong_types', 'jobs.models', 'ctr', '2026-11-01', '2026-11-10', 'show_id')
+ SELECT * FROM bandit_current_models('jobs.models', 'ctr')
- SELECT * FROM bandit_current_models('jobs.models', NULL)
- SELECT * FROM bandit_current_models('jobs.results', 'ctr')
+ SELECT bandit_rollback_models('jobs.models', 'ctr')
- SELECT bandit_rollback_models('jobs.models', 'nope')
- SELECT bandit_rollback_models('jobs.models_new_scope', 'ctr')
- SELECT bandit_rollback_models(NULL, 'ctr')
- SELECT bandit_rollback_models('jobs.results', 'ctr')
+ SELECT * FROM ope_validate_log('jobs.vlog', 'image_id', 'propensity', 'candidates', 'image_id', 'played', 'pmf')
+ SELECT * FROM ope_validate_log('jobs.ts_log', 'image_id', 'propensity')
- SELECT * FROM ope_validate_log('jobs.log', 'nope', 'propensity')
- SELECT * FROM ope_validate_log('jobs.wrong_types', 'image_id', 'propensity')
- SELECT * FROM ope_validate_log('jobs.log', 'image_id', 'propensity', id_column => 'nope')
+ SELECT * FROM bandit_audit_propensities('jobs.log', (SELECT t.model FROM jobs.targets t LIMIT 1), 'greedy')
+ SELECT * FROM bandit_audit_propensities('jobs.log', (SELECT t.model FROM jobs.targets t LIMIT 1), 'softmax(temperature=0.2)', seed_column => 'image_id')
- SELECT * FROM bandit_audit_propensities('jobs.log', NULL, 'greedy')
- SELECT * FROM bandit_audit_propensities('jobs.wrong_types', (SELECT t.model FROM jobs.targets t LIMIT 1), 'greedy')
};

my @driver = map { substr($_, 2) } @driver_lines;
my @must_succeed = map { substr($_, 0, 1) eq '+' } @driver_lines;

# Every job function (SQL-running C) is driven.
sub undriven_functions
{
	my @called = map { /\b(\w+)\(/g } @driver;
	my %called = map { $_ => 1 } @called;
	return grep { !$called{$_} } sql_running_functions();
}

# Run the driver; returns [outcome per statement], {trace line => count}.
sub run_driver
{
	my ($db, $schema) = @_;
	my $offset = -s $node->logfile;
	my @outcomes;
	for my $stmt (@driver)
	{
		my ($ret, $out, $err) = $node->psql(
			$db, qq{BEGIN;
			LOAD '$tracer';
			SET LOCAL calltrace.enabled = on;
			SET LOCAL search_path = evil, public, $schema;
			$stmt;
			ROLLBACK;}, on_error_stop => 0);
		$err =~ s/^\s*(?:CONTEXT|LOCATION):.*$//mg;
		push @outcomes, "$out\n$err";
	}
	my $log = slurp_file($node->logfile, $offset);
	my %trace;
	$trace{$1}++ while $log =~ /calltrace: (.*)$/mg;
	return (\@outcomes, \%trace);
}

# The plants for one traced call in schema $p, as SQL run by the schema owner.
my $plant_no = 0;

sub plant_sql
{
	my ($line, $p) = @_;
	my ($kind, $nsp, $name, $args, $result, $flags, $resolved) = split /;/, $line, 7;
	my @args = length $args ? split(/,/, $args) : ();
	my $setof = $flags eq 'setof' ? 'SETOF ' : '';
	my $n = $plant_no++;
	my $qname = $name =~ /^[a-z_][a-z0-9_]*$/ ? $name : qq{"$name"};
	(my $what = "captured: $p.$name($args) [$kind]") =~ s/%/%%/g;
	$what =~ s/'/''/g;
	my $raise = "BEGIN RAISE EXCEPTION '$what'; END";
	if ($kind eq 'function')
	{
		return "CREATE FUNCTION $p.$qname(" . join(', ', @args) . ") RETURNS $setof$result"
		  . " LANGUAGE plpgsql AS \$plant\$$raise\$plant\$";
	}
	if ($kind eq 'aggregate')
	{
		my $sig = $flags eq 'star' ? '*' : join(', ', @args);
		return "CREATE FUNCTION $p.capture_$n($result" . join('', map { ", $_" } @args)
		  . ") RETURNS $result LANGUAGE plpgsql AS \$plant\$$raise\$plant\$;"
		  . " CREATE FUNCTION $p.capture_final_$n($result) RETURNS $result LANGUAGE plpgsql"
		  . " AS \$plant\$$raise\$plant\$;"
		  . " CREATE AGGREGATE $p.$qname($sig) (SFUNC = $p.capture_$n, STYPE = $result,"
		  . " FINALFUNC = $p.capture_final_$n)";
	}
	if ($kind eq 'operator')
	{
		my $sides = $flags eq 'prefix' ? "RIGHTARG = $args[0]" : "LEFTARG = $args[0], RIGHTARG = $args[1]";
		return "CREATE FUNCTION $p.capture_$n(" . join(', ', @args) . ") RETURNS $result"
		  . " LANGUAGE plpgsql AS \$plant\$$raise\$plant\$;"
		  . " CREATE OPERATOR $p.$name ($sides, FUNCTION = $p.capture_$n)";
	}
	die "unknown kind $kind";
}

# Plant every traced call in every schema; returns (planted, exact, failed).
sub plant_all
{
	my ($db, $trace, @schemas) = @_;
	my ($planted, $exact, @failed) = (0, 0);
	my %seen;
	for my $line (sort keys %$trace)
	{
		my ($kind, $nsp, $name, $args, $result, $flags) = split /;/, $line, 7;
		next if $seen{"$kind;$name;$args;$flags"}++;
		for my $p (@schemas)
		{
			my ($ret, $out, $err) = $node->psql($db, "SET ROLE mallory; BEGIN; " . plant_sql($line, $p) . "; COMMIT;");
			if ($ret == 0) { $planted++; }
			elsif ($err =~ /already exists with same argument types|operator .* already exists/) { $exact++; }
			else { push @failed, "$p: $line: $err"; }
		}
	}
	return ($planted, $exact, @failed);
}

# One database: install $version into $schema (an SQL identifier), set up,
# trace, plant (also in @more schemas), rerun.  Returns a summary hash.
sub capture_run
{
	my ($db, $schema, $version, @more) = @_;
	$node->safe_psql('postgres', "CREATE DATABASE $db OWNER mallory");
	$node->safe_psql($db, "CREATE SCHEMA $_ AUTHORIZATION mallory") for 'evil', @more;
	$node->safe_psql($db, "CREATE SCHEMA $schema AUTHORIZATION mallory") if $schema ne 'public';
	$node->safe_psql($db, "CREATE EXTENSION artbandit VERSION '$version' SCHEMA $schema");
	$node->safe_psql($db, $setup =~ s/%S%/$schema/gr);

	my ($before, $trace) = run_driver($db, $schema);
	my ($planted, $exact, @failed) =
	  plant_all($db, $trace, sort { $a cmp $b } keys %{ { map { $_ => 1 } $schema, 'public', 'evil', @more } });
	my ($after, $trace_after) = run_driver($db, $schema);

	my @captured = grep { /captured: / } @$after;
	my %resolved_before = map { (split /;/, $_, 7)[6] => 1 } keys %$trace;
	my @moved = grep { !$resolved_before{ (split /;/, $_, 7)[6] } } sort keys %$trace_after;
	my @changed = grep { $before->[$_] ne $after->[$_] } 0 .. $#driver;
	return {
		trace => $trace, planted => $planted, exact => $exact, failed => \@failed,
		captured => \@captured, moved => \@moved, changed => \@changed,
		before => $before, after => $after };
}

# What every capture run of the newest version must show.
sub check_run
{
	my ($db, $r) = @_;
	my $calls = scalar keys %{ $r->{trace} };
	cmp_ok($calls, '>=', 12, "$db: the jobs' calls were traced ($calls distinct call sites)");
	cmp_ok($r->{planted}, '>=', 2 * 12, "$db: capturing overloads planted ($r->{planted}; $r->{exact} exact duplicates refused)");
	is_deeply($r->{failed}, [], "$db: every overload could be planted or was an exact duplicate")
	  or diag(join("\n", @{ $r->{failed} }));
	is_deeply($r->{captured}, [], "$db: no planted overload ran") or diag(join("\n", @{ $r->{captured} }));
	is_deeply($r->{moved}, [], "$db: every call resolves to the same function or operator as before");
	is_deeply($r->{changed}, [], "$db: every result and error is unchanged")
	  or diag(join("\n", map { "$driver[$_]\nbefore: $r->{before}[$_]\nafter: $r->{after}[$_]" } @{ $r->{changed} }));
	my @unexpected = grep { ($r->{before}[$_] =~ /\bERROR:/ ? 0 : 1) != $must_succeed[$_] } 0 .. $#driver;
	is_deeply([ map { $driver[$_] } @unexpected ], [], "$db: each driver statement succeeds or fails as marked")
	  or diag(join("\n", map { "$driver[$_]: $r->{before}[$_]" } @unexpected));
	unlike(join("\n", @{ $r->{before} }), qr/server closed the connection/, "$db: no backend crashed");
}

# Callers bound to the jobs by OID before the rename: name => SQL to run.
my %bound = (
	rollup_day => 'SELECT jobs.bound_rollup_day()',
	report => 'SELECT * FROM jobs.bound_report',
	refresh => 'SELECT jobs.bound_refresh()',
	current => 'SELECT * FROM jobs.bound_current',
	rollback => 'SELECT jobs.bound_rollback()');

sub create_bound_callers
{
	my ($db, $schema) = @_;
	$node->safe_psql($db, qq{
	CREATE FUNCTION jobs.bound_rollup_day() RETURNS int LANGUAGE sql BEGIN ATOMIC
		SELECT $schema.ope_rollup_day('jobs.log'::regclass, 'jobs.results'::regclass,
		                              'jobs.targets'::regclass, '2026-11-12'::date); END;
	CREATE VIEW jobs.bound_report AS
		SELECT * FROM $schema.ope_rollup_report('jobs.results'::regclass, '2026-11-11'::date, '2026-11-14'::date);
	CREATE FUNCTION jobs.bound_refresh() RETURNS int LANGUAGE sql BEGIN ATOMIC
		SELECT $schema.bandit_refresh_models('jobs.log'::regclass, 'jobs.models'::regclass, 'ctr'::text,
		                                     '2026-11-01'::date, '2026-11-10'::date, 'show_id'::name); END;
	CREATE VIEW jobs.bound_current AS
		SELECT scope, version FROM $schema.bandit_current_models('jobs.models'::regclass, 'ctr'::text);
	CREATE FUNCTION jobs.bound_rollback() RETURNS int LANGUAGE sql BEGIN ATOMIC
		SELECT $schema.bandit_rollback_models('jobs.models'::regclass, 'ctr'::text); END;});
}

sub run_bound
{
	my ($db) = @_;
	my %out;
	for my $k (sort keys %bound)
	{
		my ($ret, $o, $e) = $node->psql($db, "BEGIN; SET LOCAL search_path = evil, public; $bound{$k}; ROLLBACK;",
			on_error_stop => 0);
		$out{$k} = "$o\n$e";
	}
	return \%out;
}

# Trace lines for every function and aggregate of the extension (types as
# they print now), to plant look-alikes behind a renamed schema.
sub extension_members_as_calls
{
	my ($db, $schema) = @_;
	my @lines = split /\n/, $node->safe_psql(
		$db, qq{
		SET search_path = pg_catalog, pg_temp;
		SELECT CASE p.prokind WHEN 'a' THEN 'aggregate' ELSE 'function' END || ';$schema;' || p.proname || ';'
		       || array_to_string(ARRAY(SELECT format_type(t, NULL) FROM unnest(p.proargtypes) t), ',') || ';'
		       || format_type(p.prorettype, NULL) || ';' || CASE WHEN p.proretset THEN 'setof' ELSE '' END || ';'
		FROM pg_depend d JOIN pg_proc p ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid
		WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
		  AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'artbandit')
		  AND p.prokind IN ('f', 'a')
		  AND NOT 'internal'::regtype = ANY (p.proargtypes::regtype[] || p.prorettype::regtype)
		  AND NOT 'cstring'::regtype = ANY (p.proargtypes::regtype[] || p.prorettype::regtype)
		  AND p.proargtypes <> ''::oidvector});
	return { map { $_ => 1 } @lines };
}

$node->safe_psql('postgres', 'CREATE ROLE mallory LOGIN');

my ($newest) = $node->safe_psql('postgres',
	q{SELECT default_version FROM pg_available_extensions WHERE name = 'artbandit'});

# The job functions are found from the code, and all driven.
my @jobs = sql_running_functions();
cmp_ok(scalar(@jobs), '>=', 5, 'the SQL-running functions are found in src/ (' . join(', ', @jobs) . ')');
is_deeply([ undriven_functions() ], [], 'every SQL-running function of the extension is in the driver');

for my $case ([ 'in_public', 'public' ], [ 'in_own_schema', 'ab' ], [ 'in_percent_schema', '"a%%b"', '"a%b"' ])
{
	my ($db, $schema, @more) = @$case;
	my $r = capture_run($db, $schema, $newest, @more);
	check_run($db, $r);
	is( $node->safe_psql(
			$db, q{
		SET search_path = pg_catalog, pg_temp;
		SELECT count(*) FILTER (WHERE l.lanname IN ('sql', 'plpgsql')) || ' '
		       || count(*) FILTER (WHERE l.lanname = 'c' AND p.proname = ANY ($$} . '{' . join(',', @jobs) . '}' . q{$$::name[])
		                            AND p.proconfig = ARRAY['search_path=pg_catalog, pg_temp'])
		FROM pg_proc p JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid
		JOIN pg_language l ON l.oid = p.prolang
		WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'}),
		'0 ' . scalar(@jobs),
		"$db: no SQL or PL/pgSQL function; every job runs with search_path = pg_catalog, pg_temp");
	next unless $db eq 'in_own_schema';

	# The schema owner renames the extension's schema and plants a look-alike.
	create_bound_callers($db, $schema);
	my $bound_before = run_bound($db);
	unlike(join("\n", values %$bound_before), qr/ERROR/, "$db: the bound callers work");
	$node->safe_psql($db, "SET ROLE mallory; ALTER SCHEMA $schema RENAME TO moved; CREATE SCHEMA $schema;");
	my %calls = map { s/(^|[;,])\Q$schema\E\./$1moved./gr => 1 } keys %{ $r->{trace} };
	%calls = (%calls, %{ extension_members_as_calls($db, $schema) });
	my ($planted, $exact, @failed) = plant_all($db, \%calls, $schema);
	$node->safe_psql($db, "SET ROLE mallory; CREATE TYPE $schema.ope_state AS (x int); CREATE TYPE $schema.banditmodel AS (x int)");
	cmp_ok($planted, '>=', 60, "$db renamed: look-alikes planted behind the renamed schema ($planted)")
	  or diag(join("\n", @failed));
	my $bound_after = run_bound($db);
	unlike(join("\n", values %$bound_after), qr/captured: /, "$db renamed: no look-alike ran");
	is_deeply($bound_after, $bound_before, "$db renamed: the bound callers get the same answers");
}

# The negative control: the 1.1 bodies are captured.
{
	my $r = capture_run('control_1_1', 'public', '1.1');
	cmp_ok(scalar(@{ $r->{captured} }) + scalar(@{ $r->{moved} }), '>', 0,
		'1.1 (the negative control): planted overloads capture calls of its bodies');
	like(join("\n", @{ $r->{captured} }), qr/captured: public\.\S+/,
		'1.1: a plant in the extension\'s schema (public) ran as the superuser');
	my %plants = map { /(captured: [^\n]*)/ ? ($1 => 1) : () } @{ $r->{captured} };
	note("1.1: plants that ran: " . join(' | ', sort keys %plants));
	note("1.1: calls resolved to a plant: " . join(' | ', map { (split /;/, $_, 7)[6] } @{ $r->{moved} }));
}

$node->stop;
done_testing();
