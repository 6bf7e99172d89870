/* artbandit 1.1 -> 1.2: job functions safe against planted overloads; DR rollups from one reward model */

\echo Use "ALTER EXTENSION artbandit UPDATE TO '1.2'" to load this file. \quit

-- How every SQL and PL/pgSQL body of the extension stays safe
-- ===========================================================
-- artbandit is trusted, so whoever can CREATE in a database (its owner) can
-- install it, and may plant functions, operators or aggregates in the
-- extension's schema, in public or in a schema early on a victim's path,
-- hoping a superuser's job call resolves to them.  1.1 set
-- search_path = pg_catalog, <extension schema>, pg_temp: an exact-match
-- overload in the extension's schema then still beat a built-in that matches
-- only through a polymorphic or binary-coercible signature
-- (array_length(name[], int4) over array_length(anyarray, int4), or
-- =(oid, regclass) over =(oid, oid)).  From 1.2 the rule is:
--
--   1. Every body runs with SET search_path = pg_catalog, pg_temp.  Only
--      pg_catalog is searched for functions, operators and aggregates
--      (PostgreSQL never looks up functions or operators in pg_temp), and
--      only superusers can create objects there.  Unqualified built-ins and
--      operators, in static and in format()ed dynamic SQL, are therefore
--      always the built-ins.
--   2. Every object of the extension is written @extschema@.name, with
--      arguments of exactly its declared types (casts on every literal), so
--      an overload planted beside it cannot match better.  @extschema@ may
--      appear inside a dollar-quoted body because the server refuses, for a
--      non-relocatable extension, schema names containing any of " $ ' \
--      (PostgreSQL 15.4 and later; test/t/125_job_call_capture.pl checks it).
--   3. Caller-named tables and columns arrive as regclass and name values and
--      reach SQL only through format('%s', regclass) and format('%I', name).
--
-- test/t/125_job_call_capture.pl records every function, operator and
-- aggregate call these bodies make (static and dynamic), plants a capturing
-- exact-match overload of each in the extension's schema, in public and in a
-- schema first on the caller's path, runs every job as a superuser and
-- requires that none fires.
--
-- What the rule cannot cover, because the jobs read the caller's own tables
-- with the caller's rights: a view named as the log, or a user-defined type
-- (and its casts) in a segment or scope column, runs its owner's code as the
-- caller.  See README "Security".

-----------------------------------------------------------------------------
-- checking the caller's tables
-----------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION artbandit_column_expr(tbl regclass, col name, kind text, alias text DEFAULT 'l')
	RETURNS text
	LANGUAGE plpgsql STABLE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	typ regtype;
	ref text;
BEGIN
	IF col IS NULL THEN
		RAISE EXCEPTION 'the % column name must not be NULL', kind
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	SELECT a.atttypid::regtype INTO typ
	FROM pg_attribute a
	WHERE a.attrelid = tbl AND a.attname = col AND a.attnum > 0 AND NOT a.attisdropped;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'column "%" of relation % does not exist', col, tbl
			USING ERRCODE = 'undefined_column',
				  HINT = format('The %s column is named by the argument %s_column.', kind, kind);
	END IF;
	ref := format('%I.%I', alias, col);
	CASE kind
		WHEN 'day' THEN
			IF typ IN ('date'::regtype, 'timestamp'::regtype, 'timestamptz'::regtype) THEN
				RETURN ref;
			END IF;
		WHEN 'action' THEN
			IF typ IN ('int2'::regtype, 'int4'::regtype, 'int8'::regtype) THEN
				RETURN ref || '::pg_catalog.int8';
			END IF;
		WHEN 'context' THEN
			IF typ = 'float8[]'::regtype THEN
				RETURN ref;
			END IF;
		WHEN 'candidates' THEN
			IF typ IN ('int8[]'::regtype, 'int4[]'::regtype, 'int2[]'::regtype) THEN
				RETURN ref || '::pg_catalog.int8[]';
			END IF;
		WHEN 'reward' THEN
			IF typ = 'bool'::regtype THEN
				RETURN ref || '::pg_catalog.int4::pg_catalog.float8';
			ELSIF typ IN ('int2'::regtype, 'int4'::regtype, 'int8'::regtype, 'numeric'::regtype,
						  'float4'::regtype, 'float8'::regtype) THEN
				RETURN ref || '::pg_catalog.float8';
			END IF;
		WHEN 'propensity' THEN
			IF typ IN ('numeric'::regtype, 'float4'::regtype, 'float8'::regtype) THEN
				RETURN ref || '::pg_catalog.float8';
			END IF;
		WHEN 'segment', 'scope' THEN
			RETURN ref || '::pg_catalog.text';
		ELSE
			RAISE EXCEPTION 'unknown column kind "%"', kind USING ERRCODE = 'invalid_parameter_value';
	END CASE;
	RAISE EXCEPTION 'column "%" of relation % has type %, which cannot be the % column', col, tbl, typ, kind
		USING ERRCODE = 'datatype_mismatch',
			  HINT = CASE kind
				WHEN 'day' THEN 'Use date, timestamp or timestamptz.'
				WHEN 'action' THEN 'Use an integer type.'
				WHEN 'context' THEN 'Use float8[].'
				WHEN 'candidates' THEN 'Use int8[] (or int4[]).'
				WHEN 'reward' THEN 'Use boolean (a play) or a number (minutes).'
				ELSE 'Use float8 or numeric.' END;
END
$$;

-- The table must have each column of cols with the type of the same position in types.
CREATE OR REPLACE FUNCTION artbandit_check_table(tbl regclass, what text, cols name[], types regtype[])
	RETURNS void
	LANGUAGE plpgsql STABLE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	i int;
	typ regtype;
BEGIN
	FOR i IN 1 .. cardinality(cols) LOOP
		SELECT a.atttypid::regtype INTO typ
		FROM pg_attribute a
		WHERE a.attrelid = tbl AND a.attname = cols[i] AND a.attnum > 0 AND NOT a.attisdropped;
		IF NOT FOUND THEN
			RAISE EXCEPTION '% table % has no column "%"', what, tbl, cols[i]
				USING ERRCODE = 'undefined_column',
					  HINT = format('It needs the columns %s.', array_to_string(cols, ', '));
		ELSIF typ <> types[i] THEN
			RAISE EXCEPTION 'column "%" of % table % has type %, expected %', cols[i], what, tbl, typ, types[i]
				USING ERRCODE = 'datatype_mismatch';
		END IF;
	END LOOP;
END
$$;

-- Distinct, non-NULL, non-empty names.
CREATE OR REPLACE FUNCTION artbandit_check_names(names text[], what text)
	RETURNS void
	LANGUAGE plpgsql IMMUTABLE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	dup text;
BEGIN
	IF names IS NULL OR cardinality(names) = 0 THEN
		RAISE EXCEPTION 'the list of % must not be empty', what USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF array_position(names, NULL) IS NOT NULL THEN
		RAISE EXCEPTION 'the list of % must not contain NULL', what USING ERRCODE = 'null_value_not_allowed';
	END IF;
	SELECT n INTO dup FROM unnest(names) n GROUP BY n HAVING count(*) > 1 ORDER BY n LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'the list of % names "%" more than once', what, dup
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
END
$$;

-----------------------------------------------------------------------------
-- v_target and q_logged from one reward model at one ridge
-----------------------------------------------------------------------------

CREATE FUNCTION bandit_value(model banditmodel, context float8[], candidates int8[],
							 policy text, reward_model banditmodel, reward_ridge float8)
	RETURNS float8 AS 'MODULE_PATHNAME', 'bandit_value' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION bandit_value(banditmodel, float8[], int8[], text, banditmodel, float8) IS
	'sum over candidates of pi(a|x) q(x,a), q from reward_model (default: model) at ridge reward_ridge, as bandit_predict(reward_model, x, a, reward_ridge) gives it';

-----------------------------------------------------------------------------
-- daily OPE states
-----------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION ope_rollup_day(
	log regclass, results regclass, targets regclass, day date,
	policies text[] DEFAULT NULL,
	segment_column name DEFAULT NULL,
	day_column name DEFAULT 'day',
	action_column name DEFAULT 'image_id',
	context_column name DEFAULT 'context',
	candidates_column name DEFAULT 'candidates',
	reward_column name DEFAULT 'played',
	propensity_column name DEFAULT 'propensity')
	RETURNS integer
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	day_ref text;
	seg_by text := coalesce(segment_column::text, '');
	seg_ref text;
	rows_sql text;
	has_reward_model boolean;
	ridge_ref text := '1.0::pg_catalog.float8';
	tgt record;
	written integer := 0;
	n integer;
BEGIN
	IF day IS NULL OR log IS NULL OR results IS NULL OR targets IS NULL THEN
		RAISE EXCEPTION 'log, results, targets and day must not be NULL' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	PERFORM @extschema@.artbandit_check_table(results, 'results'::text,
		ARRAY['day', 'policy', 'segment_by', 'segment', 'state', 'computed_at']::name[],
		ARRAY['date'::regtype, 'text'::regtype, 'text'::regtype, 'text'::regtype,
			  pg_typeof(NULL::@extschema@.ope_state), 'timestamptz'::regtype]);
	PERFORM @extschema@.artbandit_check_table(targets, 'targets'::text,
		ARRAY['name', 'policy', 'model']::name[],
		ARRAY['text'::regtype, 'text'::regtype, pg_typeof(NULL::@extschema@.banditmodel)]);
	has_reward_model := EXISTS (SELECT FROM pg_attribute WHERE attrelid = targets AND attname = 'reward_model'
								AND attnum > 0 AND NOT attisdropped);
	IF has_reward_model THEN
		PERFORM @extschema@.artbandit_check_table(targets, 'targets'::text,
			ARRAY['reward_model']::name[], ARRAY[pg_typeof(NULL::@extschema@.banditmodel)]);
		-- the ridge at which the reward model predicts (q and v alike)
		IF EXISTS (SELECT FROM pg_attribute WHERE attrelid = targets AND attname = 'reward_ridge'
				   AND attnum > 0 AND NOT attisdropped) THEN
			PERFORM @extschema@.artbandit_check_table(targets, 'targets'::text,
				ARRAY['reward_ridge']::name[], ARRAY['float8'::regtype]);
			ridge_ref := 'coalesce(t.reward_ridge, 1.0::pg_catalog.float8)';
		END IF;
	END IF;
	IF policies IS NULL THEN
		EXECUTE format('SELECT array_agg(name ORDER BY name) FROM %s', targets) INTO policies;
		IF policies IS NULL THEN
			RAISE EXCEPTION 'targets table % is empty', targets USING ERRCODE = 'no_data_found';
		END IF;
	END IF;
	PERFORM @extschema@.artbandit_check_names(policies, 'target policies'::text);

	-- the day's rows of the log, as the inputs of the estimators
	day_ref := @extschema@.artbandit_column_expr(log, day_column, 'day'::text, 'l'::text);
	seg_ref := CASE WHEN segment_column IS NULL THEN '''''::pg_catalog.text'
				ELSE format('coalesce(%s, '''')',
							@extschema@.artbandit_column_expr(log, segment_column, 'segment'::text, 'l'::text)) END;
	rows_sql := format(
		'SELECT %s AS segment, %s AS a, %s AS x, %s AS c, %s AS r, %s AS mu FROM %s l WHERE %s >= $1 AND %s < $1 + 1',
		seg_ref,
		@extschema@.artbandit_column_expr(log, action_column, 'action'::text, 'l'::text),
		@extschema@.artbandit_column_expr(log, context_column, 'context'::text, 'l'::text),
		@extschema@.artbandit_column_expr(log, candidates_column, 'candidates'::text, 'l'::text),
		@extschema@.artbandit_column_expr(log, reward_column, 'reward'::text, 'l'::text),
		@extschema@.artbandit_column_expr(log, propensity_column, 'propensity'::text, 'l'::text),
		log, day_ref, day_ref);

	-- writers of one results table take turns; readers are not blocked
	EXECUTE format('LOCK TABLE %s IN SHARE ROW EXCLUSIVE MODE', results);
	EXECUTE format('DELETE FROM %s WHERE day = $1 AND segment_by = $2 AND policy = ANY ($3)', results)
		USING day, seg_by, policies;

	FOR tgt IN EXECUTE format(
		'SELECT p.name AS wanted, t.name, t.policy, t.model IS NULL AS no_model, %s IS NULL AS basic,
		        %s AS ridge, count(t.name) OVER (PARTITION BY p.name) AS copies
		 FROM unnest($1) p(name) LEFT JOIN %s t ON t.name = p.name ORDER BY p.name',
		CASE WHEN has_reward_model THEN 't.reward_model' ELSE 'NULL::@extschema@.banditmodel' END,
		ridge_ref, targets)
		USING policies
	LOOP
		IF tgt.name IS NULL THEN
			RAISE EXCEPTION 'target policy "%" is not in table %', tgt.wanted, targets
				USING ERRCODE = 'undefined_object';
		ELSIF tgt.copies > 1 THEN
			RAISE EXCEPTION 'target policy "%" appears % times in table %', tgt.wanted, tgt.copies, targets
				USING ERRCODE = 'unique_violation';
		ELSIF tgt.policy IS NULL OR tgt.no_model THEN
			RAISE EXCEPTION 'target policy "%" has no policy or model', tgt.name
				USING ERRCODE = 'null_value_not_allowed';
		ELSIF NOT tgt.basic AND NOT (tgt.ridge > 0 AND tgt.ridge < 'Infinity'::float8) THEN
			RAISE EXCEPTION 'target policy "%" has reward_ridge %, which must be positive and finite',
				tgt.name, tgt.ridge USING ERRCODE = 'invalid_parameter_value';
		END IF;
		-- The models are read from the targets table in the query itself, not
		-- passed as parameters: a stored (TOASTed) model then reaches the
		-- scoring functions as a TOAST pointer, which their model cache
		-- recognises per row without comparing the model's bytes.  With a
		-- reward model, q (the logged image) and v (the policy's value) both
		-- come from it at one ridge: the target's reward_ridge, default 1.
		IF tgt.basic THEN
			EXECUTE format(
				'INSERT INTO %s (day, policy, segment_by, segment, state, computed_at)
				 SELECT $1, $2, $3, l.segment,
				        @extschema@.ope_accumulate(l.r, l.mu,
				            @extschema@.bandit_probability(t.model, l.x, l.c, l.a, t.policy)),
				        now()
				 FROM (%s) l CROSS JOIN (SELECT model, policy FROM %s WHERE name = $2) t
				 GROUP BY l.segment', results, rows_sql, targets)
				USING day, tgt.name, seg_by;
		ELSE
			EXECUTE format(
				'INSERT INTO %s (day, policy, segment_by, segment, state, computed_at)
				 SELECT $1, $2, $3, l.segment,
				        @extschema@.ope_accumulate(l.r, l.mu,
				            @extschema@.bandit_probability(t.model, l.x, l.c, l.a, t.policy),
				            @extschema@.bandit_predict(t.reward_model, l.x, l.a, $4),
				            @extschema@.bandit_value(t.model, l.x, l.c, t.policy, t.reward_model, $4)),
				        now()
				 FROM (%s) l CROSS JOIN (SELECT model, policy, reward_model FROM %s WHERE name = $2) t
				 GROUP BY l.segment', results, rows_sql, targets)
				USING day, tgt.name, seg_by, tgt.ridge::float8;
		END IF;
		GET DIAGNOSTICS n = ROW_COUNT;
		written := written + n;
	END LOOP;
	RETURN written;
END
$$;

CREATE OR REPLACE FUNCTION ope_rollup_report(
	results regclass, from_day date, to_day date,
	policies text[] DEFAULT NULL,
	segment_by text DEFAULT '',
	confidence float8 DEFAULT 0.95,
	by_day boolean DEFAULT false)
	RETURNS TABLE (day date, policy text, segment text, estimator text, estimate float8,
				   std_error float8, ci_lower float8, ci_upper float8, n bigint, ess float8,
				   match_rate float8, days integer)
	LANGUAGE plpgsql STABLE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	mixed record;
BEGIN
	IF results IS NULL OR from_day IS NULL OR to_day IS NULL OR segment_by IS NULL OR confidence IS NULL
	   OR by_day IS NULL THEN
		RAISE EXCEPTION 'only policies may be NULL' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF from_day > to_day THEN
		RAISE EXCEPTION 'from_day % is after to_day %', from_day, to_day USING ERRCODE = 'invalid_parameter_value';
	END IF;
	PERFORM @extschema@.artbandit_check_table(results, 'results'::text,
		ARRAY['day', 'policy', 'segment_by', 'segment', 'state']::name[],
		ARRAY['date'::regtype, 'text'::regtype, 'text'::regtype, 'text'::regtype,
			  pg_typeof(NULL::@extschema@.ope_state)]);
	IF policies IS NOT NULL THEN
		PERFORM @extschema@.artbandit_check_names(policies, 'target policies'::text);
	END IF;
	-- states with and without a reward model cannot be merged: say which
	EXECUTE format(
		'SELECT s.policy, s.segment FROM %s s
		 WHERE s.day BETWEEN $1 AND $2 AND s.segment_by = $3 AND ($4 IS NULL OR s.policy = ANY ($4))
		 GROUP BY s.policy, s.segment, CASE WHEN $5 THEN s.day END
		 HAVING count(DISTINCT (s.state::pg_catalog.text)::pg_catalog.json ->> ''kind'') > 1
		 ORDER BY 1, 2 LIMIT 1', results)
		INTO mixed USING from_day, to_day, segment_by, policies, by_day;
	IF mixed.policy IS NOT NULL THEN
		RAISE EXCEPTION 'target policy "%" (segment "%") has states with and without a reward model between % and %',
			mixed.policy, mixed.segment, from_day, to_day
			USING ERRCODE = 'data_exception',
				  HINT = 'Its reward model was added or removed in that range: re-run ope_rollup_day for those days, or report the two periods apart.';
	END IF;
	RETURN QUERY EXECUTE format(
		'SELECT g.day, g.policy, g.segment, e.estimator, e.estimate, e.std_error, e.ci_lower, e.ci_upper,
		        d.n, d.ess, d.match_rate, g.days
		 FROM (SELECT CASE WHEN $5 THEN s.day END AS day, s.policy, s.segment,
		              @extschema@.ope_merge(s.state) AS state, count(DISTINCT s.day)::pg_catalog.int4 AS days
		       FROM %s s
		       WHERE s.day BETWEEN $1 AND $2 AND s.segment_by = $3 AND ($4 IS NULL OR s.policy = ANY ($4))
		       GROUP BY 1, 2, 3) g,
		      LATERAL @extschema@.ope_report(g.state, $6)
		          WITH ORDINALITY e(estimator, estimate, std_error, ci_lower, ci_upper, k),
		      LATERAL @extschema@.ope_diagnostics(g.state) d
		 ORDER BY g.day, g.policy, g.segment, e.k', results)
		USING from_day, to_day, segment_by, policies, by_day, confidence;
END
$$;

-----------------------------------------------------------------------------
-- model refresh
-----------------------------------------------------------------------------

-- Scopes whose rows in the range have no usable row (a NULL action, context
-- or reward in each) get no model: they are named in a NOTICE, and the
-- others are written.  n_rows counts the rows that entered the fit.
CREATE OR REPLACE FUNCTION bandit_refresh_models(
	log regclass, models regclass, model_name text, from_day date, to_day date,
	scope_column name DEFAULT NULL,
	day_column name DEFAULT 'day',
	action_column name DEFAULT 'image_id',
	context_column name DEFAULT 'context',
	reward_column name DEFAULT 'played')
	RETURNS integer
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	day_ref text;
	next_version integer;
	n integer;
	skipped text[];
BEGIN
	IF log IS NULL OR models IS NULL OR model_name IS NULL OR from_day IS NULL OR to_day IS NULL THEN
		RAISE EXCEPTION 'log, models, model_name, from_day and to_day must not be NULL'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF from_day > to_day THEN
		RAISE EXCEPTION 'from_day % is after to_day %', from_day, to_day USING ERRCODE = 'invalid_parameter_value';
	END IF;
	PERFORM @extschema@.artbandit_check_table(models, 'models'::text,
		ARRAY['name', 'scope', 'version', 'created_at', 'trained_from', 'trained_to', 'n_rows', 'retired', 'model']::name[],
		ARRAY['text'::regtype, 'text'::regtype, 'int4'::regtype, 'timestamptz'::regtype, 'date'::regtype,
			  'date'::regtype, 'int8'::regtype, 'bool'::regtype, pg_typeof(NULL::@extschema@.banditmodel)]);
	day_ref := @extschema@.artbandit_column_expr(log, day_column, 'day'::text, 'l'::text);

	-- refreshes of one models table take turns, so versions never collide
	EXECUTE format('LOCK TABLE %s IN SHARE ROW EXCLUSIVE MODE', models);
	EXECUTE format('SELECT coalesce(max(version), 0) + 1 FROM %s WHERE name = $1', models)
		INTO next_version USING model_name;
	EXECUTE format(
		'WITH fits AS (
		     SELECT scope, count(*) FILTER (WHERE a IS NOT NULL AND x IS NOT NULL AND r IS NOT NULL) AS used,
		            @extschema@.bandit_fit(a, x, r) AS model
		     FROM (SELECT %s AS scope, %s AS a, %s AS x, %s AS r FROM %s l
		           WHERE %s >= $3 AND %s < $4 + 1) rows
		     GROUP BY scope),
		 written AS (
		     INSERT INTO %s (name, scope, version, created_at, trained_from, trained_to, n_rows, retired, model)
		     SELECT $1, scope, $2, now(), $3, $4, used, false, model FROM fits WHERE model IS NOT NULL
		     RETURNING 1)
		 SELECT (SELECT count(*) FROM written)::pg_catalog.int4,
		        (SELECT array_agg(scope ORDER BY scope) FROM fits WHERE model IS NULL)',
		CASE WHEN scope_column IS NULL THEN '''''::pg_catalog.text'
			 ELSE format('coalesce(%s, '''')',
						 @extschema@.artbandit_column_expr(log, scope_column, 'scope'::text, 'l'::text)) END,
		@extschema@.artbandit_column_expr(log, action_column, 'action'::text, 'l'::text),
		@extschema@.artbandit_column_expr(log, context_column, 'context'::text, 'l'::text),
		@extschema@.artbandit_column_expr(log, reward_column, 'reward'::text, 'l'::text),
		log, day_ref, day_ref, models)
		INTO n, skipped USING model_name, next_version, from_day, to_day;
	IF skipped IS NOT NULL THEN
		RAISE NOTICE 'model "%": no new version for % scope(s) without a usable row (non-NULL action, context and reward) between % and %: %',
			model_name, cardinality(skipped), from_day, to_day,
			array_to_string(skipped[1:10], ', ')
			|| CASE WHEN cardinality(skipped) > 10 THEN format(' and %s more', cardinality(skipped) - 10) ELSE '' END
			USING HINT = 'Their current models, if any, stay current.';
	END IF;
	RETURN n;
END
$$;

CREATE OR REPLACE FUNCTION bandit_current_models(models regclass, model_name text)
	RETURNS TABLE (scope text, version integer, created_at timestamptz, model banditmodel)
	LANGUAGE plpgsql STABLE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF models IS NULL OR model_name IS NULL THEN
		RAISE EXCEPTION 'models and model_name must not be NULL' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	PERFORM @extschema@.artbandit_check_table(models, 'models'::text,
		ARRAY['name', 'scope', 'version', 'created_at', 'retired', 'model']::name[],
		ARRAY['text'::regtype, 'text'::regtype, 'int4'::regtype, 'timestamptz'::regtype, 'bool'::regtype,
			  pg_typeof(NULL::@extschema@.banditmodel)]);
	RETURN QUERY EXECUTE format(
		'SELECT DISTINCT ON (m.scope) m.scope, m.version, m.created_at, m.model FROM %s m
		 WHERE m.name = $1 AND NOT m.retired ORDER BY m.scope, m.version DESC', models)
		USING model_name;
END
$$;

CREATE OR REPLACE FUNCTION bandit_rollback_models(models regclass, model_name text)
	RETURNS integer
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	latest integer;
	live bigint;
	orphans text;
BEGIN
	IF models IS NULL OR model_name IS NULL THEN
		RAISE EXCEPTION 'models and model_name must not be NULL' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	PERFORM @extschema@.artbandit_check_table(models, 'models'::text,
		ARRAY['name', 'scope', 'version', 'retired']::name[],
		ARRAY['text'::regtype, 'text'::regtype, 'int4'::regtype, 'bool'::regtype]);
	EXECUTE format('LOCK TABLE %s IN SHARE ROW EXCLUSIVE MODE', models);
	EXECUTE format('SELECT max(version), count(DISTINCT version) FROM %s WHERE name = $1 AND NOT retired', models)
		INTO latest, live USING model_name;
	IF live < 2 THEN
		RAISE EXCEPTION 'model "%" has no earlier version to go back to in %', model_name, models
			USING ERRCODE = 'no_data_found',
				  DETAIL = format('%s version(s) not retired.', live);
	END IF;
	EXECUTE format(
		'SELECT string_agg(m.scope, '', '' ORDER BY m.scope) FROM %s m
		 WHERE m.name = $1 AND m.version = $2
		   AND NOT EXISTS (SELECT FROM %s e WHERE e.name = $1 AND e.scope = m.scope
		                   AND e.version < $2 AND NOT e.retired)', models, models)
		INTO orphans USING model_name, latest;
	IF orphans IS NOT NULL THEN
		RAISE EXCEPTION 'retiring version % of model "%" would leave no current model for scope %',
			latest, model_name, orphans
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = 'Those scopes first appear in that version; retire it by hand if that is what you want.';
	END IF;
	EXECUTE format('UPDATE %s SET retired = true WHERE name = $1 AND version = $2', models)
		USING model_name, latest;
	RETURN latest;
END
$$;
