/* arm.cl - planar arm, device side of the "arm" direct task (definitions:
 * tasks/arm.c).  Angles in units of pi: theta_i / pi is the running sum of
 * x, fed to cospi/sinpi; every sum is Neumaier-compensated in float.
 * TASK_N_BD is 2: bd = ((p_x + 1)/2, (p_y + 1)/2) clamped to [0, 1]. */
#define ARM_PI2 9.869604401089358f /* pi^2 */

typedef struct arm_acc { float s, c; } arm_acc; /* sum = s + c */

static inline void arm_add(arm_acc *a, float v)
{
	float t = a->s + v;

	a->c += fabs(a->s) >= fabs(v) ? (a->s - t) + v : (v - t) + a->s;
	a->s = t;
}

static inline float arm_sum(arm_acc a) { return a.s + a.c; }

float task_direct(const __global float *x, uint n, float *bd)
{
	arm_acc th = { 0.0f, 0.0f }, px = { 0.0f, 0.0f }, py = { 0.0f, 0.0f };
	arm_acc ss = { 0.0f, 0.0f };
	float mean;

	for (uint i = 0; i < n; i++) {
		float t, c, s;

		arm_add(&th, x[i]);
		t = arm_sum(th);
		c = cospi(t);
		s = sinpi(t);
		arm_add(&px, c);
		arm_add(&py, s);
	}
	/* theta_{n-1}/pi = sum x: the mean of x */
	mean = arm_sum(th) / (float)n;
	for (uint i = 0; i < n; i++) {
		float d = x[i] - mean;

		arm_add(&ss, d * d);
	}
	bd[0] = clamp((arm_sum(px) / (float)n + 1.0f) * 0.5f, 0.0f, 1.0f);
	bd[1] = clamp((arm_sum(py) / (float)n + 1.0f) * 0.5f, 0.0f, 1.0f);
	return -ARM_PI2 * (arm_sum(ss) / (float)n);
}
