# SPDX-License-Identifier: GPL-2.0
#
# stmexec top-level Makefile. `make help` lists the targets.
#
# Kernel selection (never `uname -r`): the newest installed Debian kernel
# that has both headers (/lib/modules/<ver>/build) and /boot/vmlinuz-<ver>.
#   make KVER=6.1                 a release or series prefix
#   make KDIR=/path/to/headers    any prepared kernel build tree
# W=1 / C=1 (and V=1) are passed to Kbuild.

TOP := $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))
BUILD := $(TOP)/build
MK := $(TOP)/mk
export TOP

# Resolved lazily and once: `make deps` must work before any kernel exists.
ifneq ($(origin KDIR),undefined)
KVER_RESOLVED = $(eval KVER_RESOLVED := $(shell $(MK)/kernels.sh kver $(KDIR)))$(KVER_RESOLVED)
KDIR_RESOLVED = $(KDIR)
else
ifneq ($(origin KVER),undefined)
KVER_RESOLVED = $(eval KVER_RESOLVED := $(shell $(MK)/kernels.sh resolve $(KVER)))$(KVER_RESOLVED)
else
KVER_RESOLVED = $(eval KVER_RESOLVED := $(shell $(MK)/kernels.sh default))$(KVER_RESOLVED)
endif
KDIR_RESOLVED = /lib/modules/$(KVER_RESOLVED)/build
endif

# Kernels `make check` and `make modules-check` cover.
CHECK_KERNELS ?= 6.1 6.12
export CHECK_KERNELS

KBUILD_ARGS := $(if $(W),W=$(W)) $(if $(C),C=$(C)) $(if $(V),V=$(V))

# Kernel files used at build time, extracted from Debian's linux-source
# package (never committed): checkpatch.pl and the kselftest harness.
LINUX_SRC_TAR ?= /usr/src/linux-source-6.1.tar.xz
LSRC_TOPDIR := $(basename $(basename $(notdir $(LINUX_SRC_TAR))))
LSRC := $(BUILD)/linux-source
LSRC_FILES := scripts/checkpatch.pl scripts/spelling.txt \
	scripts/const_structs.checkpatch \
	tools/testing/selftests/kselftest_harness.h \
	tools/testing/selftests/kselftest.h
KSELFTEST_HEADERS := $(BUILD)/kselftest/kselftest_harness.h \
	$(BUILD)/kselftest/kselftest.h

FUZZ_TIME ?= 60
BENCH_SMP ?= 2 4

# A sub-make; a missing directory or Makefile is an error, never a skip.
submake = +$(MAKE) -C $(1) $(2)

.PHONY: all help deps kernels modules modules-all modules-check check-nosim tools \
	selftests stm-image kselftest-headers linux-scripts lint check demo \
	bench fuzz guest shell check-harness clean check-bochs debug-kernel check-debug \
	install uninstall modules_install deb deps-packaging deps-demo deps-stm check-packaging kselftest-install check-intree \
	bochs-dm check-bochs-dm \
	check-stmfw check-stm demo-stm bench-stm

all: modules tools selftests stm-image

help:
	@echo "stmexec targets:"
	@echo "  deps            apt-get install what the build and every test tier need (quick when present)"
	@echo "  deps-demo       only what make demo needs (mk/deps.list); deps-packaging: make deb/check-packaging; deps-stm: demo-stm"
	@echo "  all (default)   module for the default kernel, CLI, selftests, stm-image host tests"
	@echo "  modules         build/<kver>/kmod/stmexec.ko, the test build (simulated STM), for the default kernel (KDIR=, KVER=, W=1, C=1)"
	@echo "  check-nosim     the production build (build/prod/<kver>/) W=1 C=1, and nm: no simulator symbols"
	@echo "  modules-all     the module for every installed Debian kernel"
	@echo "  modules-check   W=1 C=1 from scratch for $(CHECK_KERNELS); any warning fails"
	@echo "  lint            checkpatch --strict, shellcheck, function length and bool parameters (mk/fnlen.sh), kmod/ layering (mk/layers.sh), HACKING.md vs the tree (mk/hacking.sh)"
	@echo "  check           deps, modules-check, lint, unit tests, in-guest tests on $(CHECK_KERNELS)"
	@echo "  demo            deps, build, boot the guest and drive the module with the CLI; then demo-stm if the patched Bochs is cached"
	@echo "  bench           stm-image benchmark and in-guest /tests/*_bench (BENCH_SMP='$(BENCH_SMP)')"
	@echo "  fuzz            make -C stm-image fuzz FUZZ_TIME=$(FUZZ_TIME)"
	@echo "  guest CMD=...   boot the default (or KVER=) kernel and run CMD in the guest"
	@echo "  shell           an interactive shell in the guest (Ctrl-A X quits)"
	@echo "  check-harness   self-test of the QEMU harness (exit codes, watchdog, panic)"
	@echo "  kernels         list the usable kernels and the default"
	@echo "  debug-kernel    build the cached KASAN/lockdep/kmemleak guest kernel"
	@echo "  check-debug     the reliability tier on that kernel"
	@echo "  check-bochs     real VMX instructions under Bochs (BOCHS_ARGS= passes options)"
	@echo "  install         CLI, man page, completion, uapi header, systemd units, config (DESTDIR=, PREFIX=)"
	@echo "  uninstall       remove what install installed and its empty directories (changed configuration in /etc is kept)"
	@echo "  modules_install the production stmexec.ko into DESTDIR/lib/modules/<kver>/updates + depmod (KVER=, KDIR=)"
	@echo "  deb             stmexec-dkms and stmexec-tools .debs into build/deb/ (+ lintian)"
	@echo "  check-packaging the .debs installed in a Debian 12 guest booted with systemd"
	@echo "  kselftest-install  the selftests via linux-source's tools/testing/selftests into build/ksft/install"
	@echo "  bochs-dm        build the cached Bochs 3.0 with the dual-monitor treatment"
	@echo "  check-bochs-dm  bare-metal SDM conformance suite of that Bochs"
	@echo "  check-stmfw     the stmfw test firmware under Debian's Bochs (STM=intel|PATH)"
	@echo "  check-stm       Intel's STM (STM=ours: the bundled one) under the module, in the dual-monitor Bochs (STM=, KVER=, CPUS=2..4)"
	@echo "  demo-stm        optional: a violation caught by the bundled STM (needs the patched Bochs cached)"
	@echo "  bench-stm       the bundled STM vs Intel's: instructions per SMI (Bochs counts), pool pages, MSEG bytes"
	@echo "  check-intree    mk/intree.sh into linux-source-6.1 (drivers/virt/stmexec, CONFIG_STMEXEC=m), compiled in tree"
	@echo "  clean           remove build/ and the sub-directories' build products"

deps:
	@$(MK)/deps.sh

deps-packaging:
	@$(MK)/deps.sh $(MK)/deps-packaging.list

# What the demo needs and nothing else (no Bochs, sparse, clang, swtpm).
deps-demo:
	@$(MK)/deps.sh $(MK)/deps.list

kernels:
	@$(MK)/kernels.sh list | sed 's/^/  /'
	@echo "default: $$($(MK)/kernels.sh default)"

modules:
	@test -n "$(KVER_RESOLVED)" || { echo "no kernel to build for (see the message above; make deps installs one)"; exit 1; }
	+@$(MK)/build-module.sh $(KDIR_RESOLVED) $(KBUILD_ARGS)

modules-all:
	+@set -e; for v in $$($(MK)/kernels.sh list); do \
		$(MK)/build-module.sh /lib/modules/$$v/build $(KBUILD_ARGS); done

# The production build (no simulated STM) for the default kernel or KVER=,
# W=1 C=1, and nm: no simulator symbol in it (make check does this on
# every CHECK_KERNELS kernel).
check-nosim:
	@test -n "$(KVER_RESOLVED)" || { echo "no kernel to build for (see the message above; make deps installs one)"; exit 1; }
	+@$(MK)/build-module.sh --production --check $(BUILD)/logs/modules-prod-$(KVER_RESOLVED).log \
		$(KDIR_RESOLVED) W=1 C=1
	@$(MK)/nosim-check.sh $(BUILD)/prod/$(KVER_RESOLVED)/kmod/stmexec.ko

modules-check:
	+@set -e; fail=0; for k in $(CHECK_KERNELS); do \
		v=$$($(MK)/kernels.sh resolve $$k); \
		$(MK)/build-module.sh --fresh --check $(BUILD)/logs/modules-$$v.log \
			--out $(BUILD)/check/$$v /lib/modules/$$v/build W=1 C=1 || fail=1; \
	done; exit $$fail

tools:
	$(call submake,tools)

# image_test needs stm.bin and stmimg (built by stm-image) before it
selftests: kselftest-headers stm-image
	$(call submake,selftests)

stm-image:
	$(call submake,stm-image)

kselftest-headers: $(KSELFTEST_HEADERS)

linux-scripts: $(LSRC)/.stamp

$(LSRC)/.stamp: $(wildcard $(LINUX_SRC_TAR))
	@test -r $(LINUX_SRC_TAR) || { echo "$(LINUX_SRC_TAR) not found: run 'make deps' (package linux-source-6.1)"; exit 1; }
	@echo "  EXTRACT $(LSRC_FILES) from $(LINUX_SRC_TAR)"
	@rm -rf $(LSRC).tmp && mkdir -p $(LSRC).tmp
	@tar -xJf $(LINUX_SRC_TAR) -C $(LSRC).tmp --strip-components=1 \
		$(addprefix $(LSRC_TOPDIR)/,$(LSRC_FILES))
	@rm -rf $(LSRC) && mv $(LSRC).tmp $(LSRC) && touch $@

$(BUILD)/kselftest/%.h: $(LSRC)/.stamp
	@mkdir -p $(dir $@)
	@cp $(LSRC)/tools/testing/selftests/$*.h $@

# lint includes mk/layers.sh, which reads the objects of a module build.
lint: linux-scripts modules
	@STMEXEC_OBJDIR=$(BUILD)/$(KVER_RESOLVED)/kmod $(MK)/lint.sh $(LSRC)/scripts

check: deps
	+@$(MK)/check.sh

# The QEMU demo, then, only when the patched dual-monitor Bochs is already
# cached (mk/bochs-dm/build.sh, 5-35 min, never built by the demo), the
# bundled STM catching a violation (demo-stm); otherwise one line says how.
demo: deps-demo
	+@$(MAKE) --no-print-directory all
	@$(MK)/demo.sh $(KVER_RESOLVED)
	+@if $(MK)/bochs-dm/build.sh --check >/dev/null 2>&1; then \
		$(MAKE) --no-print-directory demo-stm; \
	else \
		echo "demo: optional step not run: the bundled STM in the dual-monitor Bochs (make demo-stm) needs mk/bochs-dm/build.sh once (5-35 min)"; \
	fi

# make guest CMD='insmod /lib/stmexec/stmexec.ko backend=sim && stmexec status'
guest:
	@test -n "$(CMD)" || { echo "usage: make guest CMD='shell commands' [KVER=6.1] [SMP=2]"; exit 2; }
	@$(TOP)/selftests/qemu/run-guest.sh --kver $(KVER_RESOLVED) --smp $(or $(SMP),2) --cmd '$(CMD)'

check-harness:
	@$(TOP)/selftests/qemu/selftest.sh $(KVER_RESOLVED)

shell:
	@$(TOP)/selftests/qemu/run-guest.sh --kver $(KVER_RESOLVED) --smp $(or $(SMP),2) --interactive

bench: all
	+$(MAKE) -C stm-image bench
	@ls $(BUILD)/selftests/*_bench >/dev/null 2>&1 || \
		{ echo "bench: no build/selftests/*_bench (make selftests builds them)"; exit 1; }
	@set -e; mkdir -p $(BUILD)/logs; for n in $(BENCH_SMP); do \
		$(TOP)/selftests/qemu/run-guest.sh --kver $(KVER_RESOLVED) --smp $$n --timeout 600 \
			--log $(BUILD)/logs/bench-smp$$n.log --cmd '/harness/guest-run-tests.sh --bench'; \
	done

fuzz:
	$(call submake,stm-image,fuzz FUZZ_TIME=$(FUZZ_TIME))

# Reliability tier: the debug guest kernel and the stress/fuzz run on it.
debug-kernel:
	$(MK)/debug-kernel/build.sh

check-debug: deps
	+$(MK)/check-debug.sh

# Real VMX instructions under Bochs; not part of `check`.
# check-bochs.sh builds its own copy of the module for the kernel it boots
check-bochs: deps tools
	+$(MK)/bochs/check-bochs.sh $(if $(KVER),--kver $(KVER)) $(BOCHS_ARGS)

# ---- installation; Debian's layout by default ------------------------------
PREFIX ?= /usr
SYSCONFDIR ?= /etc
SBINDIR ?= $(PREFIX)/sbin
LIBEXECDIR ?= $(PREFIX)/libexec/stmexec
INCLUDEDIR ?= $(PREFIX)/include
DATADIR ?= $(PREFIX)/share/stmexec
# bookworm's systemd (pkg-config systemd --variable=systemdsystemunitdir)
SYSTEMDUNITDIR ?= /lib/systemd/system
INSTALL ?= install
# Userspace files install puts in place, relative to DESTDIR (uninstall
# removes exactly these; /etc files only when unchanged from ours).
INSTALL_FILES := $(SBINDIR)/stmexec $(PREFIX)/share/man/man8/stmexec.8 \
	$(PREFIX)/share/bash-completion/completions/stmexec \
	$(INCLUDEDIR)/linux/stmexec.h $(SYSTEMDUNITDIR)/stmexec.service \
	$(SYSTEMDUNITDIR)/stmexec-log.service $(LIBEXECDIR)/stmexec-log-setup \
	$(DATADIR)/stm.bin $(DATADIR)/README.firmware
INSTALL_CONF := $(SYSCONFDIR)/modprobe.d/stmexec.conf:dist/modprobe/stmexec.conf \
	$(SYSCONFDIR)/default/stmexec:dist/default.stmexec \
	$(SYSCONFDIR)/stmexec/ranges.d/README:dist/policy/README

install:
	+$(MAKE) -C tools stmexec $(if $(LDFLAGS_STATIC),LDFLAGS_STATIC=$(LDFLAGS_STATIC))
	+$(MAKE) -C stm-image/image
	$(MAKE) -C tools install DESTDIR=$(DESTDIR) PREFIX=$(PREFIX)
	@if [ "$(SBINDIR)" != "$(PREFIX)/sbin" ]; then \
		$(INSTALL) -D -m 0755 tools/stmexec $(DESTDIR)$(SBINDIR)/stmexec; \
		rm -f $(DESTDIR)$(PREFIX)/sbin/stmexec; fi
	$(INSTALL) -D -m 0644 uapi/linux/stmexec.h $(DESTDIR)$(INCLUDEDIR)/linux/stmexec.h
	$(INSTALL) -D -m 0644 dist/systemd/stmexec.service $(DESTDIR)$(SYSTEMDUNITDIR)/stmexec.service
	$(INSTALL) -D -m 0644 dist/systemd/stmexec-log.service $(DESTDIR)$(SYSTEMDUNITDIR)/stmexec-log.service
	$(INSTALL) -D -m 0755 dist/stmexec-log-setup $(DESTDIR)$(LIBEXECDIR)/stmexec-log-setup
	$(INSTALL) -D -m 0644 stm-image/image/stm.bin $(DESTDIR)$(DATADIR)/stm.bin
	$(INSTALL) -D -m 0644 dist/README.firmware $(DESTDIR)$(DATADIR)/README.firmware
	@# configuration: never overwrite what the administrator changed
	@set -e; for pair in $(INSTALL_CONF); do \
		dst=$(DESTDIR)$${pair%%:*}; src=$${pair#*:}; \
		if [ -e "$$dst" ] && ! cmp -s "$$src" "$$dst"; then \
			echo "install: keeping the changed $$dst"; \
		else echo "$(INSTALL) -D -m 0644 $$src $$dst"; $(INSTALL) -D -m 0644 "$$src" "$$dst"; fi; \
	done
	@if [ -z "$(DESTDIR)" ] && command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then \
		systemctl daemon-reload; \
		echo "install: 'systemctl enable --now stmexec' starts the monitor now and at every boot"; fi

# Directories only stmexec uses: uninstall removes them when empty.
INSTALL_OWN_DIRS := $(LIBEXECDIR) $(DATADIR) $(SYSCONFDIR)/stmexec/ranges.d $(SYSCONFDIR)/stmexec

uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALL_FILES))
	@set -e; for pair in $(INSTALL_CONF); do \
		dst=$(DESTDIR)$${pair%%:*}; src=$${pair#*:}; \
		if cmp -s "$$src" "$$dst"; then echo "rm -f $$dst"; rm -f "$$dst"; \
		elif [ -e "$$dst" ]; then echo "uninstall: keeping the changed $$dst"; fi; \
	done
	@# our own directories when empty; in a staging tree (DESTDIR=) also
	@# every directory install -D created there, up to DESTDIR, when empty
	@# (on the live system the shared ones, /usr/share/man/man8 and such,
	@# belong to other packages)
	@if [ -n "$(DESTDIR)" ] && [ -d "$(DESTDIR)" ]; then \
		cd "$(DESTDIR)" && for f in $(INSTALL_FILES) $(foreach p,$(INSTALL_CONF),$(firstword $(subst :, ,$(p)))); do \
			d=$${f%/*}; d=$${d#/}; \
			if [ -d "$$d" ]; then rmdir -p --ignore-fail-on-non-empty "$$d"; fi; \
		done; fi
	@for d in $(INSTALL_OWN_DIRS); do \
		if [ -d "$(DESTDIR)$$d" ]; then rmdir --ignore-fail-on-non-empty "$(DESTDIR)$$d"; fi; \
	done

# The production module for one kernel (KVER=/KDIR= as for `make modules`;
# no simulated STM: build/prod/<kver>/), as `make modules_install` of a
# kernel tree would place an external module.
modules_install:
	@test -n "$(KVER_RESOLVED)" || { echo "no kernel to build for (see the message above; make deps installs one)"; exit 1; }
	+@$(MK)/build-module.sh --production $(KDIR_RESOLVED) $(KBUILD_ARGS)
	$(INSTALL) -D -m 0644 $(BUILD)/prod/$(KVER_RESOLVED)/kmod/stmexec.ko \
		$(DESTDIR)/lib/modules/$(KVER_RESOLVED)/updates/stmexec.ko
	@if [ -e $(DESTDIR)/lib/modules/$(KVER_RESOLVED)/modules.order ] || [ -z "$(DESTDIR)" ]; then \
		echo "depmod$(if $(DESTDIR), -b $(DESTDIR)) $(KVER_RESOLVED)"; \
		depmod $(if $(DESTDIR),-b $(DESTDIR)) $(KVER_RESOLVED); \
	else echo "modules_install: no modules.order under DESTDIR: depmod skipped (run it on the target)"; fi

# ---- Debian packages ---------------------------------------------------------
deb:
	@$(MK)/packaging/deb.sh

check-packaging: deps-packaging
	@$(MK)/packaging/check-packaging.sh

# The in-tree build: mk/intree.sh into linux-source-6.1, CONFIG_STMEXEC=m.
check-intree:
	@$(MK)/packaging/check-intree.sh

# The selftests through linux-source's kselftest framework, installed into
# build/ksft/install (run_kselftest.sh -c stmexec; check-packaging runs it).
kselftest-install:
	@$(MK)/packaging/kselftest.sh

# Bochs 3.0 with the dual-monitor treatment, cached outside the
# tree; mk/bochs-dm/build.sh --path prints the binary. Not part of `check`.
bochs-dm:
	$(MK)/bochs-dm/build.sh

check-bochs-dm:
	+$(MK)/bochs-dm/conformance/run.sh $(BOCHS_DM_ARGS)

# The STM end-to-end tier: the test firmware alone, then Intel's
# STM driven by the module's vmx path in the dual-monitor Bochs.
check-stmfw:
	+$(MK)/stmfw/check-stmfw.sh $(if $(STM),--stm $(STM))

check-stm: deps tools
	+$(MK)/stmfw/check-stm.sh $(if $(KVER),--kver $(KVER)) $(if $(STM),--stm $(STM)) $(if $(CPUS),--cpus $(CPUS)) $(STM_ARGS)

# What demo-stm and check-stm need beyond the demo: Debian's Bochs BIOS,
# VGA BIOS and ISO tools (mk/deps-bochs.list).
deps-stm:
	@$(MK)/deps.sh $(MK)/deps.list $(MK)/deps-bochs.list

demo-stm: deps-stm tools
	+@$(MK)/stmfw/demo-stm.sh $(if $(KVER),--kver $(KVER))

bench-stm: deps tools
	+$(MK)/stmfw/bench-stm.sh $(if $(KVER),--kver $(KVER)) $(BENCH_STM_ARGS)

clean:
	-$(MAKE) -C tools clean
	-$(MAKE) -C selftests clean
	-$(MAKE) -C stm-image clean
	rm -rf $(BUILD)
