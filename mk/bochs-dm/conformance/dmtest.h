/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The bochs-dm conformance test: types and the symbols of head.S.
 * Freestanding: no libc, no kernel headers.
 */
#ifndef DMTEST_H
#define DMTEST_H

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef unsigned long size_t;

#define BIT(n)		(1u << (n))
#define __aligned(x)	__attribute__((aligned(x)))
#define __packed	__attribute__((packed))

/* head.S */
extern char exc_stubs[], smi_handler[], smi_handler_end[];
extern char stm_entry[], guest_vmcall[], guest_smi[], smm_guest_code[];
extern char gdt_rom[], gdt_rom_end[];
u64 vm_run(u64 launch);

#endif
