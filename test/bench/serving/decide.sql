-- one decision: the floor's lookup, then bandit_act with the policy given
-- as pgbench -D policy=... (a parameter of the prepared statement) and the
-- request id as seed: what to show and the propensity to log
\set id random(1, 10000)
\set show 1 + :id % 100
SELECT a.action, a.probability
FROM serve_contexts c, serve_models m,
     bandit_act(m.model, c.context, c.candidates, :policy, c.id) a
WHERE c.id = :id AND m.show_id = :show;
