/* Packed Cholesky and solves against a 3 x 3 case worked by hand. */
#include "linalg.h"
#include "unit.h"

/*
 * M = [[4, 2, 2], [2, 5, 3], [2, 3, 6]] = L L^T with
 * L = [[2, 0, 0], [1, 2, 0], [1, 1, 2]].
 * Solving M z = (8, 10, 11) gives z = (1, 1, 1) (rows sum to 8, 10, 11).
 */
void
test_linalg(void)
{
	double		m[6] = {4, 2, 5, 2, 3, 6};
	double		y[3],
				z[3];
	static const double rhs[3] = {8, 10, 11};
	static const double e1[3] = {1, 0, 0};
	static const double e3[3] = {0, 0, 1};
	/* L^-1 = [[1/2, 0, 0], [-1/4, 1/2, 0], [-1/8, -1/4, 1/2]] (check L L^-1 = I) */
	static const double tinv[6] = {0.5, -0.25, 0.5, -0.125, -0.25, 0.5};
	int			i;
	double		bad[3] = {1, 2, 1};	/* [[1, 2], [2, 1]] is indefinite */
	double		acc[3] = {0, 0, 0};
	static const double x[2] = {1, 2};

	CHECK(packed_cholesky(m, 3));
	CHECK(m[0] == 2 && m[1] == 1 && m[2] == 2 && m[3] == 1 && m[4] == 1 && m[5] == 2);
	cholesky_forward(m, 3, rhs, y);
	cholesky_backward(m, 3, y, z);
	CHECK_NEAR(z[0], 1, 1e-15);
	CHECK_NEAR(z[1], 1, 1e-15);
	CHECK_NEAR(z[2], 1, 1e-15);
	lower_inverse(m, 3);
	for (i = 0; i < 6; i++)
		CHECK(m[i] == tinv[i]);
	/* e1^T M^-1 e1 = (M^-1)_11 = (5*6 - 9) / det, det = 4*21 - 2*6 + 2*(-4) = 64 */
	CHECK_NEAR(lower_quadratic(m, 3, e1), 21.0 / 64, 1e-15);
	/* e3^T M^-1 e3 = (4*5 - 4) / 64 */
	CHECK_NEAR(lower_quadratic(m, 3, e3), 16.0 / 64, 1e-15);
	CHECK(!packed_cholesky(bad, 2));
	packed_rank1_update(acc, 2, 2.0, x);
	CHECK(acc[0] == 2 && acc[1] == 4 && acc[2] == 8);
	CHECK(packed_size(3) == 6 && packed_index(2, 1) == 4);
}
