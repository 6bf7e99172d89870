# Objects an untrusted role plants where the extension is installed
# (TAP 121, 122), and what shows that an install is unaffected by them: the
# members' owners and outside dependencies, and which functions and
# operators typed calls of the extension's functions resolve to.
package SchemaTraps;

use strict;
use warnings;

use Exporter 'import';
our @EXPORT_OK = qw(traps_in members_summary foreign_targets_of_calls);

# The traps: near-miss overloads and operators that record who ran them.
# %s is the schema.
my $traps = q{
	CREATE TABLE %s.audit (who name, what text);
	GRANT INSERT, SELECT ON %s.audit TO PUBLIC;
	CREATE FUNCTION %s.trap(what text) RETURNS bool LANGUAGE sql VOLATILE
		AS $$ INSERT INTO %s.audit VALUES (current_user, what) RETURNING true $$;
	CREATE FUNCTION %s.feature_hash(text[], int8) RETURNS float8[] LANGUAGE sql VOLATILE
		AS $$ SELECT CASE WHEN %s.trap('feature_hash(text[],int8)') THEN '{666}'::float8[] END $$;
	CREATE FUNCTION %s.feature_hash(text, int4) RETURNS float8[] LANGUAGE sql VOLATILE
		AS $$ SELECT CASE WHEN %s.trap('feature_hash(text,int4)') THEN '{666}'::float8[] END $$;
	CREATE FUNCTION %s.policy_value(numeric[], numeric[]) RETURNS float8 LANGUAGE sql VOLATILE
		AS $$ SELECT CASE WHEN %s.trap('policy_value(numeric[],numeric[])') THEN 666::float8 END $$;
	CREATE FUNCTION %s.simulate_impressions(int4, int4, int4, int4, int4) RETURNS SETOF int
		LANGUAGE sql VOLATILE AS $$ SELECT 666 WHERE %s.trap('simulate_impressions(int4...)') $$;
	CREATE FUNCTION %s.float8(numeric) RETURNS float8 LANGUAGE sql VOLATILE
		AS $$ SELECT CASE WHEN %s.trap('float8(numeric)') THEN 666::float8 END $$;
	CREATE FUNCTION %s.evil_op(float8, float8) RETURNS float8 LANGUAGE sql VOLATILE
		AS $$ SELECT CASE WHEN %s.trap('operator on float8') THEN 666::float8 END $$;
	CREATE FUNCTION %s.evil_op(float8, numeric) RETURNS float8 LANGUAGE sql VOLATILE
		AS $$ SELECT CASE WHEN %s.trap('operator on float8, numeric') THEN 666::float8 END $$;
	CREATE OPERATOR %s.+ (LEFTARG = float8, RIGHTARG = float8, FUNCTION = %s.evil_op);
	CREATE OPERATOR %s.* (LEFTARG = float8, RIGHTARG = numeric, FUNCTION = %s.evil_op);
	CREATE OPERATOR %s.= (LEFTARG = float8, RIGHTARG = numeric, FUNCTION = %s.evil_op);
};

# The traps as SQL for schema $schema (run by its owner).
sub traps_in
{
	my ($schema) = @_;
	return $traps =~ s/%s/$schema/gr;
}

# Members of the extension: identity, owner, and anything outside pg_catalog
# and the extension that they depend on.
my $members_sql = q{
	WITH ext AS (SELECT oid FROM pg_extension WHERE extname = 'artbandit'),
	m AS (SELECT d.classid, d.objid FROM pg_depend d, ext
	      WHERE d.refclassid = 'pg_extension'::regclass AND d.refobjid = ext.oid AND d.deptype = 'e'),
	owner AS (
		SELECT m.classid, m.objid, coalesce(p.proowner, t.typowner) AS owner
		FROM m LEFT JOIN pg_proc p ON m.classid = 'pg_proc'::regclass AND p.oid = m.objid
		       LEFT JOIN pg_type t ON m.classid = 'pg_type'::regclass AND t.oid = m.objid)
	SELECT (SELECT count(*) FROM m) || ' members; owners: '
	    || (SELECT string_agg(DISTINCT owner::regrole::text, ',') FROM owner)
	    || '; foreign dependencies: '
	    || coalesce((SELECT string_agg(DISTINCT pg_describe_object(d.refclassid, d.refobjid, 0), ', ')
	                 FROM m JOIN pg_depend d ON d.classid = m.classid AND d.objid = m.objid
	                 LEFT JOIN pg_proc p ON d.refclassid = 'pg_proc'::regclass AND p.oid = d.refobjid
	                 LEFT JOIN pg_type t ON d.refclassid = 'pg_type'::regclass AND t.oid = d.refobjid
	                 LEFT JOIN pg_operator o ON d.refclassid = 'pg_operator'::regclass AND o.oid = d.refobjid
	                 WHERE d.deptype = 'n'
	                   AND coalesce(p.pronamespace, t.typnamespace, o.oprnamespace)
	                       <> 'pg_catalog'::regnamespace
	                   AND NOT EXISTS (SELECT 1 FROM m m2 WHERE m2.classid = d.refclassid
	                                   AND m2.objid = d.refobjid)), 'none')};

# "N members; owners: ...; foreign dependencies: ..." for the extension in
# database $db of $node.
sub members_summary
{
	my ($node, $db) = @_;
	return $node->safe_psql($db, $members_sql);
}

# Functions and operators a view of typed calls depends on, outside the
# extension's C functions and pg_catalog.
sub foreign_targets_of_calls
{
	my ($node, $db, $role, $schema) = @_;
	my $role_sql = $role ? "SET ROLE $role;" : '';
	return $node->safe_psql(
		$db, qq{
		$role_sql
		SET search_path = $schema, public;
		CREATE TEMP VIEW typed_calls AS
		SELECT feature_hash(ARRAY['genre=anime', 'country=BR'], 8) AS a,
		       feature_hash(ARRAY['x']::text[], 16::int4) AS b,
		       policy_value(ARRAY[0.25, 0.75]::float8[], ARRAY[1, 2]::float8[]) AS c,
		       ope_estimate(ope_merge(NULL::ope_state, NULL::ope_state), 'ips') AS d,
		       (SELECT ope_accumulate(r, 0.5::float8, 1::float8) FROM (VALUES (1.0::float8)) v(r)) AS e,
		       (SELECT ope_accumulate(r, 0.5::float8, 1::float8, 0.25::float8, 0.5::float8)
		          FROM (VALUES (1.0::float8)) v(r)) AS f,
		       (SELECT bandit_fit(1::int8, ARRAY[1, 0.5]::float8[], 1.0::float8)) AS g,
		       bandit_predict(NULL::banditmodel, ARRAY[1, 0.5]::float8[], 1::int8) AS h,
		       bandit_probabilities(NULL::banditmodel, ARRAY[1, 0.5]::float8[], NULL::int8[], 'greedy') AS i,
		       (SELECT count(*) FROM simulate_impressions(10::int8, 2, 2, 4, 1::int8)) AS j,
		       0.5::float8 + 0.25::float8 AS k;
		} . q{
		SELECT coalesce(string_agg(DISTINCT pg_describe_object(d.refclassid, d.refobjid, 0), ', '), 'none')
		FROM pg_rewrite r JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid
		LEFT JOIN pg_proc p ON d.refclassid = 'pg_proc'::regclass AND p.oid = d.refobjid
		LEFT JOIN pg_operator o ON d.refclassid = 'pg_operator'::regclass AND o.oid = d.refobjid
		WHERE r.ev_class = 'typed_calls'::regclass
		  AND d.refclassid IN ('pg_proc'::regclass, 'pg_operator'::regclass)
		  AND coalesce(p.pronamespace, o.oprnamespace) <> 'pg_catalog'::regnamespace
		  AND NOT (p.oid IS NOT NULL AND p.prolang = (SELECT oid FROM pg_language WHERE lanname = 'c')
		           AND p.probin = '$libdir/artbandit'
		           AND EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = 'pg_proc'::regclass
		                       AND e.objid = p.oid AND e.deptype = 'e'))
		  AND NOT (p.prokind = 'a' AND EXISTS (SELECT 1 FROM pg_depend e
		           WHERE e.classid = 'pg_proc'::regclass AND e.objid = p.oid AND e.deptype = 'e'))});
}

1;
