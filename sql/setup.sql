--
-- setup: what the other tests share (runs first; see REGRESS in the Makefile).
--

-- Runs one statement; returns 'SQLSTATE: message' of its error, or 'no error'.
CREATE FUNCTION expect_error(sql text) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE sql;
	RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
	RETURN SQLSTATE || ': ' || SQLERRM;
END
$$;

-- a and b agree to 1e-12 relative (or are both NULL).
CREATE FUNCTION close(a float8, b float8) RETURNS bool LANGUAGE sql IMMUTABLE AS
$$ SELECT (a IS NULL AND b IS NULL) OR abs(a - b) <= 1e-12 * greatest(abs(a), abs(b), 1e-300) $$;

-- The text of a query's plan (EXPLAIN with options, by default COSTS OFF).
CREATE FUNCTION plan_text(query text, options text DEFAULT 'COSTS OFF') RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    line text;
    plan text := '';
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (' || options || ') ' || query LOOP
        plan := plan || line || E'\n';
    END LOOP;
    RETURN plan;
END $$;

-- Whether a query's plan text matches a regular expression.
CREATE FUNCTION plan_matches(query text, pattern text) RETURNS bool LANGUAGE sql AS $$
    SELECT plan_text(query) ~ pattern
$$;
