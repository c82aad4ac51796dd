// SPDX-License-Identifier: GPL-2.0
#include "../stm-image/tools/mseg_verify.c"
