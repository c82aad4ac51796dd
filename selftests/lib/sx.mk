# SPDX-License-Identifier: GPL-2.0
#
# The selftest library (selftests/lib/*.c, selftests/include/*.h), included
# by every selftest Makefile (stmexec/, policy/, stress/). Sources are
# compiled into each program (static, and once more with -m32 for the
# 32-bit programs), not archived: there is one copy of each function.
#
#   SX_LIB       sx.c: module, device, sysfs/debugfs, processes, errnos
#   SX_POLICY    policy.c: the default policy and the isolation report
#   SX_RANGES    range_set.c: LIST_RANGES snapshots (stress tool, fuzzer)
#   SX_JSONV     jsonv.c: the strict JSON validator (also tools/ tests)
#   SX_HDRS      every header: a change rebuilds every program
SX_DIR := $(TOP)/selftests/lib
SX_INC := $(TOP)/selftests/include
SX_LIB := $(SX_DIR)/sx.c
SX_POLICY := $(SX_DIR)/policy.c
SX_RANGES := $(SX_DIR)/range_set.c
SX_JSONV := $(SX_DIR)/jsonv.c
SX_HDRS := $(wildcard $(SX_INC)/*.h) $(TOP)/uapi/linux/stmexec.h
CPPFLAGS += -I$(SX_INC) -I$(TOP)/uapi
