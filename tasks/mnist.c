#include "tasks/mnist.h"

#include <stddef.h>
#include <stdio.h>

static const cfg_field mnist_fields[] = {
	{ .key = "data_dir", .type = CFG_STR,
	  .offset = offsetof(mnist_cfg, data_dir),
	  .def = "/usr/share/datasets/fashion-mnist", .flags = CFG_F_NONEMPTY,
	  .help = "directory with <split>-images-idx3-ubyte[.gz] and <split>-labels-idx1-ubyte[.gz]" },
	{ .key = "train_split", .type = CFG_STR,
	  .offset = offsetof(mnist_cfg, train_split), .def = "train",
	  .flags = CFG_F_NONEMPTY, .help = "file prefix of the training set" },
	{ .key = "test_split", .type = CFG_STR,
	  .offset = offsetof(mnist_cfg, test_split), .def = "t10k",
	  .flags = CFG_F_NONEMPTY, .help = "file prefix of the test set" },
	{ .key = "batch_size", .type = CFG_INT,
	  .offset = offsetof(mnist_cfg, batch_size), .def = "1024", .min = 1,
	  .max = 1000000,
	  .help = "training images per iteration, sampled without replacement, shared by all members" },
};

static void mnist_dims(const void *cfg, task_dims *out)
{
	(void)cfg;
	/* Known once the data is loaded (core/superv.h). */
	out->obs_dim = out->act_dim = out->state_dim = out->max_steps = 0;
}

static void mnist_defines(const void *cfg, char *buf, size_t size)
{
	(void)cfg;
	snprintf(buf, size, "%s", "");
}

const task_ops mnist_ops = {
	/* .name = */ "mnist",
	/* .summary = */ "image classification on IDX files (MNIST, Fashion-MNIST, ...): fitness mean log p(label), test accuracy",
	/* .fields = */ mnist_fields,
	/* .n_fields = */ sizeof(mnist_fields) / sizeof(mnist_fields[0]),
	/* .cfg_size = */ sizeof(mnist_cfg),
	/* .cl_file = */ "core/superv.cl",
	/* .dims = */ mnist_dims,
	/* .defines = */ mnist_defines,
	/* .kind = */ TASK_SUPERVISED,
	/* .direct_dim = */ NULL,
	/* .n_bd = */ 0,
	/* .bd_bounds = */ NULL,
};
