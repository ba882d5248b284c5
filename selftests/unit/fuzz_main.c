// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_main.c - libFuzzer target: input bytes drive the model checker's op
 * generator; any divergence, leak or core assertion is a crash.
 */
#include <stdlib.h>
#include "os.h"
#include "model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct model m;
	struct op_source src = { .data = data, .len = size };
	struct op op;

	if (model_start(&m, 4, 64, false))
		abort();
	while (!src_done(&src)) {
		op_make(&m, &src, &op);
		if (model_step(&m, &op))
			abort();
	}
	if (model_finish(&m))
		abort();
	return 0;
}
