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
