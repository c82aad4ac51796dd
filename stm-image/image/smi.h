/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The SMI path of the STM image (smi.c): what it uses from outside. */
#ifndef STM_IMAGE_SMI_H
#define STM_IMAGE_SMI_H

#include "rt.h"
#include <stm/smm_guest.h>

/* hostentry.S: the SMM-guest VMCS's host RIP (calls stm_rt_smm_exit()) */
extern const uint8_t stm_rt_host_smm[];

#endif /* STM_IMAGE_SMI_H */
