#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Pad an option ROM to 512-byte blocks, set its size byte and checksum."""
import sys

src, dst = sys.argv[1], sys.argv[2]
rom = bytearray(open(src, 'rb').read())
rom += b'\0'                      # room for the checksum byte
rom += b'\0' * (-len(rom) % 512)
if len(rom) > 0x10000:
    sys.exit(f"mkrom: {len(rom)} bytes: over the 64 KiB from 0xD0000")
rom[2] = len(rom) // 512
rom[-1] = (-sum(rom[:-1])) & 0xFF
assert sum(rom) & 0xFF == 0
open(dst, 'wb').write(rom)
