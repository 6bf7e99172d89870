-- make bench, row "fitstate": bandit_fit as 1.0 and 1.1 declared it (an
-- internal state with serialize/deserialize), built in schema bench_old from
-- the C functions the library keeps for databases not yet updated to 1.2
-- (src/bandit_fit_internal.c), so the 1.2 aggregate can be timed against it
-- on the same rows in the same run.  Needs a superuser (C functions).
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
DROP SCHEMA IF EXISTS bench_old CASCADE;
CREATE SCHEMA bench_old;
CREATE FUNCTION bench_old.fit_transition(internal, int8, float8[], float8)
	RETURNS internal AS '$libdir/artbandit', 'bandit_fit_transition' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION bench_old.fit_combine(internal, internal)
	RETURNS internal AS '$libdir/artbandit', 'bandit_fit_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION bench_old.fit_serialize(internal)
	RETURNS bytea AS '$libdir/artbandit', 'bandit_fit_serialize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION bench_old.fit_deserialize(bytea, internal)
	RETURNS internal AS '$libdir/artbandit', 'bandit_fit_deserialize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION bench_old.fit_final(internal)
	RETURNS banditmodel AS '$libdir/artbandit', 'bandit_fit_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE bench_old.bandit_fit(int8, float8[], float8) (
	SFUNC = bench_old.fit_transition, STYPE = internal, FINALFUNC = bench_old.fit_final,
	COMBINEFUNC = bench_old.fit_combine, SERIALFUNC = bench_old.fit_serialize,
	DESERIALFUNC = bench_old.fit_deserialize, PARALLEL = SAFE);

-- the two give the same model bytes on the benchmark rows (serial: the same
-- row order)
SET max_parallel_workers_per_gather = 0;
DO $$
BEGIN
	IF (SELECT banditmodel_send(bandit_fit(action, context, reward))
	           IS DISTINCT FROM banditmodel_send(bench_old.bandit_fit(action, context, reward))
	    FROM bench_fit) THEN
		RAISE EXCEPTION 'bandit_fit and the internal-state bandit_fit disagree on bench_fit';
	END IF;
END $$;
