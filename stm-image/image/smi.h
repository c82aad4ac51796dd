/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The SMI path of the STM image (smi.c): what it uses (rt.h declares stm_rt_host_smm). */
#ifndef STM_IMAGE_SMI_H
#define STM_IMAGE_SMI_H

#include "rt.h"
#include <stm/smm_guest.h>

#endif /* STM_IMAGE_SMI_H */
