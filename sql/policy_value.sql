-- policy_value(probabilities, values) = sum p_i v_i: by hand, and every bad input.
SET extra_float_digits = 0;
SELECT policy_value('{0.25,0.75}', '{2,4}') AS three_and_a_half,     -- 0.5 + 3
       policy_value('{1}', '{-7.5}') AS one_arm,
       policy_value('{0.5,0.5,0}', '{1,3,1e300}') AS zero_weight_ignored_huge_value,
       policy_value('[0:1]={0.5,0.5}', '[5:6]={2,4}') AS lower_bounds_ignored,
       policy_value(NULL, '{1}') IS NULL AS strict;

SELECT f, expect_error('SELECT policy_value(' || f || ')') AS result
FROM (VALUES ($$'{}', '{}'$$), ($$'{1}', '{1,2}'$$), ($$'{0.5,0.6}', '{1,2}'$$),
             ($$'{1.5,-0.5}', '{1,2}'$$), ($$'{NaN}', '{1}'$$), ($$'{1}', '{NaN}'$$),
             ($$'{1}', '{Infinity}'$$), ($$'{1}', '{-Infinity}'$$), ($$'{1,NULL}', '{1,2}'$$),
             ($$'{1}', '{NULL}'$$), ($$'{{1}}', '{{1}}'$$), ($$'{0.5,0.5}', '{1.7e308,1.7e308}'$$),
             ($$'{5e-324}', '{1}'$$)) v(f)
ORDER BY f;
