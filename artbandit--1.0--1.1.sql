/* artbandit 1.0 -> 1.1: scheduled rollups of daily OPE states and model refreshes */

\echo Use "ALTER EXTENSION artbandit UPDATE TO '1.1'" to load this file. \quit

-- Everything here is PL/pgSQL over the 1.0 functions.  Tables and columns
-- named by the caller arrive as regclass and name values and reach SQL only
-- through format('%s', regclass) and format('%I', name).  Every function
-- runs with search_path = pg_catalog, <the extension's schema>, pg_temp:
-- built-ins cannot be shadowed, the extension's own objects are found, and
-- a regclass prints schema-qualified unless it resolves the same way.  Each
-- call is one statement, so an error anywhere leaves every table as it was:
-- never a partial write.  Writers take turns through table locks, which
-- assumes READ COMMITTED (the default): under REPEATABLE READ a concurrent
-- writer's rows are not seen and the second writer fails on the key.

-----------------------------------------------------------------------------
-- checking the caller's tables
-----------------------------------------------------------------------------

CREATE FUNCTION artbandit_column_expr(tbl regclass, col name, kind text, alias text DEFAULT 'l')
	RETURNS text
	LANGUAGE plpgsql STABLE
	SET search_path = pg_catalog, @extschema@, pg_temp
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
				RETURN ref || '::int8';
			END IF;
		WHEN 'context' THEN
			IF typ = 'float8[]'::regtype THEN
				RETURN ref;
			END IF;
		WHEN 'candidates' THEN
			IF typ IN ('int8[]'::regtype, 'int4[]'::regtype, 'int2[]'::regtype) THEN
				RETURN ref || '::int8[]';
			END IF;
		WHEN 'reward' THEN
			IF typ = 'bool'::regtype THEN
				RETURN ref || '::int4::float8';
			ELSIF typ IN ('int2'::regtype, 'int4'::regtype, 'int8'::regtype, 'numeric'::regtype,
						  'float4'::regtype, 'float8'::regtype) THEN
				RETURN ref || '::float8';
			END IF;
		WHEN 'propensity' THEN
			IF typ IN ('numeric'::regtype, 'float4'::regtype, 'float8'::regtype) THEN
				RETURN ref || '::float8';
			END IF;
		WHEN 'segment', 'scope' THEN
			RETURN ref || '::text';
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

COMMENT ON FUNCTION artbandit_column_expr(regclass, name, text, text) IS
	'internal: the SQL expression reading column col of tbl as the given kind of input, or an error naming what is wrong';

-- The table must have each column of cols with the type of the same position in types.
CREATE FUNCTION artbandit_check_table(tbl regclass, what text, cols name[], types regtype[])
	RETURNS void
	LANGUAGE plpgsql STABLE
	SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	i int;
	typ regtype;
BEGIN
	FOR i IN 1 .. array_length(cols, 1) LOOP
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

COMMENT ON FUNCTION artbandit_check_table(regclass, text, name[], regtype[]) IS
	'internal: raise an error unless tbl has every column of cols with the matching type';

-- Distinct, non-NULL, non-empty names.
CREATE FUNCTION artbandit_check_names(names text[], what text)
	RETURNS void
	LANGUAGE plpgsql IMMUTABLE
	SET search_path = pg_catalog, @extschema@, pg_temp
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

COMMENT ON FUNCTION artbandit_check_names(text[], text) IS
	'internal: raise an error for an empty list, a NULL element or a duplicate';

-----------------------------------------------------------------------------
-- daily OPE states
-----------------------------------------------------------------------------

CREATE FUNCTION ope_rollup_day(
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
	SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	day_ref text;
	seg_by text := coalesce(segment_column::text, '');
	seg_ref text;
	rows_sql text;
	has_reward_model boolean;
	tgt record;
	written integer := 0;
	n integer;
BEGIN
	IF day IS NULL OR log IS NULL OR results IS NULL OR targets IS NULL THEN
		RAISE EXCEPTION 'log, results, targets and day must not be NULL' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	PERFORM artbandit_check_table(results, 'results',
		ARRAY['day', 'policy', 'segment_by', 'segment', 'state', 'computed_at']::name[],
		ARRAY['date', 'text', 'text', 'text', 'ope_state', 'timestamptz']::regtype[]);
	PERFORM artbandit_check_table(targets, 'targets',
		ARRAY['name', 'policy', 'model']::name[],
		ARRAY['text', 'text', 'banditmodel']::regtype[]);
	has_reward_model := EXISTS (SELECT FROM pg_attribute WHERE attrelid = targets AND attname = 'reward_model'
								AND attnum > 0 AND NOT attisdropped);
	IF has_reward_model THEN
		PERFORM artbandit_check_table(targets, 'targets',
			ARRAY['reward_model']::name[], ARRAY['banditmodel']::regtype[]);
	END IF;
	IF policies IS NULL THEN
		EXECUTE format('SELECT array_agg(name ORDER BY name) FROM %s', targets) INTO policies;
		IF policies IS NULL THEN
			RAISE EXCEPTION 'targets table % is empty', targets USING ERRCODE = 'no_data_found';
		END IF;
	END IF;
	PERFORM artbandit_check_names(policies, 'target policies');

	-- the day's rows of the log, as the inputs of the estimators
	day_ref := artbandit_column_expr(log, day_column, 'day');
	seg_ref := CASE WHEN segment_column IS NULL THEN '''''::text'
				ELSE format('coalesce(%s, '''')', artbandit_column_expr(log, segment_column, 'segment')) END;
	rows_sql := format(
		'SELECT %s AS segment, %s AS a, %s AS x, %s AS c, %s AS r, %s AS mu FROM %s l WHERE %s >= $1 AND %s < $1 + 1',
		seg_ref,
		artbandit_column_expr(log, action_column, 'action'),
		artbandit_column_expr(log, context_column, 'context'),
		artbandit_column_expr(log, candidates_column, 'candidates'),
		artbandit_column_expr(log, reward_column, 'reward'),
		artbandit_column_expr(log, propensity_column, 'propensity'),
		log, day_ref, day_ref);

	-- writers of one results table take turns; readers are not blocked
	EXECUTE format('LOCK TABLE %s IN SHARE ROW EXCLUSIVE MODE', results);
	EXECUTE format('DELETE FROM %s WHERE day = $1 AND segment_by = $2 AND policy = ANY ($3)', results)
		USING day, seg_by, policies;

	FOR tgt IN EXECUTE format(
		'SELECT p.name AS wanted, t.name, t.policy, t.model IS NULL AS no_model, %s IS NULL AS basic,
		        count(t.name) OVER (PARTITION BY p.name) AS copies
		 FROM unnest($1) p(name) LEFT JOIN %s t ON t.name = p.name ORDER BY p.name',
		CASE WHEN has_reward_model THEN 't.reward_model' ELSE 'NULL::banditmodel' END, targets)
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
		END IF;
		-- The models are read from the targets table in the query itself, not
		-- passed as parameters: a stored (TOASTed) model then reaches the
		-- scoring functions as a TOAST pointer, which their model cache
		-- recognises per row without comparing the model's bytes.
		IF tgt.basic THEN
			EXECUTE format(
				'INSERT INTO %s (day, policy, segment_by, segment, state, computed_at)
				 SELECT $1, $2, $3, l.segment,
				        ope_accumulate(l.r, l.mu, bandit_probability(t.model, l.x, l.c, l.a, t.policy)),
				        now()
				 FROM (%s) l CROSS JOIN (SELECT model, policy FROM %s WHERE name = $2) t
				 GROUP BY l.segment', results, rows_sql, targets)
				USING day, tgt.name, seg_by;
		ELSE
			EXECUTE format(
				'INSERT INTO %s (day, policy, segment_by, segment, state, computed_at)
				 SELECT $1, $2, $3, l.segment,
				        ope_accumulate(l.r, l.mu, bandit_probability(t.model, l.x, l.c, l.a, t.policy),
				                       bandit_predict(t.reward_model, l.x, l.a),
				                       bandit_value(t.model, l.x, l.c, t.policy, t.reward_model)),
				        now()
				 FROM (%s) l CROSS JOIN (SELECT model, policy, reward_model FROM %s WHERE name = $2) t
				 GROUP BY l.segment', results, rows_sql, targets)
				USING day, tgt.name, seg_by;
		END IF;
		GET DIAGNOSTICS n = ROW_COUNT;
		written := written + n;
	END LOOP;
	RETURN written;
END
$$;

COMMENT ON FUNCTION ope_rollup_day(regclass, regclass, regclass, date, text[], name, name, name, name, name, name, name) IS
	'(re)compute one day''s ope_state per target policy (and segment) from the log into the results table; returns the states written';

CREATE FUNCTION ope_rollup_report(
	results regclass, from_day date, to_day date,
	policies text[] DEFAULT NULL,
	segment_by text DEFAULT '',
	confidence float8 DEFAULT 0.95,
	by_day boolean DEFAULT false)
	RETURNS TABLE (day date, policy text, segment text, estimator text, estimate float8,
				   std_error float8, ci_lower float8, ci_upper float8, n bigint, ess float8,
				   match_rate float8, days integer)
	LANGUAGE plpgsql STABLE
	SET search_path = pg_catalog, @extschema@, pg_temp
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
	PERFORM artbandit_check_table(results, 'results',
		ARRAY['day', 'policy', 'segment_by', 'segment', 'state']::name[],
		ARRAY['date', 'text', 'text', 'text', 'ope_state']::regtype[]);
	IF policies IS NOT NULL THEN
		PERFORM artbandit_check_names(policies, 'target policies');
	END IF;
	-- states with and without a reward model cannot be merged: say which
	EXECUTE format(
		'SELECT s.policy, s.segment FROM %s s
		 WHERE s.day BETWEEN $1 AND $2 AND s.segment_by = $3 AND ($4 IS NULL OR s.policy = ANY ($4))
		 GROUP BY s.policy, s.segment, CASE WHEN $5 THEN s.day END
		 HAVING count(DISTINCT (s.state::text)::json ->> ''kind'') > 1
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
		              ope_merge(s.state) AS state, count(DISTINCT s.day)::int AS days
		       FROM %s s
		       WHERE s.day BETWEEN $1 AND $2 AND s.segment_by = $3 AND ($4 IS NULL OR s.policy = ANY ($4))
		       GROUP BY 1, 2, 3) g,
		      LATERAL ope_report(g.state, $6) WITH ORDINALITY e(estimator, estimate, std_error, ci_lower, ci_upper, k),
		      LATERAL ope_diagnostics(g.state) d
		 ORDER BY g.day, g.policy, g.segment, e.k', results)
		USING from_day, to_day, segment_by, policies, by_day, confidence;
END
$$;

COMMENT ON FUNCTION ope_rollup_report(regclass, date, date, text[], text, float8, boolean) IS
	'estimates over a range of days from stored daily states, as plain columns: one row per policy, segment (and day) and estimator';

-----------------------------------------------------------------------------
-- model refresh
-----------------------------------------------------------------------------

CREATE FUNCTION bandit_refresh_models(
	log regclass, models regclass, model_name text, from_day date, to_day date,
	scope_column name DEFAULT NULL,
	day_column name DEFAULT 'day',
	action_column name DEFAULT 'image_id',
	context_column name DEFAULT 'context',
	reward_column name DEFAULT 'played')
	RETURNS integer
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	day_ref text;
	next_version integer;
	n integer;
BEGIN
	IF log IS NULL OR models IS NULL OR model_name IS NULL OR from_day IS NULL OR to_day IS NULL THEN
		RAISE EXCEPTION 'log, models, model_name, from_day and to_day must not be NULL'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF from_day > to_day THEN
		RAISE EXCEPTION 'from_day % is after to_day %', from_day, to_day USING ERRCODE = 'invalid_parameter_value';
	END IF;
	PERFORM artbandit_check_table(models, 'models',
		ARRAY['name', 'scope', 'version', 'created_at', 'trained_from', 'trained_to', 'n_rows', 'retired', 'model']::name[],
		ARRAY['text', 'text', 'int4', 'timestamptz', 'date', 'date', 'int8', 'bool', 'banditmodel']::regtype[]);
	day_ref := artbandit_column_expr(log, day_column, 'day');

	-- refreshes of one models table take turns, so versions never collide
	EXECUTE format('LOCK TABLE %s IN SHARE ROW EXCLUSIVE MODE', models);
	EXECUTE format('SELECT coalesce(max(version), 0) + 1 FROM %s WHERE name = $1', models)
		INTO next_version USING model_name;
	EXECUTE format(
		'INSERT INTO %s (name, scope, version, created_at, trained_from, trained_to, n_rows, retired, model)
		 SELECT $1, scope, $2, now(), $3, $4, count(*), false, bandit_fit(a, x, r)
		 FROM (SELECT %s AS scope, %s AS a, %s AS x, %s AS r FROM %s l
		       WHERE %s >= $3 AND %s < $4 + 1) rows
		 GROUP BY scope',
		models,
		CASE WHEN scope_column IS NULL THEN '''''::text'
			 ELSE format('coalesce(%s, '''')', artbandit_column_expr(log, scope_column, 'scope')) END,
		artbandit_column_expr(log, action_column, 'action'),
		artbandit_column_expr(log, context_column, 'context'),
		artbandit_column_expr(log, reward_column, 'reward'),
		log, day_ref, day_ref)
		USING model_name, next_version, from_day, to_day;
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN n;
END
$$;

COMMENT ON FUNCTION bandit_refresh_models(regclass, regclass, text, date, date, name, name, name, name, name) IS
	'fit a new version of a model (one per scope, e.g. per show) from a range of days of the log; returns the models written';

CREATE FUNCTION bandit_current_models(models regclass, model_name text)
	RETURNS TABLE (scope text, version integer, created_at timestamptz, model banditmodel)
	LANGUAGE plpgsql STABLE
	SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
BEGIN
	IF models IS NULL OR model_name IS NULL THEN
		RAISE EXCEPTION 'models and model_name must not be NULL' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	PERFORM artbandit_check_table(models, 'models',
		ARRAY['name', 'scope', 'version', 'created_at', 'retired', 'model']::name[],
		ARRAY['text', 'text', 'int4', 'timestamptz', 'bool', 'banditmodel']::regtype[]);
	RETURN QUERY EXECUTE format(
		'SELECT DISTINCT ON (m.scope) m.scope, m.version, m.created_at, m.model FROM %s m
		 WHERE m.name = $1 AND NOT m.retired ORDER BY m.scope, m.version DESC', models)
		USING model_name;
END
$$;

COMMENT ON FUNCTION bandit_current_models(regclass, text) IS
	'the newest version of a model that is not retired, per scope';

CREATE FUNCTION bandit_rollback_models(models regclass, model_name text)
	RETURNS integer
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	latest integer;
	live bigint;
	orphans text;
BEGIN
	IF models IS NULL OR model_name IS NULL THEN
		RAISE EXCEPTION 'models and model_name must not be NULL' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	PERFORM artbandit_check_table(models, 'models',
		ARRAY['name', 'scope', 'version', 'retired']::name[], ARRAY['text', 'text', 'int4', 'bool']::regtype[]);
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

COMMENT ON FUNCTION bandit_rollback_models(regclass, text) IS
	'retire the newest version of a model (kept in the table), so that the previous one is current again; returns the retired version';
