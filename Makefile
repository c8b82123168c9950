# Entry points for people and CI. Every target installs what it needs first (scripts/setup-deps.sh).
BUILD_DIR ?= build

.PHONY: all deps build demo test bench clean

all: build

deps:
	bash scripts/setup-deps.sh

build: deps
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
	ninja -C $(BUILD_DIR)

demo: build
	bash scripts/demo.sh $(BUILD_DIR)/tandemd

# The real-kernel IPVS tests need qemu and Debian's kernel; without them they report SKIPPED.
test: deps
	bash scripts/setup-vm.sh || echo "setup-vm failed: the IPVS tests in the VM will be skipped"
	bash scripts/test.sh

bench: build
	bash bench/parse_bench.sh $(BUILD_DIR)/tandemd

clean:
	rm -rf build build-asan build-fuzz
