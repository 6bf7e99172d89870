-- the floor: a request (its id, hence its show) looks up its context and
-- candidates and the show's model row, reading the model's TOAST pointer
-- but not its bytes (pg_column_size: no detoast, and no index-only scan)
\set id random(1, 10000)
\set show 1 + :id % 100
SELECT c.context, c.candidates, pg_column_size(m.model)
FROM serve_contexts c, serve_models m
WHERE c.id = :id AND m.show_id = :show;
