/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Private to the STM image (stm-image/image/): build-time configuration,
 * the GDT selectors and the frame the entry stub hands to C.  Included by
 * entry.S (with __ASSEMBLER__) and by the C runtime.
 */
#ifndef STM_IMAGE_H
#define STM_IMAGE_H

/* Build-time configuration (Makefile variables of the same name). */
#ifndef STM_STACK_SIZE
#define STM_STACK_SIZE		0x8000		/* = PerProcDynamicMemorySize */
#endif
#ifndef STM_HEAP_SIZE
#define STM_HEAP_SIZE		0x40000		/* heap after the page tables */
#endif
#ifndef STM_MAX_CPUS
#define STM_MAX_CPUS		256		/* per-CPU status slots */
#endif

/* GDT at MSEG + 0x1000, laid out as the reference STM's (GenStm) */
#define STM_SEL_CODE32		0x10
#define STM_SEL_DATA32		0x18
#define STM_SEL_TSS		0x28		/* 16-byte 64-bit TSS descriptor */
#define STM_SEL_CODE64		0x38		/* header CsSelector */
#define STM_SEL_DATA64		0x40		/* CS + 8: SS, DS, ES, FS, GS */
#define STM_GDT_ENTRIES		9
#define STM_TSS_SIZE		0x68

/* Offsets into struct stm_entry_frame, for entry.S. */
#define STM_FRAME_SIZE		128

/* wire.h is C only; the one status entry.S needs, checked below. */
#define STM_ERROR_OUT_OF_RESOURCES_ASM	0x80010015

#ifndef __ASSEMBLER__
#include <stm/wire.h>

/* Everything in the image is position independent and resolved inside it:
 * hidden visibility keeps every reference RIP-relative (no GOT).
 */
#pragma GCC visibility push(hidden)

#if (STM_STACK_SIZE & 0xFFF) || STM_STACK_SIZE == 0
#error "STM_STACK_SIZE must be a non-zero multiple of 4 KiB"
#endif
#if (STM_HEAP_SIZE & 0xFFF)
#error "STM_HEAP_SIZE must be a multiple of 4 KiB"
#endif

/*
 * What the entry stub pushed, lowest address first.  Every register holds
 * the executive monitor's value at its VMCALL (an SMM VM exit loads only
 * RIP, RSP, segment state, CR0/3/4, DR7 and RFLAGS; section 1.4).
 */
struct stm_entry_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rdi, rsi, rbp, rbx, rdx, rcx, rax;
	uint64_t claim;		/* (arrival index + 1) * STM_STACK_SIZE */
};

STM_STATIC_ASSERT(sizeof(struct stm_entry_frame) == STM_FRAME_SIZE,
		  "entry frame layout matches entry.S");
STM_STATIC_ASSERT(STM_ERROR_OUT_OF_RESOURCES_ASM == STM_ERROR_OUT_OF_RESOURCES,
		  "entry.S status literal");

/* Per-CPU outcome of the activating VMCALL, readable from a debugger at
 * stm_cpu_status[] (see Documentation/stm-image.rst).
 */
struct stm_cpu_status {
	uint32_t eax_in;	/* EAX of the activating VMCALL */
	uint32_t status;	/* STM status the runtime decided */
};

extern struct stm_cpu_status stm_cpu_status[STM_MAX_CPUS];
extern uint64_t stm_relocated_base;

/* Linker-script and entry.S symbols; RIP-relative, so runtime addresses. */
extern const uint8_t __stm_image_base[];
extern const uint8_t __stm_rela_start[];
extern const uint8_t __stm_rela_end[];
extern uint8_t stm_gdt[];

int stm_c_entry(struct stm_entry_frame *f);
void stm_rt_relocate(uint32_t index);
uint64_t stm_tss_base(void);
void stm_apply_relocs(uint8_t *base, const uint8_t *rela,
		      const uint8_t *rela_end);
/* The arrival-order policy of the minimal runtime (pure, unit-tested). */
uint32_t stm_first_call_status(uint32_t cpu, uint32_t eax, uint32_t *bsp_done);

#pragma GCC visibility pop

/* Outside the pragma: host builds of runtime.c (tests) bind them to libc. */
void *memcpy(void *d, const void *s, __SIZE_TYPE__ n);
void *memset(void *d, int c, __SIZE_TYPE__ n);
void *memmove(void *d, const void *s, __SIZE_TYPE__ n);
int memcmp(const void *a, const void *b, __SIZE_TYPE__ n);
#endif /* !__ASSEMBLER__ */

#endif /* STM_IMAGE_H */
