#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Verify, independently of the firmware, what stmfw built.

usage: verify.py SERIAL_LOG STM_IMAGE [--ncpus N] [--madt-cpus M]

N defaults to the CPU count in the dumped mailbox (rombios' MADT); the
mailbox layout follows STMFW_MAX_CPUS of stm-fw/stmfw.h. M (default N) is
how many CPUs the firmware's own MADT lists (make -C stm-fw MADT_CPUS=M).

Reads the "stmfw-dump WHAT ADDR HEX" lines stmfw (stm-fw/init.c) prints on
COM1 at boot and checks them against the STM image file and the layout
rules the STM relies on (shared/reference/stm-interface.md; SDM 3C 32.15.6;
the PSD offsets of stm-image/include/stm/wire.h). Prints one KTAP line per
check ("ok N name" / "not ok N name" with a "# reason" line), no header.
"""
import os
import re
import struct
import sys

SMRAM = (0xA0000, 0xC0000)


def max_cpus():
    h = os.path.join(os.path.dirname(os.path.abspath(__file__)), '../../stm-fw/stmfw.h')
    with open(h) as f:
        return int(re.search(r'^#define STMFW_MAX_CPUS\s+(\d+)', f.read(), re.M).group(1))


MAX_CPUS = max_cpus()


def load(path):
    mem = {}
    order = {}
    for line in open(path, errors='replace'):
        line = line.strip().replace('\r', '')
        if not line.startswith('stmfw-dump '):
            continue
        parts = line.split()
        if len(parts) != 4:
            continue
        _, what, addr, data = parts
        try:
            a = int(addr, 16)
            b = bytes.fromhex(data)
        except ValueError:
            continue
        if what not in order:
            order[what] = a
            mem[what] = bytearray()
        mem[what] += b
    return mem, order


class Checks:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def check(self, ok, name, why=''):
        self.n += 1
        if ok:
            print(f'ok {self.n} {name}')
        else:
            self.failed += 1
            print(f'# {name}: {why}')
            print(f'not ok {self.n} {name}')


def u(fmt, b, off):
    return struct.unpack_from('<' + fmt, b, off)[0]


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    mem, base = load(sys.argv[1])
    ncpus = 2
    if len(mem.get('mailbox', b'')) >= 16:
        ncpus = u('I', mem['mailbox'], 12)
    if '--ncpus' in sys.argv:
        ncpus = int(sys.argv[sys.argv.index('--ncpus') + 1])
    img = open(sys.argv[2], 'rb').read()
    c = Checks()
    need = ['gdt', 'mseg', 'msegsw', 'pml4', 'pdpt', 'pd3', 'smmpt', 'acpi', 'rsc', 'mailbox']
    need += [f'psd{i}' for i in range(ncpus)]
    missing = [w for w in need if w not in mem]
    c.check(not missing, 'dump_present', f'missing dump(s): {missing}')
    if missing:
        return c

    # MSEG header: what the CPU loads at activation (SDM 3C 32.15.6)
    c.check(mem['mseg'] == img[:0x20] and mem['msegsw'] == img[0x800:0x820],
            'mseg_header_is_the_image', 'MSEG does not start with the image file')
    mseg = base['mseg']
    cr3off = u('I', img, 0x1C)
    pml4 = mem['pml4']
    ok = base['pml4'] == mseg + cr3off and (u('Q', pml4, 0) & ~0xFFF) == base['pdpt']
    pdpt = mem['pdpt']
    for i in range(4):
        ok = ok and (u('Q', pdpt, 8 * i) & ~0xFFF) == base['pdpt'] + 0x1000 * (i + 1)
        ok = ok and (u('Q', pdpt, 8 * i) & 1)
    ok = ok and u('Q', mem['pd3'], 0) == 0xFFE00000 | 0x83
    c.check(ok, 'mseg_page_tables_at_cr3_offset',
            f'PML4 at {base["pml4"]:#x}, want MSEG {mseg:#x} + Cr3Offset {cr3off:#x}; or bad entries')
    c.check((u('Q', mem['smmpt'], 0) & ~0xFFF) == base['smmpt'] + 0x1000 and
            SMRAM[0] <= base['smmpt'] < SMRAM[1], 'smm_page_tables_in_smram', 'SMM CR3 tables')

    # GDT of the SMM guest
    g = mem['gdt']
    cs = u('Q', g, 0x38)
    ds = u('Q', g, 0x40)
    tss = u('Q', g, 0x68)
    c.check((cs >> 40) & 0x9A == 0x9A and (cs >> 53) & 1 and not (cs >> 54) & 1,
            'gdt_cs_64bit_code', f'0x38 = {cs:#018x}')
    c.check((ds >> 40) & 0x92 == 0x92, 'gdt_ds_data', f'0x40 = {ds:#018x}')
    c.check((tss >> 40) & 0x8F == 0x8B, 'gdt_tr_busy_tss', f'0x68 = {tss:#018x}')

    # ACPI: RSDP -> RSDT -> MADT, MCFG
    a = mem['acpi']
    ab = base['acpi']

    def table(addr):
        off = addr - ab
        if off < 0 or off + 36 > len(a):
            return None
        ln = u('I', a, off + 4)
        t = a[off:off + ln]
        return t if len(t) == ln and sum(t) & 0xFF == 0 else None
    rsdp_ok = a[:8] == b'RSD PTR ' and sum(a[:20]) & 0xFF == 0
    c.check(rsdp_ok, 'acpi_rsdp', 'signature or checksum')
    rsdt = table(u('I', a, 16)) if rsdp_ok else None
    c.check(rsdt is not None and rsdt[:4] == b'RSDT', 'acpi_rsdt', 'missing or bad checksum')
    madt = mcfg = None
    if rsdt:
        for i in range((len(rsdt) - 36) // 4):
            t = table(u('I', rsdt, 36 + 4 * i))
            if t and t[:4] == b'APIC':
                madt = t
            if t and t[:4] == b'MCFG':
                mcfg = t
    lapics = []
    if madt:
        off = 44
        while off + 2 <= len(madt):
            typ, ln = madt[off], madt[off + 1]
            if ln < 2:
                break
            if typ == 0 and u('I', madt, off + 4) & 1:
                lapics.append(madt[off + 3])
            off += ln
    madt_cpus = ncpus
    if '--madt-cpus' in sys.argv:
        madt_cpus = int(sys.argv[sys.argv.index('--madt-cpus') + 1])
    c.check(sorted(lapics) == list(range(madt_cpus)), 'acpi_madt_cpus',
            f'enabled LAPICs {lapics}, want {madt_cpus}')
    c.check(mcfg is not None and u('Q', mcfg, 44) != 0, 'acpi_mcfg_nonzero_base',
            'no MCFG or PCIe base 0 (Intel\'s STM dead-loops)')

    # BIOS resource list
    r = mem['rsc']
    off, descs, ok = 0, [], True
    while off + 8 <= len(r):
        typ, ln = u('I', r, off), u('H', r, off + 4)
        if ln < 8 or off + ln > len(r):
            ok = False
            break
        descs.append((typ, r[off:off + ln]))
        off += ln
        if typ == 0:
            break
    ok = ok and descs and descs[-1][0] == 0 and u('Q', descs[-1][1], 8) == 0
    mems = [(u('Q', d, 8), u('Q', d, 16)) for t, d in descs if t == 1]
    ios = [(u('H', d, 8), u('H', d, 10)) for t, d in descs if t == 2]
    ok = ok and (0xA0000, 0x20000) in mems and (0xB2, 2) in ios
    c.check(ok, 'bios_resource_list', f'descriptors {[t for t, _ in descs]}, mem {mems}, io {ios}')

    # PSD per CPU (wire.h offsets)
    for i in range(ncpus):
        p = mem[f'psd{i}']
        smbase = base[f'psd{i}'] - 0xFB00
        why = []
        if p[:8] != b'TXTPSSIG':
            why.append('signature')
        if u('H', p, 8) != 137 or p[10] != 1:
            why.append('size/version')
        if u('I', p, 0x0C) != i:
            why.append('local APIC id')
        if not p[0x10] & 2:
            why.append('entry state not IA-32e')
        if (u('H', p, 0x14), u('H', p, 0x16), u('H', p, 0x18), u('H', p, 0x1A), u('H', p, 0x1C)) != \
                (0x38, 0x40, 0x40, 0x40, 0x68):
            why.append('selectors')
        if u('Q', p, 0x20) != base['smmpt']:
            why.append('SmmCr3')
        rip, rsp = u('Q', p, 0x38), u('Q', p, 0x40)
        if not (SMRAM[0] <= rip < SMRAM[1] and SMRAM[0] < rsp <= SMRAM[1]):
            why.append(f'SmiHandlerRip/Rsp {rip:#x}/{rsp:#x} not in SMRAM')
        if u('Q', p, 0x48) != base['gdt'] or u('I', p, 0x50) != len(g):
            why.append('GDT ptr/size')
        if u('I', p, 0x54) != 0x80010100:
            why.append('RequiredStmSmmRevId')
        spe = u('Q', p, 0x58)
        if not SMRAM[0] <= spe < SMRAM[1] or not u('Q', p, 0x60):
            why.append(f'SpeRip {spe:#x}')
        if u('Q', p, 0x78) != base['rsc']:
            why.append('BiosHwResourceRequirementsPtr')
        if u('Q', p, 0x80) != ab:
            why.append('AcpiRsdp')
        if not 32 <= p[0x88] <= 52:
            why.append('PhysicalAddressBits')
        c.check(not why and smbase == 0xA0000 + 0x2000 * i, f'psd_cpu{i}',
                ', '.join(why) or f'at SMBASE {smbase:#x}')

    # mailbox: relocation and MSR 0x9B as the SMIs saw them
    m = mem['mailbox']
    ok = m[:8] == b'STMFWMB1'
    smb = [u('I', m, 16 + 4 * i) for i in range(ncpus)]
    msr = [u('Q', m, 16 + 8 * MAX_CPUS + 8 * i) for i in range(ncpus)]
    c.check(ok and smb == [0xA0000 + 0x2000 * i for i in range(ncpus)], 'smbase_relocated',
            f'SMBASEs {[hex(x) for x in smb]}')
    c.check(ok and all(x == mseg | 1 for x in msr), 'msr_9b_mseg_valid',
            f'MSR 0x9B {[hex(x) for x in msr]}, want {mseg | 1:#x}')
    sb, sm = u('Q', m, 16 + 16 * MAX_CPUS), u('Q', m, 24 + 16 * MAX_CPUS)
    c.check(sb & ~0xFFF == 0xA0000 and sm & 0x800 and (sm & 0xFFFFF000) == 0xFFFE0000,
            'smrr_describes_smram', f'SMRR {sb:#x}/{sm:#x}')
    return c


if __name__ == '__main__':
    res = main()
    sys.exit(1 if res.failed else 0)
