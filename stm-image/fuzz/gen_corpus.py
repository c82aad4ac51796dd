#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""Generate the seed corpora in fuzz/corpus/<fuzzer>/ (committed; rerun to refresh).

Layouts mirror fuzz_common.h: the arena starts at physical 0x100000, TSEG
(and the BIOS list) at arena page 64.
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
MEM_BASE = 0x100000
BIOS_PA = MEM_BASE + 64 * 4096


def hdr(t, length, flags=0):
    return struct.pack('<IHH', t, length, flags)


def end(cont=0):
    return hdr(0, 16) + struct.pack('<Q', cont)


def mem(base, length, rwx, t=1, flags=0):
    return hdr(t, 32, flags) + struct.pack('<QQII', base, length, rwx, 0)


def io(base, length):
    return hdr(2, 16) + struct.pack('<HHI', base, length, 0)


def tio(base, length, fl=3):
    return hdr(6, 16) + struct.pack('<HHHH', base, length, fl, 0)


def msr(idx, r, w, kmp=0):
    return hdr(4, 32) + struct.pack('<IIQQ', idx, kmp, r, w)


def pci(bus, rw, base, length, path):
    n = len(path)
    b = hdr(5, 22 + 6 * (n - 1)) + struct.pack('<HHHBB', rw, base, length, bus, n - 1)
    for dev, fn in path:
        b += struct.pack('<BBHBB', 1, 1, 6, fn, dev)
    return b


def allr():
    return hdr(7, 8)


ONES = (1 << 64) - 1


def write(fuzzer, name, data):
    d = os.path.join(HERE, 'corpus', fuzzer)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data)


def page(b):
    assert len(b) <= 4096
    return b + bytes(4096 - len(b))


def mle_list():
    f = 'fuzz_mle_list'
    off = struct.pack('<H', 0)
    write(f, 'mem', off + mem(0x200000, 0x2000, 7) + end())
    write(f, 'mixed', off + mem(0x200000, 0x1000, 1) + io(0x3F8, 8) +
          msr(0x3A, 0, ONES) + pci(0, 3, 0, 0x1000, [(3, 0)]) + allr() + end())
    write(f, 'two-pieces', off + page(mem(0x200000, 0x1000, 7) + end(MEM_BASE + 4096)) +
          io(0x80, 1) + end())
    write(f, 'full-page', off + b''.join(mem(0x200000 + i * 0x1000, 0x1000, 7)
                                         for i in range(127)) + end())
    write(f, 'end-at-4080', off + b''.join(mem(0x200000 + i * 0x1000, 0x1000, 7)
                                           for i in range(127)) + io(1, 1) + end())
    write(f, 'zero-length', off + hdr(1, 0) + bytes(24) + end())
    write(f, 'overlap-bios', off + io(0x60, 1) + end())
    write(f, 'unaligned', struct.pack('<H', 0xFF8) + bytes(0xFF8) + io(1, 1) + io(2, 1) + end())
    write(f, 'ignored', off + mem(0x200800, 0x10, 0xFF, flags=0x8000) + hdr(9, 16, 0x8000) +
          bytes(8) + end())
    write(f, 'cycle', off + io(1, 1) + end(MEM_BASE))
    write(f, 'pci-path', off + pci(0, 1, 0, 0x1000, [(0x1C, 0), (0, 1)]) + end())


def bios_list():
    f = 'fuzz_bios_list'
    std = (mem(BIOS_PA, 32 * 4096, 7) + mem(0xFED00000, 0x1000, 3, t=3) + io(0x60, 5) +
           msr(0x1A0, ONES, 0, 1) + pci(0, 3, 0, 0x100, [(0x1F, 0)]) + tio(0xB2, 2))
    write(f, 'std', std + end())
    write(f, 'empty', end())
    write(f, 'continued', page(std + end(BIOS_PA + 4096)) + io(0x70, 2) + end())
    big = b''.join(mem(0x80000000 + i * 0x10000, 0x800, 3) for i in range(127))
    big += io(0xCF8, 8) + mem(0xFED00000, 0x1000, 3, t=3)
    big += b''.join(msr(0x100 + i, ONES, 0) for i in range(10))
    write(f, 'straddle', big + end())
    write(f, 'all', allr() + std + end())
    write(f, 'bad-type', hdr(9, 16) + bytes(8) + end())
    write(f, 'ignored-type', hdr(9, 16, 0x8000) + bytes(8) + end())
    write(f, 'pci-bytes', pci(0, 1, 0x40, 4, [(0x1F, 0)]) + pci(1, 2, 0, 0x1000, [(0x1C, 0), (0, 0)]) + end())


def log_reader():
    f = 'fuzz_log_reader'

    def entry(serial, typ, flags, data=b''):
        b = struct.pack('<IHH', serial, typ, flags) + data
        return b + bytes(256 - len(b))

    raw = bytearray(b'\x00\x00')      # mode 0, 1 page
    p = b''.join(entry(100 + i, 2, 2) for i in range(16))
    write(f, 'raw-full', bytes(raw[:2]) + p[2:])
    p = b''.join(entry(i * 3, 5, 2 | (8 if i & 1 else 0) | (4 if i % 5 == 0 else 0)) for i in range(16))
    write(f, 'raw-mixed', b'\x02\x00' + p[2:])
    p = b''.join(entry((0xFFFFFFF8 + i) & 0xFFFFFFFF, 2, 2 | (1 if i == 3 else 0)) for i in range(16))
    write(f, 'raw-wrap32', b'\x00\x00' + p[2:])
    # writer mode: op pairs (op, arg): 0 write, 1/2 drain, 3 toggle lock
    write(f, 'writer-basic', bytes([1, 0, 0, 10, 1, 64, 0, 5, 2, 3, 1, 64]))
    write(f, 'writer-wrap', bytes([1, 0, 0, 39, 1, 64]))
    write(f, 'writer-locks', bytes([1, 1, 0, 9, 3, 5, 1, 64, 1, 64, 3, 5, 1, 64, 0, 30, 3, 0, 1, 2, 1, 64]))
    write(f, 'writer-4pages', bytes([1, 3, 0, 39, 0, 39, 1, 70, 0, 39, 0, 39, 2, 7, 1, 70]))


def vmcall():
    f = 'fuzz_vmcall'
    API = {'START': 0, 'STOP': 1, 'PROTECT': 2, 'UNPROTECT': 3, 'GETBIOS': 4,
           'VMCSDB': 5, 'INIT': 6, 'LOG': 7}

    def call(cpu, api, page=0, edx=0, vmcs_tseg=False):
        # op 2; cpu; sel; pick_addr: k%8 < 4 -> page k%64; edx sel (<200) + byte; vmcs sel
        k = page if page % 8 < 4 else None
        assert k is not None, 'page must be < 4 mod 8'
        return bytes([2, cpu, API[api], k, 0, edx % 4, 0 if vmcs_tseg else 1])

    def desc(pg, kind, *vals):
        # op 1; page byte; slot byte; kind; then fields consumed by put_desc
        return bytes([1, pg, 0, kind] + list(vals))

    def raw(off, data):
        return bytes([0]) + struct.pack('<H', off) + bytes([len(data)]) + data

    launch = call(0, 'INIT') + call(0, 'START') + call(1, 'START') + call(2, 'START')
    stop = call(0, 'STOP') + call(1, 'STOP') + call(2, 'STOP')
    write(f, 'launch-stop', launch + stop + launch)
    # descriptor kinds: 0 MEM(base,len,rwx), 2 IO(base,len), 3 MSR(sel,idx,r,w), 4 PCI
    prog = launch + desc(8, 0, 5, 2, 7, 1, 1) + call(0, 'PROTECT', 8)
    prog += desc(9, 2, 0x60, 3, 1, 1) + call(1, 'PROTECT', 9)   # overlaps BIOS
    prog += call(2, 'UNPROTECT', 8) + call(0, 'GETBIOS', 16) + call(0, 'GETBIOS', 16, 1)
    write(f, 'protect-unprotect', prog)
    prog = launch + desc(10, 3, 1, 1, 1, 1, 1, 1) + call(0, 'PROTECT', 10) + \
        desc(11, 4, 3, 1, 2, 1) + call(0, 'PROTECT', 11) + bytes([6, 0, 0, 8, 16, 0, 0x10, 0])
    write(f, 'msr-pci-smm', prog)
    # event log: op 7 writes a request at page 63 and calls MANAGE_EVENT_LOG
    prog = launch + bytes([7, 0, 2, 0]) + bytes([7, 1, 1, 0xFF, 0x03]) + bytes([7, 2, 2]) + \
        call(0, 'INIT') + bytes([7, 0, 3]) + bytes([7, 0, 4]) + bytes([7, 0, 5])
    write(f, 'eventlog', prog)
    # VMCS DB request written raw at page 9: ptr, policy, add
    req = struct.pack('<QII', 0x5000, 0xF, 1)
    prog = launch + raw(9 * 4096, req) + call(0, 'VMCSDB', 9) + call(0, 'VMCSDB', 9) + \
        raw(9 * 4096 + 12, struct.pack('<I', 0)) + call(0, 'VMCSDB', 9)
    write(f, 'vmcsdb', prog)
    write(f, 'ordering', call(1, 'PROTECT', 8) + call(1, 'START') + call(0, 'INIT') +
          call(0, 'INIT') + call(0, 'STOP') + call(1, 'STOP') + call(0, 'START', vmcs_tseg=True))


mle_list()
bios_list()
log_reader()
vmcall()
