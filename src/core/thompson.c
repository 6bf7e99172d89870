/*
 * thompson.c — exact action probabilities of Gaussian Thompson sampling.
 *
 * Formula.  Arm a's score X_a ~ N(m_a, s_a^2), independent; with
 * Phi_b(t) = Phi((t - m_b) / s_b) and phi_a(t) = phi((t - m_a) / s_a) / s_a,
 *
 *   P(a) = P(X_a > X_b for all b != a)
 *        = integral over t of f_a(t),  f_a = phi_a * prod_{b != a} Phi_b.
 *
 * For k = 2 this is Phi((m_a - m_b) / sqrt(s_a^2 + s_b^2)) (the unit tests'
 * reference).  The k integrands f_a sum to the density of max_b X_b.
 *
 * Point masses.  An arm with sd 0 (or an sd so small that m +- 8.5 sd rounds
 * to the same double, or below 2^-960 times the largest |mean| or sd) is a
 * point mass at its mean: Phi_c becomes the step 1{t >= m_c}.  With M the
 * largest point mass, shared by T point arms, and C the continuous arms:
 *   P(point arm at M) = prod_{b in C} Phi_b(M) / T   (others at < M: 0),
 *   P(a in C)         = integral from M to infinity of phi_a prod_{b in C, b != a} Phi_b.
 * Only point masses: the arms at the largest mean share 1 evenly.
 *
 * Identical arms.  Continuous arms with the same mean and sd (several arms
 * nobody has played yet, all at the prior) have the same probability: they
 * are integrated once, as one arm j of multiplicity g_j, with
 * f_j = phi_j Phi_j^(g_j - 1) prod_{i != j} Phi_i^(g_i).
 *
 * Range.  lo = max(M, max_b (m_b - 8.5 s_b)), Q(8.5) = 1 - Phi(8.5) = 9.5e-18.
 *  - Below lo: the integrands together carry P(max_b X_b < lo) <=
 *    Phi_{b*}(lo) = Q(8.5) for the arm b* attaining lo.
 *  - An arm with m_a + 8.5 s_a <= lo is pruned: P(a) <= P(X_a > lo) <=
 *    Q(8.5), reported as 0, and taking its Phi_a as 1 above lo overstates
 *    the others by at most as much together.
 *  - Above T = the second largest m_j + 8.5 s_j over the distinct arms (j*
 *    the one with the largest): every other arm's draw exceeds T with
 *    probability Q(8.5) or less, so its integral above T is dropped, and
 *    each of the g copies of j* gets in closed form
 *      integral from T to infinity of phi_j* Phi_j*^(g - 1) = (1 - Phi_j*(T)^g) / g,
 *    which overstates its true tail integral by at most sum_b Q(8.5)
 *    (Phi_b(T) >= 1 - Q(8.5) for every other arm).  The wide arms of unseen
 *    actions, whose upper tails reach far above the others', cost no nodes
 *    there.
 * So truncation changes the k integrals by t <= 4 k Q(8.5) = 3.8e-17 k in
 * all.  Working in u = t - lo keeps each narrow arm's region near u = 0,
 * where doubles are dense: every surviving arm has |m_a - lo| <= 8.5 s_a,
 * so means of 1e6 with sds of 1e-6 lose nothing to rounding.  Inputs are
 * first scaled by a power of two (exact) so that the largest |mean| or sd
 * is in [1/2, 1) and nothing overflows.
 *
 * Method: Gauss–Legendre with an a priori error bound.  The distinct
 * surviving arms are integrated over [lo, T] at once, on one partition into
 * intervals with an N-node Gauss–Legendre rule each (2 <= N <= 64,
 * gauss_legendre.h), and N and the partition are chosen BEFORE any
 * integrand is evaluated, from a bound that holds for every analytic
 * function:
 *
 *   if g is analytic inside the Bernstein ellipse E_rho (foci -1 and 1,
 *   semi-axes (rho + 1/rho) / 2 and (rho - 1/rho) / 2) and |g| <= M there,
 *   the N-node Gauss rule errs on the integral over [-1, 1] by at most
 *   (64 / 15) M rho^(2 - 2N) / (rho^2 - 1)
 *
 * (Trefethen, Approximation Theory and Approximation Practice, 2013,
 * Theorem 19.3, whose n is N - 1: the Chebyshev coefficients of g are at
 * most 2 M rho^-k in modulus, the rule integrates degree 2N - 1 exactly and
 * errs on T_k, k >= 2N even, by at most 2 + 2 / (k^2 - 1) <= 32/15; odd T_k
 * it integrates exactly).  On [c - h, c + h] the error is h times that, M
 * bounding |f| on the ellipse stretched by h about c.  The integrands are
 * entire, and |f_a| on a rectangle of the complex plane is bounded in
 * closed form, factor by factor: with z = x + iy, u = (x - m) / s, v = y / s,
 *   |phi((z - m) / s)| = phi(u) exp(v^2 / 2),
 *   |Phi((z - m) / s)| <= Phi(u) + phi(u) G(|v|),  G(v) = integral_0^v exp(r^2 / 2) dr
 *                      <= Phi(u) + phi(u) min(v, 0.7652) exp(v^2 / 2)
 * (Phi(u + iv) - Phi(u) = i integral_0^v phi(u + ir) dr and |phi(u + ir)| =
 * phi(u) exp(r^2 / 2); G(v) exp(-v^2 / 2) = sqrt 2 D(v / sqrt 2) with
 * Dawson's integral D <= 0.54105), and for u < 0 Phi(u) = phi(u) R(-u) with
 * R Mills' ratio, bounded from above by chords of log R between points
 * 1/4 apart (log R is convex; the table rounds up).  On the rectangle
 * [c - A, c + A] x [-B, B] that holds the ellipse each factor is bounded at
 * its worst point (Phi(u) at the right edge, phi(u) at the point nearest
 * the arm's mean, |v| = B / s), and the sum of the logarithms bounds every
 * |f_a|; k times the largest bounds their sum, so the bound covers all
 * components together.  Each interval has a share of the tolerance: first
 * [lo, x0], the longest start where (x0 - lo) times the integrands' bound
 * on the real line is at most tol (x0 - lo) / (T - lo) (5 bisection steps:
 * where the product of the Phi's vanishes), skipped, and [x0, T] the rest.
 * For an interval the bound is evaluated on a grid of rho (1.2 1.3^i),
 * walking up from the parent interval's best while N falls, and the
 * smallest N meeting its share is taken; one that needs more than 64 nodes
 * is split, the shares of the pieces summing to its own: its narrowest
 * arm's core [m - 8.5 s, m + 8.5 s] is cut out when that is under an
 * eighth of it (half the share, a quarter to each side), or else it is
 * halved (half each).  A piece whose integrands are bounded on the real
 * line by its share over its length contributes 0 without nodes.  So the
 * quadrature errors of all components sum to at most tol = TS_TOL = 4e-13
 * (a proof, not an estimate: ThompsonStats.error_bound is the sum of the
 * intervals' bounds and shares skipped), and no integrand value is spent on
 * deciding.  The bound is pessimistic by about 1.3 to 1.6 in nodes (by
 * orders of magnitude in digits: at tolerances 1e-3 to 1e-9 the actual
 * errors stay below 2% of it).
 *
 * Nodes.  At each node Phi_j and phi_j come from one exp (normal.h's
 * normal_exp_neg, inline) and a table (normal_mills_ratio): with
 * e = exp(-z^2 / 2) and the tabulated Q(x) exp(x^2 / 2) = E(x),
 * Phi(z) = e E(-z) for z < 0 and 1 - e E(z) otherwise, phi(z) = e / sqrt(2 pi),
 * relative errors of a few units of 2^-53 where |z| is moderate (up to
 * about z^2 / 2 units further out, where the factor is tiny); the products
 * prod_{i != j} come from prefix and suffix products, with no division by a
 * Phi that may have underflowed: O(k) per node, memory O(k).  An interval
 * is integrated once, when its N is known.
 *
 * Total error.  Finally the probabilities are divided by their sum S.  With
 * e_b the quadrature error and t_b the truncation of component b,
 *   p_a / S - P(a) = ((1 - P(a)) (e_a - t_a) - P(a) sum_{b != a} (e_b - t_b)) / S,
 * at most sum_b |e_b - t_b| / S in modulus: every probability is within
 * tol + 4 k Q(8.5) = 4.0e-13 + 3.8e-17 k of the exact value (slightly more
 * through 1 / S), plus rounding, which the bound does not cover: the node
 * values carry relative errors of about (k + 10) 2^-53 where they matter,
 * and the positive Gauss weights carry those to the sums (measured errors
 * are below 1e-14, see test_thompson.c).
 * Work is bounded: splitting stops at 4000 intervals examined, or when
 * about 5e8 arm evaluations (nodes and bounds, O(k) each) are done or
 * committed; an interval that then still needs more than 64 nodes, or one
 * at the resolution of doubles, is integrated with 64, and
 * ThompsonStats.converged says whether the bounds still sum within tol.
 * Typical calls use 50-100 nodes; with tens of thousands of arms the bound
 * asks for more nodes than 1.1's heuristic estimate stopped at (3,000
 * against 500 for 100,000 arms of similar means: 5 s against 2 s).
 */
#include "thompson.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "gauss_legendre.h"
#include "normal.h"

#define TS_TAIL 8.5				/* range in sds each side of a mean */
#define TS_TOL 4e-13			/* absolute: sum over intervals of the error bounds */
#define TS_MAX_INTERVALS 4000	/* intervals examined (bounds evaluated) */
#define TS_WORK_BUDGET 5e8		/* arm evaluations (nodes and bounds) before halving stops */
#define TS_STACK 1200			/* pending intervals: depth of halving a double range */
#define TS_MIN_SD_EXP (-960)	/* relative sds below 2^-960 are point masses */
#define TS_LOG_FLOOR (-1e6)		/* log bounds below this are taken as this */
#define TS_LN_SQRT_2PI 0.91893853320467274178
#define TS_LN2 0.69314718055994530942
#define TS_LOG_GMAX (-0.26767)	/* log(0.7652) rounded up: G(v) <= 0.7652 exp(v^2 / 2) */
#define TS_NRHO 16
#define TS_TRIM_STEPS 5			/* bisection steps finding the negligible lower end */
#define TS_BOUND_TABLE 161		/* ts_log_mills, ts_softplus: x = j / 4, j = 0..160 */

/* A Bernstein ellipse, by rho. */
typedef struct TsRho
{
	double		fa;				/* (rho + 1/rho) / 2: semi-major axis per unit h */
	double		fb;				/* (rho - 1/rho) / 2: semi-minor axis per unit h */
	double		log_fb;			/* log fb */
	double		two_log_rho;	/* 2 log rho */
	double		log_c;			/* log(64/15 / (rho^2 - 1)) */
} TsRho;

/* The rho grid: rho = 1.2 * 1.3^i, i = 0..15 (30 digits, rounded to 17). */
static const TsRho ts_rho[TS_NRHO] = {
	{1.0166666666666667, 0.18333333333333333, -1.6964492894237301, 0.36464311358790925, 2.271813434327292},	/* 1.2 */
	{1.1005128205128205, 0.45948717948717949, -0.77764423858286202, 0.88937164252289136, 1.0906441190189328},	/* 1.56 */
	{1.2605483234714004, 0.76745167652859961, -0.26467976368070633, 1.4141001714578735, 0.31531537964928608},	/* 2.028 */
	{1.5078525565164618, 1.1285474434835382, 0.12093135758229945, 1.9388287003928556, -0.33266000608121075},	/* 2.6364 */
	{1.8595465819357399, 1.5677734180642601, 0.44965640770098977, 2.4635572293278377, -0.92374932066739213},	/* 3.42732 */
	{2.3399784476428768, 2.1155375523571232, 0.74930894207556495, 2.9882857582628198, -1.4857661195094584},	/* 4.45552 */
	{2.9824088212637514, 2.8097619787362486, 1.0330997746819087, 3.5130142871978019, -2.0319212165832932},	/* 5.79217 */
	{3.8313136517413472, 3.6985083882586528, 1.3079296000596126, 4.037742816132784, -2.5691153064284881},	/* 7.52982 */
	{4.945463273493344, 4.843305378506656, 1.5775974170818686, 4.5624713450677661, -3.1011473879182352},	/* 9.78877 */
	{6.4019911218718031, 6.3234081257281969, 1.8442583232101592, 5.0871998740027482, -3.6301725585140168},	/* 12.7254 */
	{8.3017337402260024, 8.2412852816539976, 2.109156312540895, 5.6119284029377303, -4.1574348123122436},	/* 16.543 */
	{10.776211771365079, 10.729712957078921, 2.3730168048475882, 6.1366569318727124, -4.6836595690864279},	/* 21.5059 */
	{13.99673523282943, 13.96096691414777, 2.6362653581267434, 6.6613854608076945, -5.2092723868330741},	/* 27.9577 */
	{18.186263441181972, 18.158749349888388, 2.8991525024033937, 7.1861139897426766, -5.7345237955772155},	/* 36.345 */
	{23.634840657000959, 23.613675971390509, 3.1618260345050479, 7.7108425186776587, -6.2595615921463608},	/* 47.2485 */
	{30.719676072150781, 30.703395544758127, 3.4243732525407556, 8.2355710476126408, -6.7844730746495596},	/* 61.4231 */
};

typedef struct TsArm
{
	double		mu;				/* mean, u coordinates (t - lo), scaled */
	double		sg;				/* sd, scaled */
	double		isg;			/* 1 / sd */
	double		lsg;			/* log sd */
	double		pdc;			/* 1 / (sqrt(2 pi) sd): phi_j = pdc exp(-z^2 / 2) */
	int			g;				/* multiplicity: identical arms */
	int			first;			/* index of its first input arm, for sorting */
} TsArm;

/* thompson_work_doubles counts 6 doubles per TsArm */
typedef char ts_arm_fits[sizeof(TsArm) <= 6 * sizeof(double) ? 1 : -1];

typedef struct TsInterval
{
	double		a;
	double		b;
	double		log_share;		/* log of its share of the tolerance */
	int			hint;			/* rho grid index to start the walk at, then the best */
	int			n;				/* nodes needed; 0 negligible; -1 not evaluated yet */
	double		log_err;		/* log of its error bound with min(n, 64) nodes */
} TsInterval;

/* and 5 per TsInterval */
typedef char ts_interval_fits[sizeof(TsInterval) <= 5 * sizeof(double) ? 1 : -1];

/* The integration of one call. */
typedef struct TsCtx
{
	int			kk;				/* distinct surviving continuous arms */
	double		log_k;			/* log of their total multiplicity */
	double		tol;			/* TS_TOL, or a test's */
	double		log_tol_per_len;	/* log(tol / (T - lo)) */
	TsArm	   *arm;
	double	   *pdf;			/* per node: phi_j Phi_j^(g_j - 1) prod_{i < j} Phi_i^g_i */
	double	   *pw;				/* per node: Phi_j^g_j */
	double	   *acc;			/* Gauss sums of one interval */
	double	   *tot;			/* sums over the intervals */
	TsInterval *stack;
	long		nodes;
	int			examined;
	int			intervals;
	double		bound;			/* sum of the accepted intervals' error bounds */
	bool		converged;
} TsCtx;

size_t
thompson_work_doubles(int k)
{
	size_t		kz;

	if (k < 1)
		return 0;
	kz = (size_t) k;
	if (kz > (SIZE_MAX / sizeof(double) - 6 * TS_STACK) / 16)
		return 0;
	/* mu, sg, arm-to-distinct map; TsArm (6 doubles); pdf, pw, acc, tot; stack */
	return 3 * kz + 6 * kz + 4 * kz + 5 * (size_t) TS_STACK;
}

/*
 * Upper bounds for the error bound: log R(x) (R = Q / phi, Mills' ratio)
 * and log(1 + exp(-y)) for x, y >= 0.  Both are convex (log R'' =
 * 1 + (x R - 1) / R^2 >= 0 is Birnbaum's R(x) >= 2 / (x + sqrt(x^2 + 4));
 * the second derivative of log(1 + exp(-y)) is 1 / (4 cosh^2(y/2))), so the
 * chord between grid points j / 4 lies above them; the tabulated values are
 * rounded up (plus 1e-12), and both functions decrease, so past the table
 * its last value bounds them.  Within 0.003 of the functions.
 */
/* generated by src/core/gen_tables.py bounds: do not edit */
static const double ts_log_mills[TS_BOUND_TABLE] = {
	0.22579135264572743, 0.037126768394537687, -0.13197322838794587, -0.28425969671398355,
	-0.42208311180359076, -0.54743714400864544, -0.66200586761821707, -0.76720946259460110,
	-0.86424580047635921, -0.95412684794759882, -1.0377097440730178, -1.1157228997395491,
	-1.1887876883046768, -1.2574363581684393, -1.3221267751384202, -1.3832545402835289,
	-1.4411629533216181, -1.4961512161601743, -1.5484812025074059, -1.5983830599417939,
	-1.6460598607830530, -1.6916914768321204, -1.7354378194195878, -1.7774415590147830,
	-1.8178304167690329, -1.8567191028025779, -1.8942109619561658, -1.9303993764241802,
	-1.9653689656054025, -1.9991966161996759, -2.0319523696843285, -2.0637001895374144,
	-2.0944986267088772, -2.1244013986958602, -2.1534578950119965, -2.1817136197394188,
	-2.2092105801264428, -2.2359876287716893, -2.2620807657595575, -2.2875234061366123,
	-2.3123466173067978, -2.3365793302458137, -2.3602485278675707, -2.3833794133990162,
	-2.4059955612180428, -2.4281190522698639, -2.4497705958896735, -2.4709696396150259,
	-2.4917344683631232, -2.5120822941702559, -2.5320293375382105, -2.5515909013015363,
	-2.5707814378168469, -2.5896146101780473, -2.6081033480772192, -2.6262598988579260,
	-2.6440958742442855, -2.6616222931739331, -2.6788496211147996, -2.6957878062034788,
	-2.7124463125060225, -2.7288341506695716, -2.7449599062047034, -2.7608317656132335,
	-2.7764575405540135, -2.7918446902196320, -2.8070003420795312, -2.8219313111296173,
	-2.8366441177747171, -2.8511450044580198, -2.8654399511407450, -2.8795346897255529,
	-2.8934347175085073, -2.9071453097366109, -2.9206715313409395, -2.9340182479091263,
	-2.9471901359552946, -2.9601916925404597, -2.9730272442918267, -2.9857009558652770,
	-2.9982168378915912, -3.0105787544435672, -3.0227904300581274, -3.0348554563447208,
	-3.0467772982087986, -3.0585592997168446, -3.0702046896273476, -3.0817165866101966,
	-3.0930980041752443, -3.1043518553291926, -3.1154809569785077, -3.1264880340947433,
	-3.1373757236574352, -3.1481465783886211, -3.1588030702920123, -3.1693475940089129,
	-3.1797824700021154, -3.1901099475782132, -3.2003322077580384, -3.2104513660042637,
	-3.2204694748145862, -3.2303885261883407, -3.2402104539738620, -3.2499371361034271,
	-3.2595703967221589, -3.2691120082168552, -3.2785636931503177, -3.2879271261064032,
	-3.2972039354506798, -3.3063957050112684, -3.3155039756841601, -3.3245302469670359,
	-3.3334759784253657, -3.3423425910943342, -3.3511314688199291, -3.3598439595423216,
	-3.3684813765244899, -3.3770449995288571, -3.3855360759445550, -3.3939558218677752,
	-3.4023054231375244, -3.4105860363289702, -3.4187987897064416, -3.4269447841380278,
	-3.4350250939736158, -3.4430407678881029, -3.4509928296914238, -3.4588822791069462,
	-3.4667100925197014, -3.4744772236958399, -3.4821846044746272, -3.4898331454342253,
	-3.4974237365324415, -3.5049572477235616, -3.5124345295523310, -3.5198564137260890,
	-3.5272237136660123, -3.5345372250383747, -3.5417977262666850, -3.5490059790255213,
	-3.5561627287168407, -3.5632687049295028, -3.5703246218827123, -3.5773311788540490,
	-3.5842890605927241, -3.5911989377186680, -3.5980614671080286, -3.6048772922656306,
	-3.6116470436849209, -3.6183713391959001, -3.6250507843015183, -3.6316859725029890,
	-3.6382774856144574, -3.6448258940674365, -3.6513317572054086, -3.6577956235689684,
	-3.6642180311718717, -3.6705995077683330, -3.6769405711119045, -3.6832417292062494,
	-3.6895034805481154,
};
static const double ts_softplus[TS_BOUND_TABLE] = {
	0.69314718056094531, 0.57593941987984356, 0.47407698418110668, 0.38687100611589994,
	0.31326168751922283, 0.25192908134637289, 0.20141327798375241, 0.16022415043908723,
	0.12692801104397250, 0.10020655891774721, 0.078889734293549623, 0.061967589004198625,
	0.048587351574742059, 0.038041371688783129, 0.029750418273620565, 0.023245464373425028,
	0.018149927918809740, 0.014163456932504976, 0.011047744849593816, 0.0086144837631755578,
	0.0067153484901180686, 0.0052337981527430318, 0.0040784432715707209, 0.0031777264724099267,
	0.0024756851387304495, 0.0019285932052193808, 0.0015023101607542838, 0.0011701946768545583,
	9.1146645477424469e-4, 7.0992233533930726e-4, 5.5293147636079638e-4, 4.3064979863881982e-4,
	3.3540637389576883e-4, 2.6122443622777902e-4, 2.0344767312944309e-4, 1.5844877244613577e-4,
	1.2340219072325882e-4, 9.6107034632484560e-5, 7.4849029629267164e-5, 5.8292965662989800e-5,
	4.5398900216864647e-5, 3.5356876788710492e-5, 2.7536071228685512e-5, 2.1445179367107799e-5,
	1.6701562318393958e-5, 1.3007214059905050e-5, 1.0130043289579062e-5, 7.8892947066407887e-6,
	6.1441944777328054e-6, 4.7851069434913029e-6, 3.7266472281239903e-6, 2.9023171969266758e-6,
	2.2603278524403897e-6, 1.7603457627484183e-6, 1.3709591466205350e-6, 1.0677044400392619e-6,
	8.3152937338375419e-7, 6.4759600789452854e-7, 5.0434853538464847e-7, 3.9278727740756394e-7,
	3.0590327371372049e-7, 2.3823793837176014e-7, 1.8554011904921441e-7, 1.4449901417108592e-7,
	1.1253616838717682e-7, 8.7643478353834245e-8, 6.8257031433905731e-8, 5.3158851131365622e-8,
	4.1400376330897474e-8, 3.2242866852798338e-8, 2.5110991242183985e-8, 1.9556680896638166e-8,
	1.5230979628736488e-8, 1.1862120081000745e-8, 9.2384496193053570e-9, 7.1951330044476086e-9,
	5.6037964218416036e-9, 4.3644622434238001e-9, 3.3992678137209592e-9, 2.6475736354069410e-9,
	2.0621536203143807e-9, 1.6062280538972331e-9, 1.2511528656053015e-9, 9.7462003082698856e-10,
	7.5925604250371456e-10, 5.9153039972004090e-10, 4.6090553775947513e-10, 3.5917479296417348e-10,
	2.7994680924798682e-10, 2.1824399348430422e-10, 1.7018979224720044e-10, 1.3276514269227364e-10,
	1.0361879631175359e-10, 8.0919598926345748e-11, 6.3241446227140834e-11, 4.9473687061527706e-11,
	3.8751345442078395e-11, 3.0400777392412522e-11, 2.3897348456193385e-11, 1.8832472907987391e-11,
	1.4887943864867583e-11, 1.1815941557227200e-11, 9.4234637544331700e-12, 7.5602001681322606e-12,
	6.1090890280502733e-12, 4.9789625358293240e-12, 4.0988191387170241e-12, 3.4133627718303019e-12,
	2.8795288165373170e-12, 2.4637785141248376e-12, 2.1399918530437056e-12, 1.8878265478455717e-12,
	1.6914400106937813e-12, 1.5384940217752586e-12, 1.4193795658378665e-12, 1.3266131342786914e-12,
	1.2543665647376599e-12, 1.1981008798048783e-12, 1.1542811203191769e-12, 1.1201542573177106e-12,
	1.0935762296883974e-12, 1.0728772409581943e-12, 1.0567568523263256e-12, 1.0442022810364108e-12,
	1.0344247710846992e-12, 1.0268100386778177e-12, 1.0208796791164591e-12, 1.0162611104461781e-12,
	1.0126641655490941e-12, 1.0098628620465804e-12, 1.0076812046852021e-12, 1.0059821282237671e-12,
	1.0046588861451034e-12, 1.0036283441780470e-12, 1.0028257572871156e-12, 1.0022007019879754e-12,
	1.0017139084315420e-12, 1.0013347932285976e-12, 1.0010395380116702e-12, 1.0008095930175213e-12,
	1.0006305116760147e-12, 1.0004910429870159e-12, 1.0003824246628097e-12, 1.0002978326268620e-12,
	1.0002319522830244e-12, 1.0001806446196546e-12, 1.0001406861712446e-12, 1.0001095665003326e-12,
	1.0000853304762574e-12, 1.0000664554417292e-12, 1.0000517555500580e-12, 1.0000403072629135e-12,
	1.0000313913279205e-12, 1.0000244475907661e-12, 1.0000190398028329e-12, 1.0000148282133558e-12,
	1.0000115482241730e-12, 1.0000089937660290e-12, 1.0000070043520262e-12, 1.0000054549948429e-12,
	1.0000042483542553e-12,
};

static inline double
ts_chord(const double *tab, double x)
{
	double		f;
	int			j;

	if (!(x < (TS_BOUND_TABLE - 1) / 4.0))
		return tab[TS_BOUND_TABLE - 1];
	f = 4.0 * x;
	j = (int) f;
	f -= j;
	return tab[j] + (tab[j + 1] - tab[j]) * f;
}

/* upper bound of log(exp(p) + exp(q)) */
static inline double
ts_logaddexp_ub(double p, double q)
{
	return p >= q ? p + ts_chord(ts_softplus, p - q) : q + ts_chord(ts_softplus, q - p);
}

/*
 * log of a bound on sum_a sup |f_a| over the rectangle [c - h fa, c + h fa]
 * x [-h fb, h fb] holding rho's ellipse (r NULL: the real segment [a, b]);
 * lh = log h.  See the header comment.
 */
static double
ts_log_bound(const TsCtx *c, double a, double b, double lh, const TsRho *rr)
{
	double		fa = rr ? rr->fa : 1.0,
				fb = rr ? rr->fb : 0.0;
	const TsArm *arm = c->arm;
	int			kk = c->kk;
	double		h = 0.5 * (b - a);
	double		ctr = a + h;
	double		x1 = ctr - h * fa,
				x2 = ctr + h * fa,
				B = h * fb;
	double		logB = rr ? lh + rr->log_fb : 0.0;
	double		sum = 0.0,
				best = TS_LOG_FLOOR;
	int			j;

	for (j = 0; j < kk; j++)
	{
		const TsArm *r = &arm[j];
		double		al = (x1 - r->mu) * r->isg,
					be = (x2 - r->mu) * r->isg,
					d = al > 0.0 ? al : (be < 0.0 ? -be : 0.0),
					hd = -0.5 * d * d - TS_LN_SQRT_2PI,
					lphi = hd - r->lsg,
					lA,
					lP;

		/* log Phi(be) <= lA */
		lA = be >= 0.0 ? 0.0 : hd + ts_chord(ts_log_mills, -be);
		if (B > 0.0)
		{
			/* lX = log(phi(d) G(w)), w = B / s: |Phi| <= exp(lA) + exp(lX) */
			double		w = B * r->isg,
						hw = 0.5 * w * w,
						lw = logB - r->lsg,
						lX = hd + hw + (lw < TS_LOG_GMAX ? lw : TS_LOG_GMAX);

			lphi += hw;
			if (lX < lA - 36.0)
				lP = lA + 2.4e-16;	/* log(1 + e^-36) < 2.4e-16 */
			else
				lP = ts_logaddexp_ub(lA > TS_LOG_FLOOR ? lA : TS_LOG_FLOOR,
									 lX > TS_LOG_FLOOR ? lX : TS_LOG_FLOOR);
		}
		else
			lP = lA;
		if (!(lP > TS_LOG_FLOOR))
			lP = TS_LOG_FLOOR;
		if (!(lphi > TS_LOG_FLOOR))
			lphi = TS_LOG_FLOOR;
		sum += r->g * lP;
		if (lphi - lP > best)
			best = lphi - lP;
	}
	/* sum_a sup |f_a| <= k max_j sup |f_j| */
	return best + c->log_k + sum;
}

/*
 * The smallest node count meeting tol on [a, b] over the rho grid, by a
 * walk up the grid from *hint while the count falls (a half interval's best
 * rho is larger than its parent's: the ellipse keeps about the same height);
 * *hint gets the best index and *log_err the log of the bound at that count
 * (for counts above the largest rule, the bound at the largest).
 */
static int
ts_best_rule(TsCtx *c, double a, double b, double lh, double ltol, int *hint, double *log_err)
{
	int			j,
				best_i = -1,
				best_n = INT32_MAX;
	double		best_lm = 0.0;

	for (j = *hint; j < TS_NRHO; j++)
	{
		const TsRho *r = &ts_rho[j];
		double		lm = lh + r->log_c + ts_log_bound(c, a, b, lh, r),
					need = (lm - ltol) / r->two_log_rho;
		int			n;

		/* n - 1 >= need, with a hair of margin against rounding */
		need += 1e-9;
		n = need < 1.0 ? 2 : (need > 1e6 ? 1000001 : 1 + (int) ceil(need));
		if (!(n < best_n || (n == best_n && lm - (n - 1) * r->two_log_rho <
							 best_lm - (best_n - 1) * ts_rho[best_i].two_log_rho)))
			break;
		best_n = n;
		best_i = j;
		best_lm = lm;
	}
	*hint = best_i;
	*log_err = best_lm - ((best_n < GAUSS_LEGENDRE_MAX ? best_n : GAUSS_LEGENDRE_MAX) - 1) *
		ts_rho[best_i].two_log_rho;
	return best_n;
}

/*
 * Phi_j^g_j and phi_j Phi_j^(g_j - 1) for one arm at z = (u - m_j) / s_j,
 * x = |z|, from e = exp(max(-z^2 / 2, -700)) and, when x < 8.5,
 * q = e R(x) = Q(x).
 */
static inline void
ts_arm_finish(const TsArm *a, double z, double x, double e, double q,
			  double *Pg, double *dg)
{
	double		P,
				d;

	if (x < NORMAL_MILLS_XMAX)
	{
		P = z < 0.0 ? q : 1.0 - q;
		d = a->pdc * e;
	}
	else
	{
		/* phi underflows from 37.4 on, Phi from -38.5 down */
		d = x < 37.4 ? a->pdc * e : 0.0;
		if (z > 0.0)
			P = 1.0;			/* Q(8.5) < 2^-54 */
		else
			P = z < -38.5 ? 0.0 : normal_cdf(z);	/* the far lower tail: erfc (rare) */
	}
	if (a->g != 1)
	{
		/* Phi^(g - 1) into the density's factor, Phi^g into pw */
		double		p = 1.0,
					y = P;
		int			k = a->g - 1;

		while (k > 0)
		{
			if (k & 1)
				p *= y;
			y *= y;
			k >>= 1;
		}
		d *= p;
		P *= p;
	}
	*Pg = P;
	*dg = d;
}

/*
 * The integrands f_j(u) times w added to acc: phi_j Phi_j^(g_j - 1) times
 * prefix and suffix products of the Phi_i^g_i (no division by a Phi that
 * may have underflowed).
 */
static void
ts_node(TsCtx *c, double u, double w)
{
	const TsArm *arm = c->arm;
	int			kk = c->kk;
	int			j;
	double		pre = 1.0,
				s = w;
	double	   *pdf = c->pdf,
			   *pw = c->pw,
			   *acc = c->acc;

	c->nodes++;
	for (j = 0; j < kk; j++)
	{
		double		z = (u - arm[j].mu) * arm[j].isg,
					x = fabs(z),
					xe = -0.5 * z * z,
					e = normal_exp_neg(xe > -700.0 ? xe : -700.0),
					q = x < NORMAL_MILLS_XMAX ? e * normal_mills_ratio(x) : 0.0,
					P,
					d;

		ts_arm_finish(&arm[j], z, x, e, q, &P, &d);
		/* f_j = d prod_{i < j} pw_i prod_{i > j} pw_i: the prefix now, the suffix below */
		pdf[j] = d * pre;
		pw[j] = P;
		pre *= P;
	}
	for (j = kk - 1; j >= 0; j--)
	{
		acc[j] += pdf[j] * s;
		s *= pw[j];
	}
}

/* The n-node Gauss rule on [a, b] for every component, added to tot. */
static void
ts_integrate(TsCtx *c, double a, double b, int n)
{
	const double (*rule)[2] = gauss_legendre_rule(n);
	double		h = 0.5 * (b - a),
				ctr = a + h;
	int			i,
				j;

	for (j = 0; j < c->kk; j++)
		c->acc[j] = 0.0;
	for (i = 0; i < (n + 1) / 2; i++)
	{
		double		dx = h * rule[i][0];

		if (rule[i][0] == 0.0)
			ts_node(c, ctr, rule[i][1]);
		else
		{
			ts_node(c, ctr - dx, rule[i][1]);
			ts_node(c, ctr + dx, rule[i][1]);
		}
	}
	for (j = 0; j < c->kk; j++)
		c->tot[j] += h * c->acc[j];
}

/*
 * Interval iv's node count and error bound for its share of the tolerance, or
 * (when maybe_negligible) n = 0 when it is negligible on the real line:
 * (b - a) sup sum_a f_a <= its share.
 */
static void
ts_evaluate(TsCtx *c, TsInterval *iv, bool maybe_negligible)
{
	double		llen = log(iv->b - iv->a);

	c->examined++;
	if (maybe_negligible)
	{
		iv->log_err = llen + ts_log_bound(c, iv->a, iv->b, 0.0, NULL);
		if (iv->log_err <= iv->log_share)
		{
			iv->n = 0;
			return;
		}
	}
	iv->n = ts_best_rule(c, iv->a, iv->b, llen - TS_LN2, iv->log_share, &iv->hint, &iv->log_err);
}

/*
 * Interval iv (needing more than 64 nodes) in pieces onto the stack at top,
 * returning how many: its narrowest arm's core [m - 8.5 s, m + 8.5 s] cut
 * out when that is under an eighth of it (so a narrow arm inside a wide
 * interval is isolated at once, not by halving down to it: sds may span
 * hundreds of decades), the core taking half of iv's share of the
 * tolerance and the pieces beside it a quarter each; otherwise its halves,
 * half the share each.  The pieces are evaluated when they are popped.
 */
static int
ts_split(TsCtx *c, const TsInterval *iv, TsInterval *st)
{
	double		len = iv->b - iv->a,
				best = INFINITY,
				c1 = 0.0,
				c2 = 0.0;
	int			j,
				n = 0;

	for (j = 0; j < c->kk; j++)
	{
		const TsArm *r = &c->arm[j];
		double		lo = r->mu - TS_TAIL * r->sg,
					hi = r->mu + TS_TAIL * r->sg;

		if (r->sg < best && 2.0 * TS_TAIL * r->sg <= 0.125 * len && hi > iv->a && lo < iv->b)
		{
			best = r->sg;
			c1 = lo;
			c2 = hi;
		}
	}
	if (best < INFINITY && (c1 > iv->a || c2 < iv->b))
	{
		double		lq = iv->log_share - 2.0 * TS_LN2;

		if (c2 < iv->b)
		{
			st[n].a = c2;
			st[n].b = iv->b;
			st[n++].log_share = lq;
		}
		st[n].a = c1 > iv->a ? c1 : iv->a;
		st[n].b = c2 < iv->b ? c2 : iv->b;
		st[n++].log_share = lq + TS_LN2;
		if (c1 > iv->a)
		{
			st[n].a = iv->a;
			st[n].b = c1;
			st[n++].log_share = lq;
		}
	}
	else
	{
		double		mid = iv->a + 0.5 * len;

		st[0].a = mid;
		st[0].b = iv->b;
		st[1].a = iv->a;
		st[1].b = mid;
		st[0].log_share = st[1].log_share = iv->log_share - TS_LN2;
		n = 2;
	}
	for (j = 0; j < n; j++)
	{
		st[j].hint = iv->hint;
		st[j].n = -1;
	}
	return n;
}

/*
 * Partition [0, H] and integrate: the negligible lower end trimmed, then
 * depth-first splitting (ts_split) of every interval needing more nodes than
 * the largest rule, until every interval meets its share of the tolerance
 * or is negligible.  (Halving an interval that a smaller count would do too
 * was tried: the halves seldom need fewer nodes together, and evaluating
 * their bounds cost more than it saved.)
 */
static void
ts_quadrature(TsCtx *c, double H)
{
	TsInterval *st = c->stack;
	int			top;
	int			j;

	for (j = 0; j < c->kk; j++)
		c->tot[j] = 0.0;
	c->log_tol_per_len = log(c->tol / H);
	/*
	 * Where the product of the Phi's vanishes the integrands are negligible:
	 * [0, x0] with (x0 - 0) sup sum_a f_a <= tol x0 / H is skipped, x0
	 * found by TS_TRIM_STEPS bisection steps.
	 */
	{
		double		x0 = 0.0,
					x1 = H;
		int			i;

		for (i = 0; i < TS_TRIM_STEPS; i++)
		{
			double		x = x0 + 0.5 * (x1 - x0);

			c->examined++;
			if (ts_log_bound(c, 0.0, x, 0.0, NULL) <= c->log_tol_per_len)
				x0 = x;
			else
				x1 = x;
		}
		if (x0 > 0.0)
			c->bound += c->tol * (x0 / H);
		st[0].a = x0;
	}
	st[0].b = H;
	st[0].log_share = log(c->tol * ((H - st[0].a) / H));
	st[0].hint = 1;
	ts_evaluate(c, &st[0], false);	/* past the trimmed end: not negligible */
	top = 1;
	while (top > 0)
	{
		TsInterval	iv = st[--top];
		double		mid = iv.a + 0.5 * (iv.b - iv.a);

		AB_CHECK_INTERRUPTS();
		if (iv.n < 0)
			ts_evaluate(c, &iv, true);
		if (iv.n == 0)
		{
			c->bound += exp(iv.log_err);
			continue;
		}

		/*
		 * Splitting stops at TS_MAX_INTERVALS intervals examined, or when the
		 * work done and committed (nodes, and about 4 bound evaluations per
		 * examined interval, each O(k)) reaches TS_WORK_BUDGET.
		 */
		if (iv.n > GAUSS_LEGENDRE_MAX && mid > iv.a && mid < iv.b && top + 3 <= TS_STACK &&
			c->examined + top + 3 <= TS_MAX_INTERVALS &&
			c->kk * (c->nodes + 4.0 * (c->examined + top + 3)) < TS_WORK_BUDGET)
		{
			top += ts_split(c, &iv, st + top);
			continue;
		}
		if (iv.n > GAUSS_LEGENDRE_MAX)
			iv.n = GAUSS_LEGENDRE_MAX;	/* its bound is then above its share */
		c->bound += exp(iv.log_err);
		c->intervals++;
		ts_integrate(c, iv.a, iv.b, iv.n);
	}
	/* the shares sum to tol: over it only where a cap stopped the splitting */
	c->converged = c->bound <= c->tol * (1.0 + 1e-9);
}

bool
thompson_probabilities(const double *mean, const double *sd, int k,
					   double *prob, AbError *err)
{
	size_t		nw = thompson_work_doubles(k);
	double	   *work;
	bool		ok;

	if (k < 1)
		return ab_fail(err, AB_ERR_VALUE,
					   "thompson: number of arms must be at least 1, got %d", k);
	if (nw == 0 || (work = malloc(nw * sizeof(double))) == NULL)
		return ab_fail(err, AB_ERR_LIMIT,
					   "thompson: cannot allocate work space for %d arms", k);
	ok = thompson_probabilities_work(mean, sd, k, prob, work, NULL, err);
	free(work);
	return ok;
}

/*
 * The work space of one call: the caller's doubles carved into typed arrays
 * (thompson_work_doubles gives the size), and what each phase hands on.
 */
typedef struct TsWork
{
	/* the call */
	const double *mean;			/* inputs, unscaled */
	const double *sd;
	double	   *prob;			/* k results */
	int			k;
	int			scale_exp;		/* arms scaled by 2^-scale_exp */

	/* arms, scaled: sg > 0 a continuous arm, 0 a point mass */
	double	   *mu;
	double	   *sg;
	int		   *dist;			/* input arm -> its distinct survivor, or -1 */
	int			ncont;			/* continuous arms */
	double		point_max;		/* largest point mass, unscaled; -inf if none */
	int			nties;			/* point arms at point_max */
	double		lo;				/* lower end of the range, scaled t */

	/* distinct surviving continuous arms, in u = t - lo */
	TsCtx		ctx;
} TsWork;

/* Validate the arguments; *maxval = the largest |mean| or sd. */
static bool
ts_check_inputs(const double *mean, const double *sd, int k, const double *prob,
				const double *work, double *maxval, AbError *err)
{
	int			a;

	*maxval = 0.0;
	if (k < 1)
		return ab_fail(err, AB_ERR_VALUE,
					   "thompson: number of arms must be at least 1, got %d", k);
	if (mean == NULL || sd == NULL || prob == NULL || work == NULL)
		return ab_fail(err, AB_ERR_VALUE, "thompson: NULL array argument");
	for (a = 0; a < k; a++)
	{
		if (!isfinite(mean[a]))
			return ab_fail(err, AB_ERR_VALUE,
						   "thompson: mean of arm %d must be finite, got %g", a, mean[a]);
		if (!(sd[a] >= 0.0) || !isfinite(sd[a]))
			return ab_fail(err, AB_ERR_VALUE,
						   "thompson: standard deviation of arm %d must be finite and non-negative, got %g",
						   a, sd[a]);
		*maxval = fmax(*maxval, fmax(fabs(mean[a]), sd[a]));
	}
	return true;
}

/* Lay the typed arrays over work, as thompson_work_doubles counts them. */
static void
ts_carve(TsWork *w, const double *mean, const double *sd, int k,
		 double *prob, double *work)
{
	size_t		kz = (size_t) k;
	TsCtx	   *c = &w->ctx;

	w->mean = mean;
	w->sd = sd;
	w->prob = prob;
	w->k = k;
	w->mu = work;
	w->sg = w->mu + kz;
	w->dist = (int *) (w->sg + kz);	/* k doubles hold k ints */
	c->arm = (TsArm *) (w->sg + 2 * kz);	/* 6 doubles hold a TsArm */
	c->pdf = w->sg + 8 * kz;
	c->pw = c->pdf + kz;
	c->acc = c->pw + kz;
	c->tot = c->acc + kz;
	c->stack = (TsInterval *) (c->tot + kz);	/* 5 doubles hold a TsInterval */
	c->kk = 0;
	c->nodes = 0;
	c->examined = 0;
	c->intervals = 0;
	c->bound = 0.0;
	c->converged = true;
}

/*
 * Scale by a power of two so that the largest |mean| or sd is in [1/2, 1),
 * and classify: a continuous arm (sg > 0) widens lo to its lower tail; a
 * point mass (sg = 0) is tracked on the unscaled means, whose order and
 * ties scaling cannot change.  Every prob starts at 0.
 */
static void
ts_classify(TsWork *w, double maxval)
{
	int			a;
	double		scale;
	const double min_sd = ldexp(1.0, TS_MIN_SD_EXP);

	if (maxval > 0.0)
		(void) frexp(maxval, &w->scale_exp);
	else
		w->scale_exp = 0;
	/* 2^-scale_exp when it is a double (a multiplication by it is exact, as ldexp) */
	scale = w->scale_exp >= -1023 && w->scale_exp <= 1022 ? ldexp(1.0, -w->scale_exp) : 0.0;
	w->ncont = 0;
	w->nties = 0;
	w->point_max = -INFINITY;
	w->lo = -INFINITY;
	for (a = 0; a < w->k; a++)
	{
		double		m = scale > 0.0 ? w->mean[a] * scale : ldexp(w->mean[a], -w->scale_exp);
		double		s = scale > 0.0 ? w->sd[a] * scale : ldexp(w->sd[a], -w->scale_exp);

		w->prob[a] = 0.0;
		w->dist[a] = -1;
		w->mu[a] = m;
		if (s >= min_sd && m + TS_TAIL * s > m - TS_TAIL * s)
		{
			w->sg[a] = s;
			w->ncont++;
			w->lo = fmax(w->lo, m - TS_TAIL * s);
		}
		else
		{
			w->sg[a] = 0.0;
			if (w->mean[a] > w->point_max)
			{
				w->point_max = w->mean[a];
				w->nties = 1;
			}
			else if (w->mean[a] == w->point_max)
				w->nties++;
		}
	}
}

/* Only point masses: the arms at the largest mean share 1 evenly. */
static void
ts_point_masses_only(TsWork *w)
{
	int			a;

	for (a = 0; a < w->k; a++)
		w->prob[a] = w->mean[a] == w->point_max ? 1.0 / w->nties : 0.0;
}

/*
 * The top point masses win when every continuous draw is below them; the
 * continuous arms then only matter above, so lo rises to the top mass.
 */
static void
ts_point_mass_winners(TsWork *w)
{
	double		M = ldexp(w->point_max, -w->scale_exp);
	double		p = 1.0;
	int			a;

	for (a = 0; a < w->k; a++)
		if (w->sg[a] > 0.0)
			p *= normal_cdf((M - w->mu[a]) / w->sg[a]);
	for (a = 0; a < w->k; a++)
		if (w->sg[a] == 0.0 && w->mean[a] == w->point_max)
			w->prob[a] = p / w->nties;
	w->lo = fmax(w->lo, M);
}

/* Order of distinct arms: by mean, then sd (then first input arm). */
static int
ts_arm_cmp(const void *x, const void *y)
{
	const TsArm *p = x;
	const TsArm *q = y;

	if (p->mu != q->mu)
		return p->mu < q->mu ? -1 : 1;
	if (p->sg != q->sg)
		return p->sg < q->sg ? -1 : 1;
	return (p->first > q->first) - (p->first < q->first);
}

/*
 * The continuous arms whose upper tail reaches above lo, in u = t - lo,
 * sorted and merged into distinct arms with multiplicities; dist maps each
 * input arm to its distinct arm (or -1).
 */
static void
ts_keep_survivors(TsWork *w)
{
	TsCtx	   *c = &w->ctx;
	int			a,
				n = 0,
				i,
				j;
	long		total = 0;

	for (a = 0; a < w->k; a++)
		if (w->sg[a] > 0.0 && w->mu[a] + TS_TAIL * w->sg[a] > w->lo)
		{
			c->arm[n].mu = w->mu[a] - w->lo;
			c->arm[n].sg = w->sg[a];
			c->arm[n].first = a;
			c->arm[n].g = 1;
			n++;
		}
	if (n > 32)
		qsort(c->arm, n, sizeof(TsArm), ts_arm_cmp);
	else
		for (i = 1; i < n; i++)
		{
			TsArm		x = c->arm[i];

			for (j = i; j > 0 && ts_arm_cmp(&c->arm[j - 1], &x) > 0; j--)
				c->arm[j] = c->arm[j - 1];
			c->arm[j] = x;
		}
	/* merge equal (mu, sg); dist holds the survivors' distinct index */
	c->kk = 0;
	for (i = 0; i < n; i++)
	{
		if (c->kk > 0 && c->arm[c->kk - 1].mu == c->arm[i].mu &&
			c->arm[c->kk - 1].sg == c->arm[i].sg)
			c->arm[c->kk - 1].g++;
		else
			c->arm[c->kk++] = c->arm[i];
		w->dist[c->arm[i].first] = c->kk - 1;
	}
	for (j = 0; j < c->kk; j++)
	{
		c->arm[j].isg = 1.0 / c->arm[j].sg;
		c->arm[j].lsg = log(c->arm[j].sg);
		c->arm[j].pdc = NORMAL_INV_SQRT_2PI * c->arm[j].isg;
		total += c->arm[j].g;
	}
	c->log_k = log((double) total);
}

/*
 * 1 - Phi(z)^g, accurately: -expm1(g log1p(-Q(z))) with Q(z) from erfc.
 */
static double
ts_one_minus_pow_cdf(double z, int g)
{
	double		q = 0.5 * erfc(z * NORMAL_INV_SQRT_2);

	return -expm1((double) g * log1p(-q));
}

/*
 * The distinct arm j* with the highest upper tail takes, for each of its g
 * copies, (1 - Phi_j*(T)^g) / g above T, the second highest upper tail;
 * returns T (0: the whole range is j*'s alone).  With point masses at lo,
 * T = 0 leaves j*'s copies (1 - Phi_j*(lo)^g) / g: P(beating the mass).
 */
static double
ts_top_tail(TsWork *w, int *top)
{
	TsCtx	   *c = &w->ctx;
	int			j,
				js = 0;
	double		T = 0.0;

	for (j = 1; j < c->kk; j++)
		if (c->arm[j].mu + TS_TAIL * c->arm[j].sg >= c->arm[js].mu + TS_TAIL * c->arm[js].sg)
			js = j;
	for (j = 0; j < c->kk; j++)
		if (j != js)
			T = fmax(T, c->arm[j].mu + TS_TAIL * c->arm[j].sg);
	c->tot[js] = 0.0;
	if (T > 0.0 || w->nties > 0)
		c->tot[js] = ts_one_minus_pow_cdf((T - c->arm[js].mu) / c->arm[js].sg, c->arm[js].g) /
			c->arm[js].g;
	else
		c->tot[js] = 1.0 / c->arm[js].g;	/* alone, nothing below lo */
	*top = js;
	return T;
}

/* Divide by the sum, removing the integration and truncation error. */
static bool
ts_renormalise(TsWork *w, AbError *err)
{
	double		sum = 0.0;
	int			a;

	for (a = 0; a < w->k; a++)
		sum += w->prob[a];
	if (!(sum > 0.5 && sum < 1.5))
		return ab_fail(err, AB_ERR_OUT_OF_RANGE,
					   "thompson: numerical integration failed (total probability %g)", sum);
	for (a = 0; a < w->k; a++)
		w->prob[a] /= sum;
	return true;
}

static void
ts_stats_reset(ThompsonStats *stats)
{
	if (stats)
	{
		stats->arms_integrated = 0;
		stats->intervals = 0;
		stats->examined = 0;
		stats->nodes = 0;
		stats->error_bound = 0.0;
		stats->converged = true;
	}
}

/*
 * The phases in order: check, carve the work space, classify the arms,
 * settle the point masses, the range and the distinct arms to integrate,
 * the top arm's tail in closed form, integrate the rest, renormalise.
 */
bool
thompson_probabilities_work(const double *mean, const double *sd, int k,
							double *prob, double *work,
							ThompsonStats *stats, AbError *err)
{
	return thompson_probabilities_tol(mean, sd, k, prob, work, TS_TOL, stats, err);
}

bool
thompson_probabilities_tol(const double *mean, const double *sd, int k,
						   double *prob, double *work, double tol,
						   ThompsonStats *stats, AbError *err)
{
	TsWork		w;
	TsCtx	   *c = &w.ctx;
	double		maxval,
				T;
	int			a,
				top,
				j;

	ts_stats_reset(stats);
	if (!ts_check_inputs(mean, sd, k, prob, work, &maxval, err))
		return false;
	if (!(tol > 0.0 && tol < 1.0))
		return ab_fail(err, AB_ERR_VALUE, "thompson: tolerance must be in (0, 1), got %g", tol);
	ts_carve(&w, mean, sd, k, prob, work);
	w.ctx.tol = tol;
	ts_classify(&w, maxval);
	if (w.ncont == 0)
	{
		ts_point_masses_only(&w);
		return true;
	}
	if (w.nties > 0)
		ts_point_mass_winners(&w);
	ts_keep_survivors(&w);
	if (stats)
		stats->arms_integrated = c->kk;
	if (c->kk > 0)
	{
		double		tail;

		T = ts_top_tail(&w, &top);
		tail = c->tot[top];
		if (T > 0.0 && c->kk > 1)
			ts_quadrature(c, T);
		else
			for (j = 0; j < c->kk; j++)
				c->tot[j] = 0.0;
		c->tot[top] += tail;
		for (a = 0; a < k; a++)
			if (w.dist[a] >= 0)
				prob[a] = c->tot[w.dist[a]];
		if (stats)
		{
			stats->intervals = c->intervals;
			stats->examined = c->examined;
			stats->nodes = c->nodes;
			stats->error_bound = c->bound;
			stats->converged = c->converged;
		}
	}
	return ts_renormalise(&w, err);
}
