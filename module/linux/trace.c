// SPDX-License-Identifier: GPL-2.0
/*
 * trace.c - defines the bsdvm:* tracepoints declared in trace.h (the one
 * file with CREATE_TRACE_POINTS).  Documentation/tracing.rst lists them.
 */
#define CREATE_TRACE_POINTS
#include "trace.h"
