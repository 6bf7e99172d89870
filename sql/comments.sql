--
-- comments: what BI tools and \d+ show beside the extension's objects.
-- Every member of the extension has a comment, and every column of every
-- composite type it creates (ope_result, ope_tune_result, ...) too: a new
-- member or composite without one is listed here and fails the test.
--
CREATE TEMP VIEW ext_members AS
SELECT d.classid, d.objid
FROM pg_depend d JOIN pg_extension e ON d.refobjid = e.oid
WHERE d.refclassid = 'pg_extension'::regclass AND e.extname = 'artbandit' AND d.deptype = 'e';

-- members without a comment (none)
SELECT pg_describe_object(m.classid, m.objid, 0) AS uncommented
FROM ext_members m JOIN pg_class c ON c.oid = m.classid
WHERE obj_description(m.objid, c.relname) IS NULL
ORDER BY 1;

-- columns of the extension's composite types without a comment (none)
SELECT t.typname, a.attname AS uncommented_column
FROM ext_members m
JOIN pg_type t ON m.classid = 'pg_type'::regclass AND t.oid = m.objid AND t.typtype = 'c'
JOIN pg_attribute a ON a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped
WHERE col_description(t.typrelid, a.attnum) IS NULL
ORDER BY 1, 2;

-- the checks above looked at something: the composites and their columns,
-- the functions, types and casts
SELECT count(DISTINCT t.oid) >= 2 AS composites_checked, count(*) >= 13 AS columns_checked,
	(SELECT count(*) FROM ext_members WHERE classid = 'pg_proc'::regclass) > 100 AS functions_checked,
	(SELECT count(*) FROM ext_members WHERE classid = 'pg_cast'::regclass) >= 4 AS casts_checked
FROM ext_members m
JOIN pg_type t ON m.classid = 'pg_type'::regclass AND t.oid = m.objid AND t.typtype = 'c'
JOIN pg_attribute a ON a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped;
