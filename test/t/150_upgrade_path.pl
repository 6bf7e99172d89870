# Upgrade-path harness, ready for the next version.
#
# A catalog fingerprint lists every member of the extension (through
# pg_depend) with everything a user can observe: functions and aggregates
# with signature, result, argument names and defaults, volatility,
# strictness, parallel safety, security, cost, rows, support functions,
# C symbol, configuration, ACL and comment; aggregates with every support
# function, state type, space, initial values and final-function modify
# mode; types with I/O functions, length, alignment, storage, category,
# composite attributes (with their comments) and their array type;
# operators, casts (with their comments), operator classes and families,
# relations and anything else generically; and the
# extension's own properties (version, relocatable, schema, config tables).
#
# For every version that can be installed and can reach the newest one, the
# harness installs it, stores ope_state and banditmodel values, runs
# ALTER EXTENSION artbandit UPDATE TO the newest and requires the same
# fingerprint as a fresh install of the newest, and the stored values to read
# back identically (text and send bytes).  Every upgrade script must lie on
# a path to the newest version.  bandit_fit and bandit_merge, whose state
# type 1.2 changes, give the same model bytes before and after the update.
#
# The real paths (1.0 -> 1.1 -> 1.2, 1.1 -> 1.2) are checked, then
# the trivial one (ALTER EXTENSION ... UPDATE at the newest version changes
# nothing), and the harness itself is tested in a private copy of the
# installation with two synthetic versions after the newest: N.1, whose
# upgrade script does what its whole script does (the harness must accept
# it), and N.2, whose upgrade script forgets a function and a volatility
# change (the harness must name both).  A version without an install script
# of its own is built like CREATE EXTENSION builds it: an earlier version's
# script followed by the upgrade scripts.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use InstallScripts qw(scripts_in whole_script);
use PrivateInstall qw(private_node);

# One line per observable property set of a member of the extension.
my $fingerprint_sql = q{
WITH ext AS (SELECT * FROM pg_extension WHERE extname = 'artbandit'),
m AS (SELECT d.classid, d.objid FROM pg_depend d, ext
      WHERE d.refclassid = 'pg_extension'::regclass AND d.refobjid = ext.oid AND d.deptype = 'e'),
lines AS (
	SELECT 'extension ' || extname || ': version=' || extversion || ' relocatable=' || extrelocatable
	       || ' schema=' || extnamespace::regnamespace || ' owner_is_super='
	       || (SELECT rolsuper FROM pg_roles WHERE oid = extowner)
	       || ' config=' || coalesce((SELECT string_agg(c::regclass::text, ',' ORDER BY c::regclass::text)
	                                  FROM unnest(extconfig) c), '-')
	       || ' conditions=' || coalesce(array_to_string(extcondition, ','), '-')
	       || ' comment=' || coalesce(obj_description(ext.oid, 'pg_extension'), '-') AS line
	FROM ext
	UNION ALL
	SELECT 'function ' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')'
	       || ': kind=' || p.prokind::text || ' args=' || pg_get_function_arguments(p.oid)
	       || ' result=' || coalesce(pg_get_function_result(p.oid), '-')
	       || ' volatile=' || p.provolatile::text || ' strict=' || p.proisstrict || ' parallel=' || p.proparallel::text
	       || ' secdef=' || p.prosecdef || ' leakproof=' || p.proleakproof
	       || ' cost=' || p.procost || ' rows=' || p.prorows || ' support=' || p.prosupport::regprocedure
	       || ' language=' || l.lanname || ' src=' || p.prosrc || ' bin=' || coalesce(p.probin, '-')
	       || ' config=' || coalesce(array_to_string(p.proconfig, ','), '-')
	       || ' acl=' || coalesce(p.proacl::text, 'default')
	       || ' owner_is_super=' || (SELECT rolsuper FROM pg_roles WHERE oid = p.proowner)
	       || ' comment=' || coalesce(obj_description(p.oid, 'pg_proc'), '-')
	       || coalesce(' aggregate: kind=' || a.aggkind::text || ' direct=' || a.aggnumdirectargs
	                   || ' trans=' || a.aggtransfn::regprocedure
	                   || ' final=' || a.aggfinalfn::regprocedure || ' finalextra=' || a.aggfinalextra
	                   || ' finalmodify=' || a.aggfinalmodify::text
	                   || ' combine=' || a.aggcombinefn::regprocedure || ' serial=' || a.aggserialfn::regprocedure
	                   || ' deserial=' || a.aggdeserialfn::regprocedure
	                   || ' mtrans=' || a.aggmtransfn::regprocedure || ' minvtrans=' || a.aggminvtransfn::regprocedure
	                   || ' mfinal=' || a.aggmfinalfn::regprocedure || ' mfinalextra=' || a.aggmfinalextra
	                   || ' mfinalmodify=' || a.aggmfinalmodify::text || ' sortop=' || a.aggsortop::regoperator
	                   || ' stype=' || a.aggtranstype::regtype || ' space=' || a.aggtransspace
	                   || ' mstype=' || a.aggmtranstype::regtype || ' mspace=' || a.aggmtransspace
	                   || ' init=' || coalesce(a.agginitval, 'NULL')
	                   || ' minit=' || coalesce(a.aggminitval, 'NULL'), '')
	FROM m JOIN pg_proc p ON m.classid = 'pg_proc'::regclass AND p.oid = m.objid
	JOIN pg_language l ON l.oid = p.prolang
	LEFT JOIN pg_aggregate a ON a.aggfnoid = p.oid
	UNION ALL
	SELECT 'type ' || t.typname || ': type=' || t.typtype::text || ' len=' || t.typlen || ' byval=' || t.typbyval
	       || ' category=' || t.typcategory::text || ' preferred=' || t.typispreferred || ' delim=' || t.typdelim::text
	       || ' in=' || t.typinput::regprocedure || ' out=' || t.typoutput::regprocedure
	       || ' recv=' || t.typreceive::regprocedure || ' send=' || t.typsend::regprocedure
	       || ' modin=' || t.typmodin::regprocedure || ' modout=' || t.typmodout::regprocedure
	       || ' analyze=' || t.typanalyze::regprocedure || ' subscript=' || t.typsubscript::regprocedure
	       || ' align=' || t.typalign::text || ' storage=' || t.typstorage::text || ' notnull=' || t.typnotnull
	       || ' base=' || t.typbasetype::regtype || ' typmod=' || t.typtypmod || ' ndims=' || t.typndims
	       || ' collation=' || t.typcollation || ' default=' || coalesce(t.typdefault, '-')
	       || ' acl=' || coalesce(t.typacl::text, 'default')
	       || ' owner_is_super=' || (SELECT rolsuper FROM pg_roles WHERE oid = t.typowner)
	       || ' comment=' || coalesce(obj_description(t.oid, 'pg_type'), '-')
	       || ' array=' || coalesce((SELECT ar.typname || '/' || ar.typelem::regtype || '/' || ar.typalign::text
	                                         || '/' || ar.typstorage::text
	                                  FROM pg_type ar WHERE ar.oid = t.typarray), '-')
	       || ' attributes=' || coalesce((SELECT string_agg(att.attname || ' ' || format_type(att.atttypid, att.atttypmod)
	                                                        || coalesce(' collate ' || NULLIF(att.attcollation, 0)::regcollation, '')
	                                                        || coalesce(' comment ' || quote_literal(col_description(t.typrelid, att.attnum)), ''),
	                                                        ', ' ORDER BY att.attnum)
	                                      FROM pg_attribute att
	                                      WHERE att.attrelid = t.typrelid AND att.attnum > 0 AND NOT att.attisdropped), '-')
	FROM m JOIN pg_type t ON m.classid = 'pg_type'::regclass AND t.oid = m.objid
	UNION ALL
	SELECT 'operator ' || o.oid::regoperator || ': result=' || o.oprresult::regtype || ' code=' || o.oprcode::regprocedure
	       || ' commutator=' || o.oprcom::regoperator || ' negator=' || o.oprnegate::regoperator
	       || ' restrict=' || o.oprrest::regprocedure || ' join=' || o.oprjoin::regprocedure
	       || ' merges=' || o.oprcanmerge || ' hashes=' || o.oprcanhash
	       || ' comment=' || coalesce(obj_description(o.oid, 'pg_operator'), '-')
	FROM m JOIN pg_operator o ON m.classid = 'pg_operator'::regclass AND o.oid = m.objid
	UNION ALL
	SELECT 'cast ' || c.castsource::regtype || ' -> ' || c.casttarget::regtype || ': func='
	       || c.castfunc::regprocedure || ' context=' || c.castcontext::text || ' method=' || c.castmethod::text
	       || ' comment=' || coalesce(obj_description(c.oid, 'pg_cast'), '-')
	FROM m JOIN pg_cast c ON m.classid = 'pg_cast'::regclass AND c.oid = m.objid
	UNION ALL
	SELECT 'opclass ' || am.amname || ' ' || oc.opcname || ': type=' || oc.opcintype::regtype
	       || ' default=' || oc.opcdefault || ' key=' || oc.opckeytype::regtype
	       || ' family=' || (SELECT opfname FROM pg_opfamily WHERE oid = oc.opcfamily)
	FROM m JOIN pg_opclass oc ON m.classid = 'pg_opclass'::regclass AND oc.oid = m.objid
	JOIN pg_am am ON am.oid = oc.opcmethod
	UNION ALL
	SELECT 'opfamily ' || am.amname || ' ' || f.opfname || ': ops='
	       || coalesce((SELECT string_agg(ao.amopstrategy || ' ' || ao.amopopr::regoperator || ' ' || ao.amoppurpose::text,
	                                      ', ' ORDER BY ao.amopstrategy, ao.amopopr::regoperator::text)
	                    FROM pg_amop ao WHERE ao.amopfamily = f.oid), '-')
	       || ' procs=' || coalesce((SELECT string_agg(ap.amprocnum || ' ' || ap.amproc::regprocedure,
	                                                   ', ' ORDER BY ap.amprocnum, ap.amproc::regprocedure::text)
	                                 FROM pg_amproc ap WHERE ap.amprocfamily = f.oid), '-')
	FROM m JOIN pg_opfamily f ON m.classid = 'pg_opfamily'::regclass AND f.oid = m.objid
	JOIN pg_am am ON am.oid = f.opfmethod
	UNION ALL
	SELECT 'relation ' || c.relname || ': kind=' || c.relkind::text || ' columns='
	       || coalesce((SELECT string_agg(att.attname || ' ' || format_type(att.atttypid, att.atttypmod),
	                                      ', ' ORDER BY att.attnum)
	                    FROM pg_attribute att WHERE att.attrelid = c.oid AND att.attnum > 0
	                    AND NOT att.attisdropped), '-')
	       || ' acl=' || coalesce(c.relacl::text, 'default')
	       || ' comment=' || coalesce(obj_description(c.oid, 'pg_class'), '-')
	FROM m JOIN pg_class c ON m.classid = 'pg_class'::regclass AND c.oid = m.objid
	UNION ALL
	SELECT 'other ' || pg_describe_object(m.classid, m.objid, 0)
	FROM m WHERE m.classid NOT IN ('pg_proc'::regclass, 'pg_type'::regclass, 'pg_operator'::regclass,
	                               'pg_cast'::regclass, 'pg_opclass'::regclass, 'pg_opfamily'::regclass,
	                               'pg_class'::regclass))
SELECT string_agg(line, E'\n' ORDER BY line) FROM lines};

# Values stored under an old version must read back identically after the
# update.
my $store_sql = q{
	CREATE TABLE kept AS
	SELECT 1 AS k, ope_accumulate(sin(i), 0.05 + (i % 19) / 20.0, (i % 7) / 7.0, cos(i), sin(3 * i)) AS s,
	       bandit_fit(i % 5, ARRAY[1, sin(i), cos(i)], sin(i) + 1e3, 0.5 + i % 3) AS m
	FROM generate_series(1, 2000) i
	UNION ALL
	SELECT 2, ope_accumulate(1, 0.5, 1), '{"version":1,"dim":2,"arms":[]}'::banditmodel};
my $kept_sql = q{
	SELECT string_agg(k || ':' || md5(s::text) || '/' || md5(ope_state_send(s)) || '/'
	                  || md5(m::text) || '/' || md5(banditmodel_send(m)), ' ' ORDER BY k) FROM kept};

# Lines of $a not in $b, and of $b not in $a.
sub fingerprint_diff
{
	my ($a, $b) = @_;
	my %in_a = map { $_ => 1 } split /\n/, $a;
	my %in_b = map { $_ => 1 } split /\n/, $b;
	return (join("\n", map { "- $_" } grep { !$in_b{$_} } sort keys %in_a),
		join("\n", map { "+ $_" } grep { !$in_a{$_} } sort keys %in_b));
}

# The harness: every available version that reaches $target is installed,
# given data, updated to $target and compared with a fresh $target.
# Returns a hash version => '' (same) or a description of the differences.
my $dbn = 0;
sub check_upgrades_to
{
	my ($node, $target) = @_;
	my $fresh_db = 'fresh_' . $dbn++;
	$node->safe_psql('postgres', "CREATE DATABASE $fresh_db");
	$node->safe_psql($fresh_db, "CREATE EXTENSION artbandit VERSION '$target'");
	my $fresh = $node->safe_psql($fresh_db, $fingerprint_sql);
	my %result;
	my @sources = split /\n/, $node->safe_psql(
		'postgres', qq{
		SELECT source FROM pg_extension_update_paths('artbandit')
		WHERE target = '$target' AND path IS NOT NULL ORDER BY source});
	for my $source (@sources)
	{
		my $db = 'upgrade_' . $dbn++;
		$node->safe_psql('postgres', "CREATE DATABASE $db");
		$node->safe_psql($db, "CREATE EXTENSION artbandit VERSION '$source'; $store_sql");
		my $before = $node->safe_psql($db, $kept_sql);
		$node->safe_psql($db, "ALTER EXTENSION artbandit UPDATE TO '$target'");
		my @problems;
		my ($minus, $plus) = fingerprint_diff($node->safe_psql($db, $fingerprint_sql), $fresh);
		push @problems, "only after the update:\n$minus" if $minus ne '';
		push @problems, "only in a fresh install:\n$plus" if $plus ne '';
		push @problems, 'stored values changed' if $node->safe_psql($db, $kept_sql) ne $before;
		$result{$source} = join("\n", @problems);
	}
	return (\%result, $fresh);
}

my $node = PostgreSQL::Test::Cluster->new('upgrade_path');
my $sharedir = $node->config_data('--sharedir');
my $control = slurp_file("$sharedir/extension/artbandit.control");
my ($newest) = $control =~ /^\s*default_version\s*=\s*'([^']+)'/m;
ok(defined $newest, "the control file names the newest version ($newest)");
$node->init;
$node->append_conf('postgresql.conf', "fsync = off\n");
$node->start;

my ($install, $upgrades) = scripts_in("$sharedir/extension");
ok($install->{$newest} || grep({ $_->[1] eq $newest } @$upgrades),
	"version $newest has an install script or is the target of an upgrade script");

# Every upgrade script lies on a path to the newest version.
my $reaching = $node->safe_psql('postgres',
	qq{SELECT string_agg(source, ',' ORDER BY source) FROM pg_extension_update_paths('artbandit')
	   WHERE target = '$newest' AND path IS NOT NULL});
my %reaches = map { $_ => 1 } split /,/, $reaching;
$reaches{$newest} = 1;
for my $u (@$upgrades)
{
	ok($reaches{ $u->[1] }, "artbandit--$u->[0]--$u->[1].sql leads to $newest");
}
for my $v (sort keys %$install)
{
	ok($reaches{$v}, "installable version $v can be updated to $newest");
}

# The real upgrade paths.
my ($results, $fresh) = check_upgrades_to($node, $newest);
like($fresh, qr/^extension artbandit: version=\Q$newest\E /m, 'the fingerprint names the version');
my $nfunctions = () = $fresh =~ /^function /mg;
my $ntypes = () = $fresh =~ /^type /mg;
cmp_ok($nfunctions, '>=', 40, "the fingerprint covers the functions and aggregates ($nfunctions)");
cmp_ok($ntypes, '>=', 3, "the fingerprint covers the types ($ntypes)");
like($fresh, qr/^function ope_accumulate\(reward double precision, .*aggregate: kind=n .*combine=ope_merge\(ope_state,ope_state\) /m,
	'aggregates are fingerprinted with their support functions');
like($fresh, qr/^type ope_result: type=c .*attributes=estimator text collate "default" comment '[^']+', estimate double precision comment /m,
	'composite types are fingerprinted with their attributes and the attributes\' comments');
is(scalar(keys %$results), scalar(keys %reaches) - 1,
	'every version other than the newest was updated and compared');
for my $source (sort keys %$results)
{
	is($results->{$source}, '', "$source -> $newest: same catalog as a fresh $newest, stored values intact");
}

# A state stored by 1.1 (version 1, no tracked ranges; the test's library
# is 1.2's, so the value is the text 1.1 wrote) works with 1.2's: its text
# and binary forms stay as they were, it merges with a state accumulated
# now, its report has the lambda column (NULL), and methods that need the
# tracked ranges answer NULL for it and for what it is merged into
# (Bernstein) instead of guessing.
my $v1_state = '{"version":1,"kind":"dr","n":2,"n_skipped":3,"n_matched":1,"max_weight":7.000000000000001,"min_propensity":0.125,"sums":{"pi":0.875,"pi_r":0.5,"pi2":0.765625,"pi2_r":0.4375,"pi2_r2":0.25,"w":7,"w2":49,"w_r":4,"w2_r":28,"w2_r2":16,"v":1,"v2":0.5,"w_e":2,"w2_e":5,"w2_e2":4,"v_w_e":1,"v_w":3}}';
$node->safe_psql('postgres', 'CREATE DATABASE from11');
$node->safe_psql('from11', "CREATE EXTENSION artbandit VERSION '1.1'; CREATE TABLE old AS SELECT '$v1_state'::ope_state AS s");
my $old_bin = $node->safe_psql('from11', 'SELECT md5(ope_state_send(s)) FROM old');
$node->safe_psql('from11', 'ALTER EXTENSION artbandit UPDATE');
my $mixed_sql = <<'SQL';
	WITH now12 AS (SELECT ope_accumulate(sin(i), 0.05 + (i % 19) / 20.0, (i % 7) / 7.0, cos(i), sin(3 * i)) AS s
	               FROM generate_series(1, 2000) i),
	     merged AS (SELECT ope_merge(old.s, now12.s) AS m FROM old, now12)
	SELECT (SELECT md5(ope_state_send(s)) FROM old),
	       (SELECT s::text LIKE '{"version":1,%' FROM old),
	       (SELECT s::text LIKE '{"version":2,%' FROM now12),
	       (SELECT (ope_diagnostics(m)).n FROM merged),
	       (SELECT bool_and(lambda IS NULL AND (std_error IS NULL OR ci_lower IS NOT NULL)) FROM merged, ope_report(m)),
	       (SELECT bool_and(ci_lower IS NULL) FROM merged, ope_report(m, 0.95, 'bernstein')),
	       (SELECT bool_and(ci_lower IS NOT NULL) FROM now12, ope_report(s, 0.95, 'bernstein'))
SQL
is($node->safe_psql('from11', $mixed_sql), "$old_bin|t|t|2002|t|t|t",
	'a 1.1 state is kept as it was and merges with a 1.2 one; no Bernstein interval without tracked ranges');

# 1.2 changes the columns of ope_diagnostics and ope_rollup_report.  A view
# of the user's on them blocks the update with a message that names it and
# is named in PostgreSQL's error (README "Upgrading" says what to do);
# nothing is changed.  Without the views, the update goes through, and a 1.1 results
# table given the definition column (README "Upgrading") reports its old
# states as before, with the new columns.
$node->safe_psql('postgres', 'CREATE DATABASE views11');
$node->safe_psql('views11', q{
	CREATE EXTENSION artbandit VERSION '1.1';
	CREATE TABLE daily (day date NOT NULL, policy text NOT NULL, segment_by text NOT NULL DEFAULT '',
	                    segment text NOT NULL DEFAULT '', state ope_state NOT NULL,
	                    computed_at timestamptz NOT NULL DEFAULT now());
	INSERT INTO daily (day, policy, state)
	SELECT '2026-11-01', 'greedy', ope_accumulate(i % 3, 0.25, (i % 4 = 0)::int) FROM generate_series(1, 400) i;
	CREATE VIEW last_week AS SELECT policy, estimate FROM ope_rollup_report('daily', '2026-10-30', '2026-11-05');
	CREATE VIEW diag AS SELECT (ope_diagnostics(state)).n FROM daily;
});
my ($uret, $uout, $uerr) = $node->psql('views11', 'ALTER EXTENSION artbandit UPDATE');
isnt($uret, 0, 'a view on ope_rollup_report blocks the update to 1.2');
like($uerr, qr/cannot drop function ope_diagnostics\(ope_state\) because other objects depend on it.*view diag depends on function ope_diagnostics/s,
	'... and the error names the view');
is($node->safe_psql('views11', q{SELECT extversion FROM pg_extension WHERE extname = 'artbandit'}), '1.1',
	'... and nothing changed');
$node->safe_psql('views11', q{
	DROP VIEW last_week, diag;
	ALTER EXTENSION artbandit UPDATE;
	ALTER TABLE daily ADD COLUMN definition text;
});
is($node->safe_psql('views11', q{
	SELECT n, n_matched, mean_weight, max_weight, warnings, days
	FROM ope_rollup_report('daily', '2026-10-30', '2026-11-05') WHERE estimator = 'ips'}),
	'400|100|1|4|{}|1', 'without the views the update goes through; a 1.1 results table with the definition column reports as before, with the new columns');

# 1.2 gives bandit_fit and bandit_merge a banditmodel state: they are dropped
# and created again.  Before the update a 1.0 or 1.1 database runs its own
# aggregates (the internal state, whose C functions the 1.2 library keeps);
# after it the 1.2 ones must give the same model bytes from the same rows,
# serial, grouped and in parallel, and bandit_merge over models stored before
# the update the model it gave then.  A view on bandit_fit blocks the update
# as the views above do.
my $fits_sql = q{
	SELECT md5(string_agg(k || ':' || coalesce(md5(banditmodel_send(m)), 'NULL'), ' ' ORDER BY k)) FROM (
		SELECT 'whole' AS k, bandit_fit(a, x, r) AS m FROM rows_old
		UNION ALL SELECT 'weighted', bandit_fit(a, x, r, w) FROM rows_old
		UNION ALL SELECT 'none', bandit_fit(a, x, r) FROM rows_old WHERE false
		UNION ALL (SELECT 'g' || g, bandit_fit(a, x, r, w) FROM rows_old GROUP BY g)
		UNION ALL SELECT 'merged', bandit_merge(m) FROM stored
		UNION ALL (SELECT 'merged' || g % 3, bandit_merge(m) FROM stored GROUP BY g % 3)
		UNION ALL SELECT 'pair', bandit_merge(s1.m, s2.m) FROM stored s1, stored s2 WHERE s1.g = 1 AND s2.g = 2) f};
my $parallel = 'SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0; '
  . 'SET parallel_leader_participation = off; SET max_parallel_workers_per_gather = 2; ';
for my $source ('1.0', '1.1')
{
	my $db = 'fits' . ($source =~ s/\.//r);
	$node->safe_psql('postgres', "CREATE DATABASE $db");
	# exact dyadic contexts and rewards: every order of the rows gives the same sums
	$node->safe_psql($db, qq{
		CREATE EXTENSION artbandit VERSION '$source';
		CREATE TABLE rows_old AS
		SELECT i, i % 10 AS g, (i % 7)::int8 AS a, ARRAY[1, (i % 8) / 8.0, (i % 5) / 4.0]::float8[] AS x,
		       ((i * 7) % 3) / 2.0::float8 AS r, 0.5 + i % 3 AS w
		FROM generate_series(1, 30000) i;
		ANALYZE rows_old;
		CREATE TABLE stored AS SELECT g, bandit_fit(a, x, r, w) AS m FROM rows_old GROUP BY g;
		CREATE VIEW fits AS SELECT g, bandit_fit(a, x, r) AS m FROM rows_old GROUP BY g;
	});
	my $serial_before = $node->safe_psql($db, $fits_sql);
	my $parallel_before = $node->safe_psql($db, $parallel . $fits_sql);
	my $view_before = $node->safe_psql($db, 'SELECT md5(string_agg(banditmodel_send(m)::text, \',\' ORDER BY g)) FROM fits');
	my ($ret, $out, $err) = $node->psql($db, 'ALTER EXTENSION artbandit UPDATE');
	isnt($ret, 0, "$source: a view on bandit_fit blocks the update to 1.2");
	like($err, qr/cannot drop function bandit_fit\(bigint,double precision\[\],double precision\) because other objects depend on it.*view fits depends on function bandit_fit/s,
		"$source: ... and the error names the view");
	$node->safe_psql($db, 'DROP VIEW fits; ALTER EXTENSION artbandit UPDATE');
	is($node->safe_psql($db, q{SELECT aggtranstype::regtype FROM pg_aggregate WHERE aggfnoid = 'bandit_fit(int8, float8[], float8)'::regprocedure}),
		'banditmodel', "$source -> 1.2: bandit_fit's state is a banditmodel");
	is($serial_before, $parallel_before, "$source: its aggregates give the same bytes serial and in parallel");
	is($node->safe_psql($db, $fits_sql), $serial_before,
		"$source -> 1.2: the same rows give the same model bytes; bandit_merge of models stored by $source gives the same model");
	is($node->safe_psql($db, $parallel . $fits_sql), $serial_before, "$source -> 1.2: ... also in parallel");
	like($node->safe_psql($db, "${parallel}EXPLAIN (COSTS OFF) SELECT bandit_fit(a, x, r) FROM rows_old"),
		qr/Partial Aggregate/, "$source -> 1.2: bandit_fit still runs in parallel workers");
	$node->safe_psql($db, 'CREATE VIEW fits AS SELECT g, bandit_fit(a, x, r) AS m FROM rows_old GROUP BY g');
	is($node->safe_psql($db, 'SELECT md5(string_agg(banditmodel_send(m)::text, \',\' ORDER BY g)) FROM fits'),
		$view_before, "$source -> 1.2: the view created again gives the models it gave before");
}

# The trivial path: updating the newest to itself changes nothing.
$node->safe_psql('postgres', 'CREATE DATABASE trivial');
$node->safe_psql('trivial', "CREATE EXTENSION artbandit; $store_sql");
my $before = $node->safe_psql('trivial', $fingerprint_sql);
my $kept = $node->safe_psql('trivial', $kept_sql);
is($before, $fresh, 'CREATE EXTENSION without VERSION installs the newest version');
# A version with no install script of its own is built from the upgrade
# scripts, so the comparison above cannot miss what they forget: name what
# 1.1 added and 1.2 changed (the jobs in C with a pinned search_path, their
# PL/pgSQL helpers gone; a bandit_value with the reward model's ridge).
is($node->safe_psql('trivial', q{
	SELECT string_agg(p.proname || ':' || l.lanname, ',' ORDER BY p.proname)
	FROM pg_depend d JOIN pg_proc p ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid
	JOIN pg_language l ON l.oid = p.prolang
	WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
	  AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'artbandit')
	  AND (array_to_string(p.proconfig, ';') = 'search_path=pg_catalog, pg_temp' OR l.lanname NOT IN ('c', 'internal'))}),
	'bandit_audit_propensities:c,bandit_current_models:c,bandit_refresh_models:c,bandit_rollback_models:c,ope_rollup_day:c,ope_rollup_range:c,ope_rollup_report:c,ope_validate_log:c',
	'the functions that run SQL (1.1 jobs, 1.2 log checks and backfill) are C with search_path = pg_catalog, pg_temp; no SQL or PL/pgSQL left');
is($node->safe_psql('trivial', q{SELECT count(*) FROM pg_proc WHERE proname = 'bandit_value'}),
	'2', '1.2 added bandit_value(..., reward_model, reward_ridge)');
for my $update ('ALTER EXTENSION artbandit UPDATE', "ALTER EXTENSION artbandit UPDATE TO '$newest'")
{
	my ($ret, $out, $err) = $node->psql('trivial', $update);
	is($ret, 0, "$update succeeds");
	like($err, qr/version "\Q$newest\E" of extension "artbandit" is already installed/,
		"$update: already at $newest, nothing to do");
	is($node->safe_psql('trivial', $fingerprint_sql), $before, "$update: the catalog is unchanged");
	is($node->safe_psql('trivial', $kept_sql), $kept, "$update: stored values are unchanged");
}
# The fingerprint does see a change.
$node->safe_psql('trivial', 'ALTER FUNCTION feature_hash(text[], int4) VOLATILE');
my ($minus, $plus) = fingerprint_diff($node->safe_psql('trivial', $fingerprint_sql), $before);
like($minus, qr/^- function feature_hash\(tokens text\[\], dim integer\):.* volatile=v /m,
	'the fingerprint notices a volatility change');
$node->stop;

# --- the harness on synthetic versions, in a private installation ----------

my $base = whole_script("$sharedir/extension", $newest);
die "no script builds version $newest" unless defined $base;
my $change = qq{
ALTER FUNCTION feature_hash(text[], int4) COST 2;
COMMENT ON TYPE ope_state IS 'changed in the next version';
};
my $forgotten = q{
CREATE FUNCTION artbandit_version_probe() RETURNS int4 LANGUAGE sql IMMUTABLE AS 'SELECT 1';
COMMENT ON FUNCTION artbandit_version_probe() IS 'never called';
ALTER FUNCTION policy_value(float8[], float8[]) STABLE;
};
my %synthetic = (
	"artbandit--$newest.1.sql" => $base . $change,
	"artbandit--$newest--$newest.1.sql" =>
	  qq{\\echo Use "ALTER EXTENSION artbandit UPDATE TO '$newest.1'" to load this file. \\quit\n$change},
	"artbandit--$newest.2.sql" => $base . $change . $forgotten,
	"artbandit--$newest--$newest.2.sql" =>
	  qq{\\echo Use "ALTER EXTENSION artbandit UPDATE TO '$newest.2'" to load this file. \\quit\n$change});
my ($snode) = private_node($node, 'upgrade_synthetic', \%synthetic);

my ($good) = check_upgrades_to($snode, "$newest.1");
# Every released version (all of them lead to $newest) is a source.
my @released = split /\n/, $snode->safe_psql('postgres', qq{
	SELECT version FROM pg_available_extension_versions
	WHERE name = 'artbandit' AND version NOT LIKE '$newest._' ORDER BY version});
is_deeply([ sort keys %$good ], \@released,
	"synthetic $newest.1: the harness finds the path from every released version (@released)");
is($good->{$newest}, '', "synthetic $newest.1: a faithful upgrade script passes");

my ($bad) = check_upgrades_to($snode, "$newest.2");
my $report = $bad->{$newest} // '';
note($report);
like($report, qr/^\+ function artbandit_version_probe\(\): /m,
	"synthetic $newest.2: the harness names the function the upgrade script forgot");
like($report, qr/^- function policy_value\(probabilities double precision\[\], .* volatile=i /m,
	"synthetic $newest.2: ... and the volatility it left unchanged");
like($report, qr/^\+ function policy_value\(.* volatile=s /m, "synthetic $newest.2: ... as it should be");
unlike($report, qr/feature_hash|ope_state/, "synthetic $newest.2: ... and nothing that the script did do");

$snode->stop;
done_testing();
