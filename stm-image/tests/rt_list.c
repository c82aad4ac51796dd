// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "rt_tests.h"
#include "rt_smm_tests.h"

#define T(n) { #n, test_##n },
const struct stm_test stm_tests[] = { STM_RT_TEST_LIST STM_RT_SMM_TEST_LIST };
#undef T
const size_t stm_ntests = sizeof(stm_tests) / sizeof(stm_tests[0]);
