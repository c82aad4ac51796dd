/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR BSD-2-Clause */
/*
 * stmexec: user ABI of the STM executive monitor (/dev/stmexec).
 *
 * Every structure is made of __u8..__u64 fields with explicit padding, so its
 * layout is the same for 32-bit and 64-bit callers; user pointers travel as
 * __u64. Fields named "flags" or "reserved" must be zero on input, otherwise
 * the call fails with -EINVAL. Unknown commands fail with -ENOTTY and
 * change nothing, not even sysfs last_error (isatty() sends TCGETS). Every
 * command needs CAP_SYS_ADMIN (-EPERM otherwise, checked first). A failed
 * command changes nothing.
 *
 * Errors travel with the request (ABI 1.1): the commands that take a
 * request structure with an @err_ptr field (PROTECT, UNPROTECT,
 * LIST_RANGES, GET_BIOS_RESOURCES, LOG_SETUP, VMCS_DB, CONTROL) write a
 * struct stmexec_error to @err_ptr when it is not zero: on success (code
 * 0, empty message) and on failure (the errno, the offending entry, the
 * reason). That record belongs to the caller: a concurrent caller's
 * failure never lands in it. sysfs last_error keeps the reason of the
 * last failure of ANY caller (ioctl, sysfs write, hotplug, suspend), for
 * people and for callers that pass @err_ptr = 0 (binaries built against
 * ABI 1.0, where the field was reserved and zero; they work unchanged).
 * Read GET_VERSION's abi_minor (>= 1) before relying on @err_ptr: a 1.0
 * module refuses a non-zero @err_ptr with -EINVAL as a reserved field.
 *
 * Every errno below is returned with the request's state unchanged. Common
 * to every command: -EPERM (no CAP_SYS_ADMIN), -ENOTTY (unknown command),
 * -EFAULT (the request, an array or @err_ptr is not readable/writable;
 * checked before anything changes), -ERESTARTSYS (a signal arrived while
 * waiting for another request; the call is restarted or fails with
 * -EINTR), -EINVAL (a flags/reserved/pad field is not zero). The full map
 * with remedies is in Documentation/admin-guide/stmexec.rst.
 *
 * read(2) returns whole struct stmexec_log_record (count smaller than one:
 * -EINVAL) and needs CAP_SYS_ADMIN (-EPERM). Each open file has its own
 * cursor, starting at the oldest record held at its first read(2) or
 * poll(2); every reader gets every record. Nothing queued: -EAGAIN with
 * O_NONBLOCK, else the call sleeps; no log (monitor off, no LOG_SETUP, or
 * torn down by a disable): the records left, then -ENXIO, and poll(2)
 * reports EPOLLHUP.
 */
#ifndef _UAPI_LINUX_STMEXEC_H
#define _UAPI_LINUX_STMEXEC_H

#include <linux/const.h>
#include <linux/ioctl.h>
#include <linux/types.h>

/*
 * Ioctl magic 0xB9: no entry for 0xB9 in
 * Documentation/userspace-api/ioctl/ioctl-number.rst up to 6.18 (0xB8 is
 * mshv/mrvl_cn10k_dpi, 0xBA liveupdate, 0xBF mlxbf-pka). Sequence numbers
 * 0x00-0x3F are used; the block is requested whole.
 */
#define STMEXEC_IOCTL_MAGIC	0xB9

#define STMEXEC_ABI_MAJOR	1
/* 1.1: struct stmexec_error through @err_ptr, STMEXEC_CONTROL */
#define STMEXEC_ABI_MINOR	1

/*
 * Feature bits reported by STMEXEC_GET_VERSION: what works on the running
 * kernel and CPU, not what was compiled.
 */
#define STMEXEC_FEAT_SIM_BACKEND	_BITULL(0)	/* backend=sim available */
/* backend=vmx can run: the kernel exports its CR4 API, the CPU has VMX */
#define STMEXEC_FEAT_VMX_BACKEND	_BITULL(1)
#define STMEXEC_FEAT_RANGES		_BITULL(2)	/* PROTECT/UNPROTECT/LIST */
#define STMEXEC_FEAT_EVENT_LOG		_BITULL(3)	/* LOG_* and read() */
#define STMEXEC_FEAT_VMCS_DB		_BITULL(4)	/* VMCS_DB */
#define STMEXEC_FEAT_POLICY		_BITULL(5)	/* default policy + report */
#define STMEXEC_FEAT_ATTEST		_BITULL(6)	/* IMA measures the report */

/**
 * struct stmexec_version - STMEXEC_GET_VERSION
 * @abi_major: incompatible changes bump this
 * @abi_minor: compatible additions bump this
 * @features: STMEXEC_FEAT_* bits
 * @reserved: zero
 */
struct stmexec_version {
	__u32 abi_major;
	__u32 abi_minor;
	__u64 features;
	__u64 reserved[2];
};

/* Bytes of struct stmexec_error.msg, the terminating NUL included. */
#define STMEXEC_ERR_MSG_LEN	256

/* struct stmexec_error.flags */
#define STMEXEC_ERRF_TRUNCATED	0x1	/* the reason was longer than @msg */

/**
 * struct stmexec_error - the outcome of one request, written to @err_ptr
 * @code: 0 on success, else the positive errno the call failed with
 * @index: the offending entry of the request (PROTECT/UNPROTECT: the
 *	   same as err_index), or ~0 if the failure is not about one entry
 * @flags: STMEXEC_ERRF_* (out)
 * @reserved: zero (out)
 * @msg: NUL-terminated reason with what to do, the text sysfs last_error
 *	 shows for it (without the "-EXXX: " prefix); empty on success and
 *	 for failures that have no reason besides the errno (-EFAULT,
 *	 -ENOMEM of a copy, -ERESTARTSYS)
 *
 * Every field is output only: the module never reads the record. A user
 * pointer to a fixed record rather than a buffer inside the request: the
 * request structures had only 16 reserved bytes, their size is part of
 * the command number (_IOW/_IOWR), so growing them would have made new
 * commands; a record of fixed size needs no length field and holds every
 * reason the module formats (sysfs last_error has the same bound).
 */
struct stmexec_error {
	__u32 code;
	__u32 index;
	__u32 flags;
	__u32 reserved;
	char msg[STMEXEC_ERR_MSG_LEN];
};

/* Monitor states (sysfs "state" spells them off/starting/on/stopping/failed). */
#define STMEXEC_STATE_OFF	0
#define STMEXEC_STATE_STARTING	1
#define STMEXEC_STATE_ON	2
#define STMEXEC_STATE_STOPPING	3
#define STMEXEC_STATE_FAILED	4

#define STMEXEC_BACKEND_VMX	0
#define STMEXEC_BACKEND_SIM	1

#define STMEXEC_LAUNCH_NONE	0
#define STMEXEC_LAUNCH_NON_TXT	1
#define STMEXEC_LAUNCH_TXT	2
#define STMEXEC_LAUNCH_SIM	3

/**
 * struct stmexec_status - STMEXEC_GET_STATUS
 * @state: STMEXEC_STATE_*
 * @backend: STMEXEC_BACKEND_*
 * @cpus_online: online CPUs
 * @cpus_active: CPUs on which the STM is started
 * @launch_mode: STMEXEC_LAUNCH_*
 * @stm_caps: EBX returned by the activating INITIALIZE_PROTECTION
 * @last_errno: positive errno of the last failed operation, 0 if none
 * @policy_level: isolation policy level in force (0 if none)
 * @nr_ranges: protected ranges held by the module
 * @log_records: records delivered to readers since load
 * @log_dropped: records lost in the kernel ring (reader too slow)
 * @log_wrapped: STM log entries overwritten before they were read
 * @reserved: zero
 */
struct stmexec_status {
	__u32 state;
	__u32 backend;
	__u32 cpus_online;
	__u32 cpus_active;
	__u32 launch_mode;
	__u32 stm_caps;
	__u32 last_errno;
	__u32 policy_level;
	__u64 nr_ranges;
	__u64 log_records;
	__u64 log_dropped;
	__u64 log_wrapped;
	__u64 reserved[4];
};

/* Range types: the STM resource descriptor type numbers. */
#define STMEXEC_RANGE_MEM	1	/* base/length: bytes, 4 KiB aligned */
#define STMEXEC_RANGE_IO	2	/* base: first port, length: ports */
#define STMEXEC_RANGE_MMIO	3	/* base/length: bytes, 4 KiB aligned */
#define STMEXEC_RANGE_MSR	4	/* base: MSR index, length: 1 */
#define STMEXEC_RANGE_PCI	5	/* pci_*: function; base 0, length 0x1000 */
#define STMEXEC_RANGE_TRAPPED_IO 6	/* only in the BIOS list */
#define STMEXEC_RANGE_ALL	7	/* only in the BIOS list */
#define STMEXEC_RANGE_REGISTER	8	/* only in log records: addr = CRn */

/*
 * Access bits. In protection requests they name the accesses DENIED to SMM
 * (MSR: R = deny RDMSR, W = deny WRMSR; PCI and I/O: R and W; X only for
 * memory). In the BIOS list they name the accesses firmware CLAIMS.
 */
#define STMEXEC_ACC_R		0x1
#define STMEXEC_ACC_W		0x2
#define STMEXEC_ACC_X		0x4

/* struct stmexec_range.flags, output only (must be zero on input). */
#define STMEXEC_RF_IGNORED	0x1	/* BIOS: IgnoreResource set */
#define STMEXEC_RF_KERNEL_MODE	0x2	/* BIOS MSR: KernelModeProcessing */
#define STMEXEC_RF_TRAP_IN	0x4	/* BIOS trapped I/O: In */
#define STMEXEC_RF_TRAP_OUT	0x8	/* BIOS trapped I/O: Out */
#define STMEXEC_RF_TRAP_API	0x10	/* BIOS trapped I/O: Api */
#define STMEXEC_RF_PCI_BRIDGED	0x20	/* BIOS PCI: path through bridges */
#define STMEXEC_RF_POLICY	0x40	/* range owned by the default policy */

/**
 * struct stmexec_range - one protected range or BIOS resource
 * @type: STMEXEC_RANGE_*
 * @access: STMEXEC_ACC_* (deny bits for protection, claims for BIOS)
 * @base: physical address, first I/O port or MSR index
 * @length: bytes, ports, or 1 for an MSR
 * @pci_bus: PCI bus (for a bridged BIOS path: the originating bus)
 * @pci_dev: PCI device (0-31)
 * @pci_fn: PCI function (0-7)
 * @pad: zero
 * @flags: STMEXEC_RF_*, output only (zero on input, else -EINVAL)
 * @index: output: position of the descriptor in the BIOS list; zero on
 *	   input (PROTECT/UNPROTECT: -EINVAL, err_index names the entry)
 */
struct stmexec_range {
	__u32 type;
	__u32 access;
	__u64 base;
	__u64 length;
	__u8 pci_bus;
	__u8 pci_dev;
	__u8 pci_fn;
	__u8 pad;
	__u32 flags;
	__u32 index;
	__u32 reserved;
};

/* Maximum ranges per PROTECT/UNPROTECT call and held in total. */
#define STMEXEC_MAX_RANGES	16384

/**
 * struct stmexec_range_array - PROTECT, UNPROTECT, LIST_RANGES, GET_BIOS
 * @ranges_ptr: user pointer to an array of struct stmexec_range
 * @count: in: entries at @ranges_ptr (capacity for LIST/GET_BIOS);
 *	   out (LIST/GET_BIOS): entries that exist (may exceed capacity)
 * @flags: zero
 * @err_index: out on failure: index of the offending entry, else ~0
 * @bios_index: out on -EADDRINUSE: index of the conflicting BIOS
 *		descriptor, else ~0
 * @err_ptr: in: user pointer to a struct stmexec_error, or 0 (ABI >= 1.1)
 * @reserved: zero
 *
 * PROTECT/UNPROTECT errnos: -EINVAL a malformed entry (type, deny bits,
 * alignment, zero length, MSR length, PCI function, non-zero pad/flags/
 * index; err_index names it), -ERANGE an entry wraps, lies beyond the
 * physical address width, names ports above 0xffff or an MSR above 32
 * bits, -ENXIO the monitor is not on (UNPROTECT: neither on nor off),
 * -E2BIG more than STMEXEC_MAX_RANGES entries in the request or held,
 * -EADDRINUSE an entry overlaps the BIOS resource list (bios_index),
 * -EEXIST (PROTECT) already held, listed twice, or MEM/MMIO overlap,
 * -ENOENT (UNPROTECT) not held exactly as given, -EPERM an entry of the
 * default policy, -EDQUOT node_budget= or heap_budget= would be exceeded,
 * -ENOSPC the STM's protection is full, -ENOMEM, -EIO the STM returned an
 * unexpected status.
 * LIST_RANGES: the common errnos and -ENOMEM (the kernel's copy of the
 * list). GET_BIOS_RESOURCES: the same, and -ENXIO no BIOS
 * list kept: never enabled, or the firmware's list was malformed (that
 * enable failed with -EIO naming the byte; a malformed list is not kept).
 */
struct stmexec_range_array {
	__u64 ranges_ptr;
	__u32 count;
	__u32 flags;
	__u32 err_index;
	__u32 bios_index;
	__u64 err_ptr;
	__u64 reserved;
};

/**
 * struct stmexec_log_setup - STMEXEC_LOG_SETUP
 * @pages: STM log pages, 1..510
 * @event_mask: STM event types to enable (bit n = type n), 1..0x3ff
 * @ring_records: kernel ring capacity in records (0 = default)
 * @flags: zero
 * @err_ptr: in: user pointer to a struct stmexec_error, or 0 (ABI >= 1.1)
 * @reserved: zero
 *
 * LOG_SETUP errnos: -EINVAL a field out of range, -ENXIO the monitor is
 * not on, -EBUSY the log runs (LOG_STOP first), -ENOMEM no memory below
 * 4 GiB for the log, -EIO the STM returned an unexpected status.
 */
struct stmexec_log_setup {
	__u32 pages;
	__u32 event_mask;
	__u32 ring_records;
	__u32 flags;
	__u64 err_ptr;
	__u64 reserved;
};

/* STM event types (record type field), and the module's own gap record. */
#define STMEXEC_EVT_LOG_STARTED		0
#define STMEXEC_EVT_LOG_STOPPED		1
#define STMEXEC_EVT_INVALID_PARAMETER	2
#define STMEXEC_EVT_PROTECTION_EXCEPTION 3
#define STMEXEC_EVT_UNCLAIMED_RESOURCE	4
#define STMEXEC_EVT_PROTECTION_GRANTED	5
#define STMEXEC_EVT_PROTECTION_DENIED	6
#define STMEXEC_EVT_UNPROTECT		7
#define STMEXEC_EVT_UNPROTECT_ERROR	8
#define STMEXEC_EVT_DOMAIN_DEGRADED	9
#define STMEXEC_REC_GAP			0x10000	/* @lost records are missing */

/* struct stmexec_log_record.flags */
#define STMEXEC_LRF_WRAPPED	0x1	/* the STM overwrote unread entries */
#define STMEXEC_LRF_TRUNCATED	0x2	/* payload longer than recorded */
#define STMEXEC_LRF_LATE	0x4	/* counted in an earlier gap record */

#define STMEXEC_LOG_PAYLOAD	248

/**
 * struct stmexec_log_record - one record returned by read(2)
 * @serial: STM EventSerialNumber (gap record: first missing serial)
 * @timestamp_ns: CLOCK_MONOTONIC time the module collected the entry
 * @type: STMEXEC_EVT_* or STMEXEC_REC_GAP
 * @cpu: CPU the event is attributed to, or 0xffffffff if unknown
 * @flags: STMEXEC_LRF_*
 * @payload_len: valid bytes in @payload
 * @lost: gap record: number of records lost; else 0
 * @rsc_type: decoded: STMEXEC_RANGE_* of the resource in the payload, or 0
 * @access: decoded: STMEXEC_ACC_* of the access or protection
 * @addr: decoded: address, port or MSR index
 * @len: decoded: length in bytes/ports (1 for an MSR)
 * @payload: raw STM payload (entry bytes 8..255)
 * @reserved: zero
 */
struct stmexec_log_record {
	__u64 serial;
	__u64 timestamp_ns;
	__u32 type;
	__u32 cpu;
	__u32 flags;
	__u32 payload_len;
	__u64 lost;
	__u32 rsc_type;
	__u32 access;
	__u64 addr;
	__u64 len;
	__u8 payload[STMEXEC_LOG_PAYLOAD];
	__u64 reserved;
};

/* VMCS database (the per-CPU VMXON regions, i.e. the host kernel). */
#define STMEXEC_VMCS_DB_ADD	1
#define STMEXEC_VMCS_DB_REMOVE	0

/**
 * struct stmexec_vmcs_db - STMEXEC_VMCS_DB
 * @op: STMEXEC_VMCS_DB_ADD or _REMOVE, applied to every active CPU
 * @domain_type: STM DomainType bits (0..0xf)
 * @xstate_policy: 0 read/write, 1 read-only, 3 scrub
 * @degradation_policy: lowest DomainType accepted (0..0xf)
 * @flags: zero
 * @pad: zero
 * @err_ptr: in: user pointer to a struct stmexec_error, or 0 (ABI >= 1.1)
 * @reserved: zero
 *
 * VMCS_DB errnos: -EINVAL a field out of range, -ENXIO the monitor is not
 * on, -EEXIST (ADD) already added, -ENOENT (REMOVE) not added, -ENOSPC
 * the STM's database is full, -EIO the STM returned an unexpected status.
 */
struct stmexec_vmcs_db {
	__u32 op;
	__u32 domain_type;
	__u32 xstate_policy;
	__u32 degradation_policy;
	__u32 flags;
	__u32 pad;
	__u64 err_ptr;
	__u64 reserved;
};

/* struct stmexec_control.op */
#define STMEXEC_CTL_ENABLE	1	/* as STMEXEC_ENABLE */
#define STMEXEC_CTL_DISABLE	2	/* as STMEXEC_DISABLE */
#define STMEXEC_CTL_LOG_START	3	/* as STMEXEC_LOG_START */
#define STMEXEC_CTL_LOG_STOP	4	/* as STMEXEC_LOG_STOP */
#define STMEXEC_CTL_LOG_CLEAR	5	/* as STMEXEC_LOG_CLEAR */

/**
 * struct stmexec_control - STMEXEC_CONTROL (ABI >= 1.1)
 * @op: STMEXEC_CTL_*
 * @flags: zero
 * @err_ptr: user pointer to a struct stmexec_error, or 0
 * @reserved: zero
 *
 * The commands without an argument (ENABLE, DISABLE, LOG_*), with an
 * error record: same effect, same errnos, plus -EINVAL for an unknown @op.
 * ENABLE (every CPU rolled back on failure): -EALREADY already on,
 * -EHOSTDOWN a present CPU is offline, -ENODEV no STM answered or the
 * image does not fit the CPU, -EBUSY another hypervisor holds VMX, a
 * transition, suspend or shutdown is in progress, or an earlier teardown
 * failed, -EACCES VMX disabled by firmware or the STM's security
 * violation, -ETIMEDOUT a CPU did not answer, -EOPNOTSUPP the STM lacks a
 * function, -EIO other STM or VMX failures, -ENOMEM. DISABLE: 0 when
 * already off, -EBUSY a transition is in progress, -ETIMEDOUT a CPU did
 * not answer STOP, -EIO a CPU's STOP failed or a CPU could not leave VMX
 * operation (VMXOFF refused: the STM is still active there); after
 * -ETIMEDOUT/-EIO the state is failed: disable again to retry.
 * LOG_START/LOG_STOP: -ENXIO the monitor is not on, -ENOENT no log,
 * -EALREADY already in that state. LOG_CLEAR: -ENXIO, -ENOENT, -EBUSY the
 * log runs. The admin guide's troubleshooting table has the remedies.
 */
struct stmexec_control {
	__u32 op;
	__u32 flags;
	__u64 err_ptr;
	__u64 reserved[2];
};

#define STMEXEC_GET_VERSION	_IOR(STMEXEC_IOCTL_MAGIC, 0x00, struct stmexec_version)
#define STMEXEC_GET_STATUS	_IOR(STMEXEC_IOCTL_MAGIC, 0x01, struct stmexec_status)
#define STMEXEC_ENABLE		_IO(STMEXEC_IOCTL_MAGIC, 0x02)
#define STMEXEC_DISABLE		_IO(STMEXEC_IOCTL_MAGIC, 0x03)
#define STMEXEC_CONTROL		_IOW(STMEXEC_IOCTL_MAGIC, 0x04, struct stmexec_control)
#define STMEXEC_PROTECT		_IOWR(STMEXEC_IOCTL_MAGIC, 0x10, struct stmexec_range_array)
#define STMEXEC_UNPROTECT	_IOWR(STMEXEC_IOCTL_MAGIC, 0x11, struct stmexec_range_array)
#define STMEXEC_LIST_RANGES	_IOWR(STMEXEC_IOCTL_MAGIC, 0x12, struct stmexec_range_array)
#define STMEXEC_GET_BIOS_RESOURCES _IOWR(STMEXEC_IOCTL_MAGIC, 0x13, struct stmexec_range_array)
#define STMEXEC_LOG_SETUP	_IOW(STMEXEC_IOCTL_MAGIC, 0x20, struct stmexec_log_setup)
#define STMEXEC_LOG_START	_IO(STMEXEC_IOCTL_MAGIC, 0x21)
#define STMEXEC_LOG_STOP	_IO(STMEXEC_IOCTL_MAGIC, 0x22)
#define STMEXEC_LOG_CLEAR	_IO(STMEXEC_IOCTL_MAGIC, 0x23)
#define STMEXEC_VMCS_DB		_IOW(STMEXEC_IOCTL_MAGIC, 0x30, struct stmexec_vmcs_db)

#endif /* _UAPI_LINUX_STMEXEC_H */
