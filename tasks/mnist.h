/* mnist.h - image classification on any IDX image/label pair (MNIST,
 * Fashion-MNIST, KMNIST, ...), EvoJAX semantics: every training iteration
 * samples a batch (default 1024) without replacement from the training set,
 * shared by all members; train fitness = mean log p(label) over the batch;
 * test score = accuracy over the whole test set.  Data: core/idx.h;
 * evaluation: core/superv.h. */
#ifndef EJ_MNIST_H
#define EJ_MNIST_H

#include "core/cfg.h"
#include "tasks/task.h"

typedef struct mnist_cfg {
	char data_dir[CFG_STR_MAX];    /* directory with the IDX files */
	char train_split[CFG_STR_MAX]; /* file prefix, "train" */
	char test_split[CFG_STR_MAX];  /* file prefix, "t10k" */
	int batch_size;
} mnist_cfg;

extern const task_ops mnist_ops;

#endif
