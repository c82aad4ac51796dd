/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The reference's O(n*m) overlap check: the oracle for tests and bench. */
#ifndef STM_TEST_NAIVE_H
#define STM_TEST_NAIVE_H
#include <stdint.h>

int naive_nodes_overlap(const uint8_t *n1, const uint8_t *n2);
/* node vs a flat list ending with END */
int naive_overlap_node(const uint8_t *bios_flat, const uint8_t *node);
#endif
