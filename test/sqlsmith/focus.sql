-- Focus sqlsmith on artbandit (run_sqlsmith.sh, SMITH_CATALOG=focused).
--
-- sqlsmith 1.4 reads the routines it may call with unqualified queries on
-- pg_proc, so a view of that name in a schema that comes before pg_catalog
-- in its role's search_path decides which functions it sees.  The view keeps
--   - every function and aggregate of the extension (those taking
--     `internal` are left out by sqlsmith itself), and
--   - a few dozen core functions over the same types (math, text, array
--     helpers, the usual aggregates) to build and combine arguments,
-- and drops every routine with a pseudo-type argument or result (anyarray,
-- anymultirange, ...), which sqlsmith 1.4 cannot call correctly on
-- PostgreSQL 15.  Types, tables and operators are read with qualified names
-- and stay complete.  The generated queries name functions with their schema,
-- so they run unchanged in any session (the reproducers in the log too).
CREATE SCHEMA smith_catalog;

CREATE VIEW smith_catalog.pg_proc AS
WITH rel AS (
  SELECT oid FROM pg_catalog.pg_type
  WHERE typname IN ('bool', 'int4', 'int8', 'float8', 'numeric', 'text', 'bytea',
                    '_float8', '_int8', '_text', 'ope_state', 'banditmodel')),
ext AS (
  SELECT objid FROM pg_catalog.pg_depend
  WHERE classid = 'pg_catalog.pg_proc'::regclass AND deptype = 'e'
    AND refobjid = (SELECT oid FROM pg_catalog.pg_extension WHERE extname = 'artbandit'))
SELECT p.* FROM pg_catalog.pg_proc p
WHERE (p.oid IN (SELECT objid FROM ext)
       OR (p.pronamespace = 'pg_catalog'::regnamespace
           AND p.prorettype IN (SELECT oid FROM rel)
           AND p.proname IN ('random', 'abs', 'sqrt', 'exp', 'ln', 'round', 'trunc', 'float8',
                             'int8', 'int4', 'numeric', 'text', 'lower', 'upper', 'md5',
                             'repeat', 'substr', 'length', 'string_to_array',
                             'regexp_split_to_array', 'sum', 'avg', 'min', 'max', 'count',
                             'bool_and', 'bool_or', 'string_agg', 'stddev', 'mod', 'power',
                             'sign', 'floor', 'ceil', 'width_bucket', 'left', 'right',
                             'reverse', 'encode', 'decode', 'sha256', 'convert_to',
                             'hashtext', 'hashint8', 'octet_length', 'char_length',
                             'replace', 'translate', 'split_part', 'strpos', 'to_hex',
                             'array_to_string', 'cardinality', 'array_ndims', 'array_dims',
                             'array_length', 'array_lower', 'array_upper')))
  AND (SELECT typtype FROM pg_catalog.pg_type WHERE oid = p.prorettype) <> 'p'
  AND NOT EXISTS (SELECT 1 FROM unnest(p.proargtypes) a
                  WHERE (SELECT typtype FROM pg_catalog.pg_type WHERE oid = a) = 'p');

GRANT USAGE ON SCHEMA smith_catalog TO smith;
GRANT SELECT ON smith_catalog.pg_proc TO smith;
ALTER ROLE smith SET search_path = smith_catalog, pg_catalog, public;
