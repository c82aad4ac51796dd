/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * STM wire formats: VMCALL numbers, status codes, STM_RSC resource
 * descriptors, event log, VMCS database, MSEG/STM header, PSD.
 *
 * Source of every number, size and offset: the interface fact sheet
 * (shared/reference/stm-interface.md, sections 1-9 and 12).  All structures
 * are byte-packed little-endian, exactly as the reference STM, EDK2 and
 * coreboot declare them.  Bit fields of the reference headers are expressed
 * as plain integers plus masks so the layout never depends on a compiler's
 * bit-field allocation.
 *
 * Usable unchanged from the Linux kernel, from freestanding code and from
 * userspace C and C++.
 */
#ifndef STM_WIRE_H
#define STM_WIRE_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdint.h>
#endif

#ifdef __KERNEL__
#define STM_PACKED __packed
#else
#define STM_ATTRIBUTE(a) __attribute__((a))
#define STM_PACKED STM_ATTRIBUTE(__packed__)
#endif
#define STM_OFFSETOF(type, member) __builtin_offsetof(type, member)
#ifdef __cplusplus
#define STM_STATIC_ASSERT(expr, msg) static_assert(expr, msg)
#else
/* C11 _Static_assert, spelled so that checkpatch does not see CamelCase */
#define STM_PASTE(a, b) a ## b
#define STM_STATIC_ASSERT(expr, msg) STM_PASTE(_S, tatic_assert)(expr, msg)
#endif
#define STM_ASSERT_SIZE(type, size) \
	STM_STATIC_ASSERT(sizeof(type) == (size), "sizeof(" #type ") != " #size)
#define STM_ASSERT_OFFSET(type, member, off) \
	STM_STATIC_ASSERT(STM_OFFSETOF(type, member) == (off), \
			  "offsetof(" #type ", " #member ") != " #off)

#define STM_PAGE_SIZE			0x1000u
#define STM_PAGE_MASK			0xFFFull

/* ------------------------------------------------------------------ */
/* Calling convention (sec. 2)                                        */
/* ------------------------------------------------------------------ */

/* Bit 16 set: MLE (executive monitor) facing; clear: SMM guest facing. */
#define STM_API_MLE_BIT				0x00010000u

/* MLE-facing VMCALLs (EAX), sec. 3 */
#define STM_API_START				0x00010001u
#define STM_API_STOP				0x00010002u
#define STM_API_PROTECT_RESOURCE		0x00010003u
#define STM_API_UNPROTECT_RESOURCE		0x00010004u
#define STM_API_GET_BIOS_RESOURCES		0x00010005u
#define STM_API_MANAGE_VMCS_DATABASE		0x00010006u
#define STM_API_INITIALIZE_PROTECTION		0x00010007u
#define STM_API_MANAGE_EVENT_LOG		0x00010008u
/* STM/PE additions (EugeneDMyers/STM branch stmpe only), sec. 3.4 */
#define STM_API_ADD_TEMP_PE_VM			0x00010009u
#define STM_API_ADD_PERM_PE_VM			0x0001000Au
#define STM_API_RUN_PE_VM			0x0001000Bu
#define STM_API_END_ADD_PERM_PE_VM		0x0001000Cu
#define STM_API_ADD_PERM_PE_VM_NORUN		0x0001000Du

/* SMM-guest (BIOS) facing VMCALLs (EAX), sec. 4 */
#define STM_API_MAP_ADDRESS_RANGE		0x00000001u
#define STM_API_UNMAP_ADDRESS_RANGE		0x00000002u
#define STM_API_ADDRESS_LOOKUP			0x00000003u
#define STM_API_RETURN_FROM_PROTECTION_EXCEPTION 0x00000004u
#define STM_API_GET_VMCS_MAP			0x00000005u /* STM/PE only */

/* EDX of the activating VMCALL */
#define STM_CONFIG_SMI_UNBLOCKING_BY_VMX_OFF	0x00000001u

/* EBX capability bits after INITIALIZE_PROTECTION (K; J/E return 0) */
#define STM_RSC_BGI				0x00000002u
#define STM_RSC_BGM				0x00000004u
#define STM_RSC_MSR				0x00000008u

/* ------------------------------------------------------------------ */
/* Status codes (sec. 12)                                             */
/* ------------------------------------------------------------------ */

#define STM_SUCCESS				0x00000000u
#define STM_SMM_SUCCESS				0x00000000u
#define STM_ERROR_SECURITY_VIOLATION		0x80010001u
#define STM_ERROR_CACHE_TYPE_NOT_SUPPORTED	0x80010002u
#define STM_ERROR_PAGE_NOT_FOUND		0x80010003u
#define STM_ERROR_BAD_CR3			0x80010004u
#define STM_ERROR_PHYSICAL_OVER_4G		0x80010005u
#define STM_ERROR_VIRTUAL_SPACE_TOO_SMALL	0x80010006u
#define STM_ERROR_UNPROTECTABLE_RESOURCE	0x80010007u
#define STM_ERROR_ALREADY_STARTED		0x80010008u
#define STM_ERROR_WITHOUT_SMX_UNSUPPORTED	0x80010009u
#define STM_ERROR_STOPPED			0x8001000Au
#define STM_ERROR_BUFFER_TOO_SMALL		0x8001000Bu
#define STM_ERROR_INVALID_VMCS_DATABASE		0x8001000Cu
#define STM_ERROR_MALFORMED_RESOURCE_LIST	0x8001000Du
#define STM_ERROR_INVALID_PAGECOUNT		0x8001000Eu
#define STM_ERROR_LOG_ALLOCATED			0x8001000Fu
#define STM_ERROR_LOG_NOT_ALLOCATED		0x80010010u
#define STM_ERROR_LOG_NOT_STOPPED		0x80010011u
#define STM_ERROR_LOG_NOT_STARTED		0x80010012u
#define STM_ERROR_RESERVED_BIT_SET		0x80010013u
#define STM_ERROR_NO_EVENTS_ENABLED		0x80010014u
#define STM_ERROR_OUT_OF_RESOURCES		0x80010015u
#define STM_ERROR_FUNCTION_NOT_SUPPORTED	0x80010016u
#define STM_ERROR_UNPROTECTABLE			0x80010017u
#define STM_ERROR_UNSUPPORTED_MSR_BIT		0x80010018u
#define STM_ERROR_UNSPECIFIED			0x8001FFFFu
#define STM_ERROR_SMM_BAD_BUFFER		0x80020001u
#define STM_ERROR_SMM_INVALID_RSC		0x80020004u
#define STM_ERROR_SMM_INVALID_BUFFER_SIZE	0x80020005u
#define STM_ERROR_SMM_BUFFER_TOO_SHORT		0x80020006u
#define STM_ERROR_SMM_INVALID_LIST		0x80020007u
#define STM_ERROR_SMM_OUT_OF_MEMORY		0x80020008u
#define STM_ERROR_SMM_AFTER_INIT		0x80020009u
#define STM_ERROR_SMM_UNSPECIFIED		0x8002FFFFu
#define STM_ERROR_INVALID_API			0x80038001u
#define STM_ERROR_INVALID_PARAMETER		0x80038002u

/* TXT.ERRORCODE crash codes (sec. 11) */
#define STM_CRASH_PROTECTION_EXCEPTION		0xC000F001u
#define STM_CRASH_PROTECTION_EXCEPTION_FAILURE	0xC000F002u
#define STM_CRASH_DOMAIN_DEGRADATION_FAILURE	0xC000F003u
#define STM_CRASH_BIOS_PANIC			0xC000E000u

#define STM_STATUS_IS_ERROR(s)			(((s) & 0x80000000u) != 0)

/* ------------------------------------------------------------------ */
/* STM_RSC resource descriptors (sec. 5)                              */
/* ------------------------------------------------------------------ */

#define STM_END_OF_RESOURCES		0u
#define STM_MEM_RANGE			1u
#define STM_IO_RANGE			2u
#define STM_MMIO_RANGE			3u
#define STM_MACHINE_SPECIFIC_REG	4u
#define STM_PCI_CFG_RANGE		5u
#define STM_TRAPPED_IO_RANGE		6u
#define STM_ALL_RESOURCES		7u
#define STM_REGISTER_VIOLATION		8u
#define STM_MAX_DESC_TYPE		8u

struct stm_rsc_desc_header {
	uint32_t rsc_type;
	uint16_t length;	/* whole descriptor, bytes */
	uint16_t flags;		/* STM_RSC_RETURN_STATUS, STM_RSC_IGNORE_RESOURCE */
} STM_PACKED;
#define STM_RSC_RETURN_STATUS		0x0001u
#define STM_RSC_HDR_RESERVED_MASK	0x7FFEu
#define STM_RSC_IGNORE_RESOURCE		0x8000u

struct stm_rsc_end {
	struct stm_rsc_desc_header hdr;
	uint64_t resource_list_continuation;	/* phys addr of next piece, 0 = end */
} STM_PACKED;

/* MEM_RANGE and MMIO_RANGE share this layout */
struct stm_rsc_mem_desc {
	struct stm_rsc_desc_header hdr;
	uint64_t base;
	uint64_t length;
	uint32_t rwx_attributes;	/* bits 2:0 RWX, bits 31:3 reserved */
	uint32_t reserved_2;
} STM_PACKED;
#define STM_RSC_MEM_R			0x1u
#define STM_RSC_MEM_W			0x2u
#define STM_RSC_MEM_X			0x4u
#define STM_RSC_MEM_RWX_MASK		0x7u
#define STM_RSC_MMIO_R			STM_RSC_MEM_R
#define STM_RSC_MMIO_W			STM_RSC_MEM_W
#define STM_RSC_MMIO_X			STM_RSC_MEM_X

struct stm_rsc_mmio_desc {
	struct stm_rsc_desc_header hdr;
	uint64_t base;
	uint64_t length;
	uint32_t rwx_attributes;
	uint32_t reserved_2;
} STM_PACKED;

struct stm_rsc_io_desc {
	struct stm_rsc_desc_header hdr;
	uint16_t base;
	uint16_t length;
	uint32_t reserved;
} STM_PACKED;

struct stm_rsc_msr_desc {
	struct stm_rsc_desc_header hdr;
	uint32_t msr_index;
	uint32_t kernel_mode_processing;	/* bit 0; bits 31:1 reserved */
	uint64_t read_mask;
	uint64_t write_mask;
} STM_PACKED;
#define STM_RSC_MSR_KERNEL_MODE_PROCESSING	0x1u
#define STM_RSC_MSR_RESERVED_MASK		0xFFFFFFFEu

struct stm_pci_device_path_node {
	uint8_t type;		/* 1 = hardware device path */
	uint8_t subtype;	/* 1 = PCI */
	uint16_t length;	/* 6 */
	uint8_t pci_function;
	uint8_t pci_device;
} STM_PACKED;
#define STM_PCI_DEVICE_PATH_TYPE_HW	1u
#define STM_PCI_DEVICE_PATH_SUBTYPE_PCI	1u

struct stm_rsc_pci_cfg_desc {
	struct stm_rsc_desc_header hdr;
	uint16_t rw_attributes;		/* bits 1:0 RW, bits 15:2 reserved */
	uint16_t base;			/* config-space offset */
	uint16_t length;
	uint8_t originating_bus_number;
	uint8_t last_node_index;
	/* last_node_index + 1 nodes; descriptor length = 22 + 6 * last_node_index */
	struct stm_pci_device_path_node pci_device_path[1];
} STM_PACKED;
#define STM_RSC_PCI_CFG_R		0x1u
#define STM_RSC_PCI_CFG_W		0x2u
#define STM_RSC_PCI_CFG_RW_MASK		0x3u
#define STM_RSC_PCI_CFG_LEN(last_node_index) \
	(22u + 6u * (uint32_t)(last_node_index))

struct stm_rsc_trapped_io_desc {
	struct stm_rsc_desc_header hdr;
	uint16_t base;
	uint16_t length;
	uint16_t flags;		/* In bit 0, Out bit 1, Api bit 2, 15:3 reserved */
	uint16_t reserved2;
} STM_PACKED;
#define STM_RSC_TRAPPED_IO_IN		0x1u
#define STM_RSC_TRAPPED_IO_OUT		0x2u
#define STM_RSC_TRAPPED_IO_API		0x4u
#define STM_RSC_TRAPPED_IO_RESERVED_MASK 0xFFF8u

struct stm_rsc_all_resources_desc {
	struct stm_rsc_desc_header hdr;
} STM_PACKED;

struct stm_register_violation_desc {
	struct stm_rsc_desc_header hdr;
	uint32_t register_type;		/* STM_REGISTER_CR0 .. */
	uint32_t reserved;
	uint64_t read_mask;
	uint64_t write_mask;
} STM_PACKED;
#define STM_REGISTER_CR0		0u
#define STM_REGISTER_CR2		1u
#define STM_REGISTER_CR3		2u
#define STM_REGISTER_CR4		3u
#define STM_REGISTER_CR8		4u
#define STM_REGISTER_MAX		5u

union stm_rsc {
	struct stm_rsc_desc_header hdr;
	struct stm_rsc_end end;
	struct stm_rsc_mem_desc mem;
	struct stm_rsc_io_desc io;
	struct stm_rsc_mmio_desc mmio;
	struct stm_rsc_msr_desc msr;
	struct stm_rsc_pci_cfg_desc pci_cfg;
	struct stm_rsc_trapped_io_desc trapped_io;
	struct stm_rsc_all_resources_desc all;
	struct stm_register_violation_desc register_violation;
} STM_PACKED;

#define STM_RSC_END_SIZE		16u
#define STM_RSC_MEM_SIZE		32u
#define STM_RSC_IO_SIZE			16u
#define STM_RSC_MMIO_SIZE		32u
#define STM_RSC_MSR_SIZE		32u
#define STM_RSC_PCI_CFG_SIZE		22u	/* with one path node */
#define STM_RSC_TRAPPED_IO_SIZE		16u
#define STM_RSC_ALL_RESOURCES_SIZE	8u
#define STM_RSC_REGISTER_VIOLATION_SIZE	32u

/* ------------------------------------------------------------------ */
/* Event log (sec. 6)                                                 */
/* ------------------------------------------------------------------ */

#define STM_NEW_LOG			1u
#define STM_CONFIGURE_LOG		2u
#define STM_START_LOG			3u
#define STM_STOP_LOG			4u
#define STM_CLEAR_LOG			5u
#define STM_DELETE_LOG			6u

/* (4096 - 16) / 8 */
#define STM_LOG_MAX_PAGES		510u

struct stm_event_log_management_request {
	uint32_t sub_function_index;
	union {
		uint32_t page_count;		/* NEW_LOG */
		uint32_t event_enable_bitmap;	/* CONFIGURE_LOG */
	};
	uint64_t pages[1];			/* NEW_LOG: page_count entries */
} STM_PACKED;

#define STM_LOG_ENTRY_SIZE		256u
#define STM_LOG_ENTRIES_PER_PAGE	16u
#define STM_LOG_PAYLOAD_MAX		248u

struct stm_log_entry_header {
	uint32_t event_serial_number;
	uint16_t type;
	uint16_t flags;
} STM_PACKED;
#define STM_LOG_LOCK			0x0001u
#define STM_LOG_VALID			0x0002u
#define STM_LOG_READ_BY_MLE		0x0004u
#define STM_LOG_WRAPPED			0x0008u
#define STM_LOG_FLAGS_RESERVED_MASK	0xFFF0u

struct stm_log_entry {
	struct stm_log_entry_header hdr;
	uint8_t data[STM_LOG_PAYLOAD_MAX];
} STM_PACKED;

/* EVENT_TYPE */
#define STM_EVT_LOG_STARTED			0u
#define STM_EVT_LOG_STOPPED			1u
#define STM_EVT_LOG_INVALID_PARAMETER_DETECTED	2u
#define STM_EVT_HANDLED_PROTECTION_EXCEPTION	3u
#define STM_EVT_BIOS_ACCESS_TO_UNCLAIMED_RESOURCE 4u
#define STM_EVT_MLE_RESOURCE_PROTECTION_GRANTED	5u
#define STM_EVT_MLE_RESOURCE_PROTECTION_DENIED	6u
#define STM_EVT_MLE_RESOURCE_UNPROTECT		7u
#define STM_EVT_MLE_RESOURCE_UNPROTECT_ERROR	8u
#define STM_EVT_MLE_DOMAIN_TYPE_DEGRADED	9u
#define STM_EVT_MLE_MAX				10u
#define STM_EVT_INVALID				0xFFFFFFFFu
#define STM_EVT_ENABLE_ALL			((1u << STM_EVT_MLE_MAX) - 1u)

struct stm_log_data_started {
	uint32_t reserved;
} STM_PACKED;

struct stm_log_data_invalid_param {
	uint32_t vmcall_api_number;
} STM_PACKED;

struct stm_log_data_domain_degraded {
	uint64_t vmcs_phys_pointer;
	uint8_t expected_domain_type;
	uint8_t degraded_domain_type;
} STM_PACKED;

/* ------------------------------------------------------------------ */
/* VMCS database (sec. 7)                                             */
/* ------------------------------------------------------------------ */

#define STM_VMCS_DATABASE_REQUEST_REMOVE	0u
#define STM_VMCS_DATABASE_REQUEST_ADD		1u

struct stm_vmcs_database_request {
	uint64_t vmcs_phys_pointer;	/* bits 11:0 should be 0 */
	uint32_t policy;		/* DomainType/XStatePolicy/DegradationPolicy */
	uint32_t add_or_remove;
} STM_PACKED;
#define STM_VMCS_DB_DOMAIN_TYPE_MASK		0x0000000Fu
#define STM_VMCS_DB_DOMAIN_TYPE_SHIFT		0
#define STM_VMCS_DB_XSTATE_POLICY_MASK		0x00000030u
#define STM_VMCS_DB_XSTATE_POLICY_SHIFT		4
#define STM_VMCS_DB_DEGRADATION_POLICY_MASK	0x000003C0u
#define STM_VMCS_DB_DEGRADATION_POLICY_SHIFT	6
#define STM_VMCS_DB_RESERVED1_MASK		0xFFFFFC00u

#define STM_DOMAIN_DISALLOWED_IO_OUT		0x1u
#define STM_DOMAIN_DISALLOWED_IO_IN		0x2u
#define STM_DOMAIN_INTEGRITY			0x4u
#define STM_DOMAIN_CONFIDENTIALITY		0x8u
#define STM_DOMAIN_UNPROTECTED			0x0u
#define STM_DOMAIN_INTEGRITY_PROT_OUT_IN	0x4u
#define STM_DOMAIN_FULLY_PROT_OUT_IN		0xCu
#define STM_DOMAIN_FULLY_PROT			0xFu

#define STM_XSTATE_READWRITE			0x0u
#define STM_XSTATE_READONLY			0x1u
#define STM_XSTATE_SCRUB			0x3u

/* ------------------------------------------------------------------ */
/* MSEG / STM header (sec. 1.4, 8.1)                                  */
/* ------------------------------------------------------------------ */

struct stm_hw_header {
	uint32_t stm_header_revision;	/* MSEG revision id, = VMX_MISC[63:32] */
	uint32_t monitor_features;	/* bit 0 IA-32e; bits 31:1 must be 0 */
	uint32_t gdtr_limit;
	uint32_t gdtr_base_offset;
	uint32_t cs_selector;
	uint32_t eip_offset;
	uint32_t esp_offset;
	uint32_t cr3_offset;
	uint8_t reserved[2048 - 32];
} STM_PACKED;
#define STM_FEATURES_IA32E		0x1u
#define STM_HW_HEADER_FIELDS_SIZE	32u

struct stm_sw_header {
	uint8_t stm_spec_ver_major;
	uint8_t stm_spec_ver_minor;
	uint16_t reserved;
	uint32_t static_image_size;
	uint32_t per_proc_dynamic_memory_size;
	uint32_t additional_dynamic_memory_size;
	uint32_t stm_features;		/* bit 0 Intel64, bit 1 EPT */
	uint32_t number_of_rev_ids;
	uint32_t stm_smm_rev_id[1];	/* number_of_rev_ids entries */
} STM_PACKED;
#define STM_SPEC_VERSION_MAJOR		1u
#define STM_SPEC_VERSION_MINOR		0u
#define STM_SMM_REV_ID			0x80010100u
#define STM_SW_FEATURE_INTEL64		0x1u
#define STM_SW_FEATURE_EPT		0x2u

struct stm_header {
	struct stm_hw_header hw_stm_hdr;
	struct stm_sw_header sw_stm_hdr;
} STM_PACKED;
#define STM_SW_HEADER_OFFSET		0x800u
#define STM_GDT_OFFSET			0x1000u	/* GenStm layout */
#define STM_IMAGE_OFFSET		0x2000u	/* GenStm layout */
#define STM_PER_CPU_STACK_SIZE		0x8000u

/* ------------------------------------------------------------------ */
/* TXT_PROCESSOR_SMM_DESCRIPTOR at SMBASE + 0xFB00 (sec. 9)           */
/* ------------------------------------------------------------------ */

#define STM_PSD_OFFSET			0xFB00u
#define STM_PSD_SIGNATURE		"TXTPSSIG"
#define STM_PSD_SIZE			137u
#define STM_PSD_SIZE_V099		128u

struct stm_protection_exception_handler {
	uint64_t spe_rip;
	uint64_t spe_rsp;
	uint16_t spe_ss;
	uint16_t filter;	/* STM_PSD_SPE_*_VIOLATION bits, 15:5 reserved */
	uint32_t reserved2;
} STM_PACKED;
#define STM_PSD_SPE_PAGE_VIOLATION	0x01u
#define STM_PSD_SPE_MSR_VIOLATION	0x02u
#define STM_PSD_SPE_REGISTER_VIOLATION	0x04u
#define STM_PSD_SPE_IO_VIOLATION	0x08u
#define STM_PSD_SPE_PCI_VIOLATION	0x10u

struct stm_psd {
	uint8_t signature[8];
	uint16_t size;
	uint8_t smm_descriptor_ver_major;
	uint8_t smm_descriptor_ver_minor;
	uint32_t local_apic_id;
	uint8_t smm_entry_state;
	uint8_t smm_resume_state;
	uint8_t stm_smm_state;
	uint8_t reserved4;
	uint16_t smm_cs;
	uint16_t smm_ds;
	uint16_t smm_ss;
	uint16_t smm_other_segment;
	uint16_t smm_tr;
	uint16_t reserved5;
	uint64_t smm_cr3;
	uint64_t smm_stm_setup_rip;
	uint64_t smm_stm_teardown_rip;
	uint64_t smm_smi_handler_rip;
	uint64_t smm_smi_handler_rsp;
	uint64_t smm_gdt_ptr;
	uint32_t smm_gdt_size;
	uint32_t required_stm_smm_rev_id;
	struct stm_protection_exception_handler stm_protection_exception_handler;
	uint64_t reserved6;
	uint64_t bios_hw_resource_requirements_ptr;
	uint64_t acpi_rsdp;
	uint8_t physical_address_bits;
} STM_PACKED;
#define STM_PSD_ENTRY_XD_OUTSIDE_SMRR	0x01u
#define STM_PSD_ENTRY_INTEL64_MODE	0x02u
#define STM_PSD_ENTRY_CR4_PAE		0x04u
#define STM_PSD_ENTRY_CR4_PSE		0x08u
#define STM_PSD_RESUME_SMRAM_TO_VMCS_RESTORE	0x01u
#define STM_PSD_RESUME_REINIT_VMCS	0x02u
#define STM_PSD_STATE_DOMAIN_TYPE_MASK	0x0Fu
#define STM_PSD_STATE_XSTATE_MASK	0x30u
#define STM_PSD_STATE_EPT_ENABLED	0x40u

/* ------------------------------------------------------------------ */
/* SMM-guest-facing descriptors (sec. 4)                              */
/* ------------------------------------------------------------------ */

struct stm_map_address_range_descriptor {
	uint64_t physical_address;
	uint64_t virtual_address;
	uint32_t page_count;
	uint32_t pat_cache_type;
} STM_PACKED;
#define STM_MAP_CACHE_ST_UC		0x00u
#define STM_MAP_CACHE_WC		0x01u
#define STM_MAP_CACHE_WT		0x04u
#define STM_MAP_CACHE_WP		0x05u
#define STM_MAP_CACHE_WB		0x06u
#define STM_MAP_CACHE_UC		0x07u
#define STM_MAP_CACHE_FOLLOW_MTRR	0xFFFFFFFFu

struct stm_unmap_address_range_descriptor {
	uint64_t virtual_address;
	uint32_t length;
} STM_PACKED;

struct stm_address_lookup_descriptor {
	uint64_t interrupted_guest_virtual_address;
	uint32_t length;
	uint64_t interrupted_cr3;
	uint64_t interrupted_eptp;
	uint32_t flags;		/* MapToSmmGuest 1:0, Cr4Pae 2, Cr4Pse 3, Ia32e 4 */
	uint32_t reserved2;
	uint64_t physical_address;
	uint64_t smm_guest_virtual_address;
} STM_PACKED;
#define STM_LOOKUP_MAP_MASK		0x3u
#define STM_LOOKUP_DO_NOT_MAP		0x0u
#define STM_LOOKUP_ONE_TO_ONE		0x1u
#define STM_LOOKUP_VIRTUAL_ADDRESS_SPECIFIED 0x3u
#define STM_LOOKUP_CR4_PAE		0x4u
#define STM_LOOKUP_CR4_PSE		0x8u
#define STM_LOOKUP_IA32E_MODE		0x10u

/* TXT_SMM_PROTECTION_EXCEPTION_TYPE (frame ErrorCode) */
#define STM_PROTECTION_EXCEPTION_PAGE		1u
#define STM_PROTECTION_EXCEPTION_MSR		2u
#define STM_PROTECTION_EXCEPTION_REGISTER	3u
#define STM_PROTECTION_EXCEPTION_IO		4u
#define STM_PROTECTION_EXCEPTION_PCI		5u

struct stm_protection_exception_stack_frame_x64 {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rdi, rsi, rbp, rdx, rcx, rbx, rax;
	uint64_t cr8, cr3, cr2, cr0;
	uint64_t vmcs_exit_instruction_info;
	uint64_t vmcs_exit_instruction_length;
	uint64_t vmcs_exit_qualification;
	uint64_t error_code;
	uint64_t rip, cs, rflags, rsp, ss;
} STM_PACKED;

struct stm_protection_exception_stack_frame_ia32 {
	uint32_t edi, esi, ebp, edx, ecx, ebx, eax;
	uint32_t cr3, cr2, cr0;
	uint32_t vmcs_exit_instruction_info;
	uint32_t vmcs_exit_instruction_length;
	uint64_t vmcs_exit_qualification;
	uint32_t error_code;
	uint32_t eip, cs, eflags, esp, ss;
} STM_PACKED;

/* ------------------------------------------------------------------ */
/* Size and offset checks (every number the reference lists)          */
/* ------------------------------------------------------------------ */

STM_ASSERT_SIZE(struct stm_rsc_desc_header, 8);
STM_ASSERT_OFFSET(struct stm_rsc_desc_header, rsc_type, 0);
STM_ASSERT_OFFSET(struct stm_rsc_desc_header, length, 4);
STM_ASSERT_OFFSET(struct stm_rsc_desc_header, flags, 6);

STM_ASSERT_SIZE(struct stm_rsc_end, STM_RSC_END_SIZE);
STM_ASSERT_OFFSET(struct stm_rsc_end, resource_list_continuation, 8);

STM_ASSERT_SIZE(struct stm_rsc_mem_desc, STM_RSC_MEM_SIZE);
STM_ASSERT_OFFSET(struct stm_rsc_mem_desc, base, 8);
STM_ASSERT_OFFSET(struct stm_rsc_mem_desc, length, 16);
STM_ASSERT_OFFSET(struct stm_rsc_mem_desc, rwx_attributes, 24);
STM_ASSERT_OFFSET(struct stm_rsc_mem_desc, reserved_2, 28);

STM_ASSERT_SIZE(struct stm_rsc_mmio_desc, STM_RSC_MMIO_SIZE);
STM_ASSERT_OFFSET(struct stm_rsc_mmio_desc, base, 8);
STM_ASSERT_OFFSET(struct stm_rsc_mmio_desc, length, 16);
STM_ASSERT_OFFSET(struct stm_rsc_mmio_desc, rwx_attributes, 24);
STM_ASSERT_OFFSET(struct stm_rsc_mmio_desc, reserved_2, 28);

STM_ASSERT_SIZE(struct stm_rsc_io_desc, STM_RSC_IO_SIZE);
STM_ASSERT_OFFSET(struct stm_rsc_io_desc, base, 8);
STM_ASSERT_OFFSET(struct stm_rsc_io_desc, length, 10);
STM_ASSERT_OFFSET(struct stm_rsc_io_desc, reserved, 12);

STM_ASSERT_SIZE(struct stm_rsc_msr_desc, STM_RSC_MSR_SIZE);
STM_ASSERT_OFFSET(struct stm_rsc_msr_desc, msr_index, 8);
STM_ASSERT_OFFSET(struct stm_rsc_msr_desc, kernel_mode_processing, 12);
STM_ASSERT_OFFSET(struct stm_rsc_msr_desc, read_mask, 16);
STM_ASSERT_OFFSET(struct stm_rsc_msr_desc, write_mask, 24);

STM_ASSERT_SIZE(struct stm_pci_device_path_node, 6);
STM_ASSERT_OFFSET(struct stm_pci_device_path_node, type, 0);
STM_ASSERT_OFFSET(struct stm_pci_device_path_node, subtype, 1);
STM_ASSERT_OFFSET(struct stm_pci_device_path_node, length, 2);
STM_ASSERT_OFFSET(struct stm_pci_device_path_node, pci_function, 4);
STM_ASSERT_OFFSET(struct stm_pci_device_path_node, pci_device, 5);

STM_ASSERT_SIZE(struct stm_rsc_pci_cfg_desc, STM_RSC_PCI_CFG_SIZE);
STM_ASSERT_OFFSET(struct stm_rsc_pci_cfg_desc, rw_attributes, 8);
STM_ASSERT_OFFSET(struct stm_rsc_pci_cfg_desc, base, 10);
STM_ASSERT_OFFSET(struct stm_rsc_pci_cfg_desc, length, 12);
STM_ASSERT_OFFSET(struct stm_rsc_pci_cfg_desc, originating_bus_number, 14);
STM_ASSERT_OFFSET(struct stm_rsc_pci_cfg_desc, last_node_index, 15);
STM_ASSERT_OFFSET(struct stm_rsc_pci_cfg_desc, pci_device_path, 16);

STM_ASSERT_SIZE(struct stm_rsc_trapped_io_desc, STM_RSC_TRAPPED_IO_SIZE);
STM_ASSERT_OFFSET(struct stm_rsc_trapped_io_desc, base, 8);
STM_ASSERT_OFFSET(struct stm_rsc_trapped_io_desc, length, 10);
STM_ASSERT_OFFSET(struct stm_rsc_trapped_io_desc, flags, 12);
STM_ASSERT_OFFSET(struct stm_rsc_trapped_io_desc, reserved2, 14);

STM_ASSERT_SIZE(struct stm_rsc_all_resources_desc, STM_RSC_ALL_RESOURCES_SIZE);

STM_ASSERT_SIZE(struct stm_register_violation_desc, STM_RSC_REGISTER_VIOLATION_SIZE);
STM_ASSERT_OFFSET(struct stm_register_violation_desc, register_type, 8);
STM_ASSERT_OFFSET(struct stm_register_violation_desc, reserved, 12);
STM_ASSERT_OFFSET(struct stm_register_violation_desc, read_mask, 16);
STM_ASSERT_OFFSET(struct stm_register_violation_desc, write_mask, 24);

STM_ASSERT_SIZE(union stm_rsc, 32);

STM_ASSERT_SIZE(struct stm_event_log_management_request, 16);
STM_ASSERT_OFFSET(struct stm_event_log_management_request, sub_function_index, 0);
STM_ASSERT_OFFSET(struct stm_event_log_management_request, page_count, 4);
STM_ASSERT_OFFSET(struct stm_event_log_management_request, event_enable_bitmap, 4);
STM_ASSERT_OFFSET(struct stm_event_log_management_request, pages, 8);
STM_STATIC_ASSERT(STM_LOG_MAX_PAGES == (4096 - 16) / 8, "STM_LOG_MAX_PAGES");

STM_ASSERT_SIZE(struct stm_log_entry_header, 8);
STM_ASSERT_OFFSET(struct stm_log_entry_header, event_serial_number, 0);
STM_ASSERT_OFFSET(struct stm_log_entry_header, type, 4);
STM_ASSERT_OFFSET(struct stm_log_entry_header, flags, 6);
STM_ASSERT_SIZE(struct stm_log_entry, STM_LOG_ENTRY_SIZE);
STM_ASSERT_OFFSET(struct stm_log_entry, data, 8);
STM_STATIC_ASSERT(STM_LOG_ENTRIES_PER_PAGE * STM_LOG_ENTRY_SIZE == STM_PAGE_SIZE,
		  "16 log entries per 4 KiB page");
STM_ASSERT_SIZE(struct stm_log_data_started, 4);
STM_ASSERT_SIZE(struct stm_log_data_invalid_param, 4);
STM_ASSERT_SIZE(struct stm_log_data_domain_degraded, 10);
STM_ASSERT_OFFSET(struct stm_log_data_domain_degraded, expected_domain_type, 8);
STM_ASSERT_OFFSET(struct stm_log_data_domain_degraded, degraded_domain_type, 9);

STM_ASSERT_SIZE(struct stm_vmcs_database_request, 16);
STM_ASSERT_OFFSET(struct stm_vmcs_database_request, vmcs_phys_pointer, 0);
STM_ASSERT_OFFSET(struct stm_vmcs_database_request, policy, 8);
STM_ASSERT_OFFSET(struct stm_vmcs_database_request, add_or_remove, 12);

STM_ASSERT_SIZE(struct stm_hw_header, 2048);
STM_ASSERT_OFFSET(struct stm_hw_header, stm_header_revision, 0x00);
STM_ASSERT_OFFSET(struct stm_hw_header, monitor_features, 0x04);
STM_ASSERT_OFFSET(struct stm_hw_header, gdtr_limit, 0x08);
STM_ASSERT_OFFSET(struct stm_hw_header, gdtr_base_offset, 0x0C);
STM_ASSERT_OFFSET(struct stm_hw_header, cs_selector, 0x10);
STM_ASSERT_OFFSET(struct stm_hw_header, eip_offset, 0x14);
STM_ASSERT_OFFSET(struct stm_hw_header, esp_offset, 0x18);
STM_ASSERT_OFFSET(struct stm_hw_header, cr3_offset, 0x1C);
STM_ASSERT_OFFSET(struct stm_hw_header, reserved, 0x20);
STM_ASSERT_SIZE(struct stm_sw_header, 0x1C);
STM_ASSERT_OFFSET(struct stm_header, sw_stm_hdr, STM_SW_HEADER_OFFSET);
STM_ASSERT_OFFSET(struct stm_header, sw_stm_hdr.stm_spec_ver_major, 0x800);
STM_ASSERT_OFFSET(struct stm_header, sw_stm_hdr.stm_spec_ver_minor, 0x801);
STM_ASSERT_OFFSET(struct stm_header, sw_stm_hdr.reserved, 0x802);
STM_ASSERT_OFFSET(struct stm_header, sw_stm_hdr.static_image_size, 0x804);
STM_ASSERT_OFFSET(struct stm_header, sw_stm_hdr.per_proc_dynamic_memory_size, 0x808);
STM_ASSERT_OFFSET(struct stm_header, sw_stm_hdr.additional_dynamic_memory_size, 0x80C);
STM_ASSERT_OFFSET(struct stm_header, sw_stm_hdr.stm_features, 0x810);
STM_ASSERT_OFFSET(struct stm_header, sw_stm_hdr.number_of_rev_ids, 0x814);
STM_ASSERT_OFFSET(struct stm_header, sw_stm_hdr.stm_smm_rev_id, 0x818);

STM_ASSERT_SIZE(struct stm_protection_exception_handler, 24);
STM_ASSERT_SIZE(struct stm_psd, STM_PSD_SIZE);
STM_ASSERT_OFFSET(struct stm_psd, signature, 0x00);
STM_ASSERT_OFFSET(struct stm_psd, size, 0x08);
STM_ASSERT_OFFSET(struct stm_psd, smm_descriptor_ver_major, 0x0A);
STM_ASSERT_OFFSET(struct stm_psd, smm_descriptor_ver_minor, 0x0B);
STM_ASSERT_OFFSET(struct stm_psd, local_apic_id, 0x0C);
STM_ASSERT_OFFSET(struct stm_psd, smm_entry_state, 0x10);
STM_ASSERT_OFFSET(struct stm_psd, smm_resume_state, 0x11);
STM_ASSERT_OFFSET(struct stm_psd, stm_smm_state, 0x12);
STM_ASSERT_OFFSET(struct stm_psd, reserved4, 0x13);
STM_ASSERT_OFFSET(struct stm_psd, smm_cs, 0x14);
STM_ASSERT_OFFSET(struct stm_psd, smm_ds, 0x16);
STM_ASSERT_OFFSET(struct stm_psd, smm_ss, 0x18);
STM_ASSERT_OFFSET(struct stm_psd, smm_other_segment, 0x1A);
STM_ASSERT_OFFSET(struct stm_psd, smm_tr, 0x1C);
STM_ASSERT_OFFSET(struct stm_psd, reserved5, 0x1E);
STM_ASSERT_OFFSET(struct stm_psd, smm_cr3, 0x20);
STM_ASSERT_OFFSET(struct stm_psd, smm_stm_setup_rip, 0x28);
STM_ASSERT_OFFSET(struct stm_psd, smm_stm_teardown_rip, 0x30);
STM_ASSERT_OFFSET(struct stm_psd, smm_smi_handler_rip, 0x38);
STM_ASSERT_OFFSET(struct stm_psd, smm_smi_handler_rsp, 0x40);
STM_ASSERT_OFFSET(struct stm_psd, smm_gdt_ptr, 0x48);
STM_ASSERT_OFFSET(struct stm_psd, smm_gdt_size, 0x50);
STM_ASSERT_OFFSET(struct stm_psd, required_stm_smm_rev_id, 0x54);
STM_ASSERT_OFFSET(struct stm_psd, stm_protection_exception_handler, 0x58);
STM_ASSERT_OFFSET(struct stm_psd, stm_protection_exception_handler.spe_rsp, 0x60);
STM_ASSERT_OFFSET(struct stm_psd, stm_protection_exception_handler.spe_ss, 0x68);
STM_ASSERT_OFFSET(struct stm_psd, stm_protection_exception_handler.filter, 0x6A);
STM_ASSERT_OFFSET(struct stm_psd, stm_protection_exception_handler.reserved2, 0x6C);
STM_ASSERT_OFFSET(struct stm_psd, reserved6, 0x70);
STM_ASSERT_OFFSET(struct stm_psd, bios_hw_resource_requirements_ptr, 0x78);
STM_ASSERT_OFFSET(struct stm_psd, acpi_rsdp, 0x80);
STM_ASSERT_OFFSET(struct stm_psd, physical_address_bits, 0x88);

STM_ASSERT_SIZE(struct stm_map_address_range_descriptor, 24);
STM_ASSERT_OFFSET(struct stm_map_address_range_descriptor, virtual_address, 8);
STM_ASSERT_OFFSET(struct stm_map_address_range_descriptor, page_count, 16);
STM_ASSERT_OFFSET(struct stm_map_address_range_descriptor, pat_cache_type, 20);
STM_ASSERT_SIZE(struct stm_unmap_address_range_descriptor, 12);
STM_ASSERT_OFFSET(struct stm_unmap_address_range_descriptor, length, 8);
STM_ASSERT_SIZE(struct stm_address_lookup_descriptor, 52);
STM_ASSERT_OFFSET(struct stm_address_lookup_descriptor, length, 8);
STM_ASSERT_OFFSET(struct stm_address_lookup_descriptor, interrupted_cr3, 12);
STM_ASSERT_OFFSET(struct stm_address_lookup_descriptor, interrupted_eptp, 20);
STM_ASSERT_OFFSET(struct stm_address_lookup_descriptor, flags, 28);
STM_ASSERT_OFFSET(struct stm_address_lookup_descriptor, reserved2, 32);
STM_ASSERT_OFFSET(struct stm_address_lookup_descriptor, physical_address, 36);
STM_ASSERT_OFFSET(struct stm_address_lookup_descriptor, smm_guest_virtual_address, 44);

STM_ASSERT_SIZE(struct stm_protection_exception_stack_frame_x64, 224);
STM_ASSERT_OFFSET(struct stm_protection_exception_stack_frame_x64, rax, 0x70);
STM_ASSERT_OFFSET(struct stm_protection_exception_stack_frame_x64, cr8, 0x78);
STM_ASSERT_OFFSET(struct stm_protection_exception_stack_frame_x64, cr3, 0x80);
STM_ASSERT_OFFSET(struct stm_protection_exception_stack_frame_x64, cr2, 0x88);
STM_ASSERT_OFFSET(struct stm_protection_exception_stack_frame_x64, cr0, 0x90);
STM_ASSERT_OFFSET(struct stm_protection_exception_stack_frame_x64,
		  vmcs_exit_instruction_info, 0x98);
STM_ASSERT_OFFSET(struct stm_protection_exception_stack_frame_x64,
		  vmcs_exit_instruction_length, 0xA0);
STM_ASSERT_OFFSET(struct stm_protection_exception_stack_frame_x64, vmcs_exit_qualification, 0xA8);
STM_ASSERT_OFFSET(struct stm_protection_exception_stack_frame_x64, error_code, 0xB0);
STM_ASSERT_OFFSET(struct stm_protection_exception_stack_frame_x64, rip, 0xB8);
STM_ASSERT_OFFSET(struct stm_protection_exception_stack_frame_x64, cs, 0xC0);
STM_ASSERT_OFFSET(struct stm_protection_exception_stack_frame_x64, rflags, 0xC8);
STM_ASSERT_OFFSET(struct stm_protection_exception_stack_frame_x64, rsp, 0xD0);
STM_ASSERT_OFFSET(struct stm_protection_exception_stack_frame_x64, ss, 0xD8);
STM_ASSERT_SIZE(struct stm_protection_exception_stack_frame_ia32, 80);
STM_ASSERT_OFFSET(struct stm_protection_exception_stack_frame_ia32, cr3, 0x1C);
STM_ASSERT_OFFSET(struct stm_protection_exception_stack_frame_ia32,
		  vmcs_exit_instruction_length, 0x2C);
STM_ASSERT_OFFSET(struct stm_protection_exception_stack_frame_ia32, vmcs_exit_qualification, 0x30);
STM_ASSERT_OFFSET(struct stm_protection_exception_stack_frame_ia32, error_code, 0x38);
STM_ASSERT_OFFSET(struct stm_protection_exception_stack_frame_ia32, eip, 0x3C);
STM_ASSERT_OFFSET(struct stm_protection_exception_stack_frame_ia32, ss, 0x4C);

#endif /* STM_WIRE_H */
