/* test_convnet - ConvNet policy (policies/convnet.c): parameter counts
 * (EvoJAX's 11,274 on 28x28 MNIST), hand-computed forward passes that a
 * flipped kernel, a wrong SAME offset or a ceil-mode pool would fail, and
 * shape errors. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "policies/convnet.h"

static convnet_cfg make_cfg(int n, const int *ch, int k)
{
	convnet_cfg c = { 0 };

	c.channels.n = n;
	for (int i = 0; i < n; i++)
		c.channels.v[i] = ch[i];
	c.kernel = k;
	return c;
}

static void test_param_count_mnist(void **state)
{
	const int ch[] = { 8, 16 };
	convnet_cfg c = make_cfg(2, ch, 5);
	convnet_shape sh;
	ej_err err = { 0 };

	(void)state;
	assert_int_equal(8 + 5 * 5 * 1 * 8 + 16 + 5 * 5 * 8 * 16 + 10 +
				 784 * 10,
			 11274);
	assert_int_equal(convnet_ops.param_count(&c, 784, 10), 11274);
	assert_int_equal(convnet_shape_of(&c, 28, 28, 1, 10, &sh, &err), 0);
	assert_int_equal(sh.off[0], 0);
	assert_int_equal(sh.off[1], 8 + 200);
	assert_int_equal(sh.off[2], 208 + 16 + 3200);
	assert_int_equal(sh.dense_in, 7 * 7 * 16);
	assert_int_equal(sh.h[2], 7);
	assert_string_equal(convnet_ops.name, "convnet");
	assert_string_equal(convnet_ops.cl_file, "policies/convnet.cl");
	/* non-square obs_dim: no count */
	assert_int_equal(convnet_ops.param_count(&c, 783, 10), 0);
}

/* 4x4 image lit at (1, 1), kernel 3x3 K[dy][dx] = 3dy + dx + 1, bias 0:
 * conv map rows 9 8 7 0 / 6 5 4 0 / 3 2 1 0 / 0 0 0 0 (cross-correlation,
 * pad 1), pooled [9, 7, 3, 1]; dense columns [1, 10, 100, 1000] and
 * [0, 0, 0, -1], biases [0.5, 2]: logits [1379.5, 1]. */
static void test_tiny_hand_computed(void **state)
{
	const int ch[] = { 1 };
	convnet_cfg c = make_cfg(1, ch, 3);
	float w[20] = { 0 }, z[2];
	unsigned char img[16] = { 0 };

	(void)state;
	assert_int_equal(convnet_ops.param_count(&c, 16, 2), 20);
	for (int i = 0; i < 9; i++)
		w[1 + i] = (float)(i + 1);
	w[10] = 0.5f;
	w[11] = 2.0f;
	const float dense[8] = { 1, 0, 10, 0, 100, 0, 1000, -1 };
	memcpy(w + 12, dense, sizeof(dense));
	img[1 * 4 + 1] = 255;
	assert_int_equal(convnet_ref_logits(&c, 4, 4, 2, w, img, z), 0);
	assert_float_equal(z[0], 1379.5f, 0.0f);
	assert_float_equal(z[1], 1.0f, 0.0f);
	/* a negative bias is cut by relu before the pool: bias -8 leaves
	 * [1, 0, 0, 0] (the 0-valued cells stay 0, not -8) */
	w[0] = -8.0f;
	assert_int_equal(convnet_ref_logits(&c, 4, 4, 2, w, img, z), 0);
	assert_float_equal(z[0], 1.5f, 0.0f);
	assert_float_equal(z[1], 2.0f, 0.0f);
}

/* Even kernel 2: SAME pads 0 before, 1 after.  Lit (1, 1), K = [[1, 2],
 * [3, 4]]: the map is 4 3 / 2 1 in the top-left quadrant only, pooled
 * [4, 0, 0, 0] (pad 1 before would give [4, 3, 2, 1]). */
static void test_even_kernel_same(void **state)
{
	const int ch[] = { 1 };
	convnet_cfg c = make_cfg(1, ch, 2);
	float w[1 + 4 + 1 + 4] = { 0 }, z[1];
	unsigned char img[16] = { 0 };

	(void)state;
	assert_int_equal(convnet_ops.param_count(&c, 16, 1), 10);
	w[1] = 1;
	w[2] = 2;
	w[3] = 3;
	w[4] = 4;
	w[6] = 1;
	w[7] = 10;
	w[8] = 100;
	w[9] = 1000;
	img[5] = 255;
	assert_int_equal(convnet_ref_logits(&c, 4, 4, 1, w, img, z), 0);
	assert_float_equal(z[0], 4.0f, 0.0f);
}

/* 5x5 image, kernel 3 of ones: the 2x2 VALID pool gives 2x2 (floor),
 * dropping row and column 4.  Lit (4, 4) reaches (3, 3) in pool cell
 * (1, 1); lit (4, 0) reaches (3, 0), (3, 1) in cell (1, 0). */
static void test_odd_size_pool_floor(void **state)
{
	const int ch[] = { 1 };
	convnet_cfg c = make_cfg(1, ch, 3);
	float w[20] = { 0 }, z[1];
	unsigned char img[25] = { 0 };

	(void)state;
	assert_int_equal(convnet_ops.param_count(&c, 25, 1), 1 + 9 + 1 + 4);
	for (int i = 0; i < 9; i++)
		w[1 + i] = 1.0f;
	w[11] = 1;
	w[12] = 10;
	w[13] = 100;
	w[14] = 1000;
	img[24] = 255;
	img[20] = 255;
	assert_int_equal(convnet_ref_logits(&c, 5, 5, 1, w, img, z), 0);
	assert_float_equal(z[0], 1100.0f, 0.0f);
}

static void test_shape_errors(void **state)
{
	const int ch[] = { 8, 16 };
	convnet_cfg c = make_cfg(2, ch, 5);
	convnet_shape sh;
	ej_err err = { 0 };
	float z[10];
	unsigned char img[9] = { 0 };

	(void)state;
	assert_int_equal(convnet_shape_of(&c, 3, 3, 1, 10, &sh, &err), -1);
	assert_int_equal(err.code, EJ_EXIT_USAGE);
	assert_string_equal(err.msg, "conv block 1 gets a 1x1 map: too small "
				     "for a 2x2 max-pool");
	assert_int_equal(convnet_ref_logits(&c, 3, 3, 10, NULL, img, z), -1);
	c.channels.n = 5;
	assert_int_equal(convnet_shape_of(&c, 28, 28, 1, 10, &sh, &err), -1);
	assert_string_equal(err.msg,
			    "'channels' must list 1 to 4 conv blocks, got 5");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_param_count_mnist),
		cmocka_unit_test(test_tiny_hand_computed),
		cmocka_unit_test(test_even_kernel_same),
		cmocka_unit_test(test_odd_size_pool_floor),
		cmocka_unit_test(test_shape_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
