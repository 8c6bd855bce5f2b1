# PhotoVet: `make run` starts the app, `make test` runs every test, `make bench`
# the benchmarks. Each first runs scripts/setup.sh, which installs only what is
# missing (Debian packages, dlib models) and takes under a second otherwise.

GO        ?= go
BIN       := bin/photovet
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -X main.version=$(VERSION)
FUZZTIME  ?= 20s
export LANG := en_US.UTF-8

# vision is cgo over dlib: the race detector adds nothing to the C++ and slows
# its Go pixel loops several times, so it runs without; everything else with.
RACE_PKGS = $(shell $(GO) list ./... | grep -v /vision)

.PHONY: setup build run test bench fuzz vet package clean

setup:
	@scripts/setup.sh

build: setup
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) .

run: build
	./$(BIN)

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt: files above need formatting"; exit 1; }
	$(GO) vet ./...

test: setup vet
	$(GO) test -race -timeout 30m $(RACE_PKGS)
	$(GO) test -timeout 30m -v ./vision/
	$(MAKE) --no-print-directory fuzz

fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzDecode$$' -fuzztime $(FUZZTIME) ./vision/

bench: setup
	$(GO) test -run '^$$' -bench . -benchmem -timeout 60m ./...

package: setup
	$(GO) tool fyne package -os linux -release

clean:
	rm -rf bin PhotoVet.tar.xz
