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
# its Go pixel loops several times, so it runs without. So does cli: its
# tests run the real face engine over the shared photos (minutes of CPU;
# under -race one ran past the 30-minute timeout). Everything else with.
RACE_PKGS = $(shell $(GO) list ./... | grep -v -e /vision -e /cli)

.PHONY: setup build run test bench bench-peers fuzz vet package clean

setup:
	@scripts/setup.sh

build: setup
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) .

run: build
	./$(BIN)

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt: files above need formatting"; exit 1; }
	$(GO) vet ./...

# The Xvfb tests run the real app under Xvfb over real photos (screenshots;
# real keys and clicks through xdotool): they run on their own, without the
# race detector, which would only slow the pipeline.
XVFB_TEST = (TestScreenshotsUnderXvfb|TestKeysUnderXvfb|TestReviewUnderXvfb|TestPeopleUnderXvfb)

# TestOddShapes runs once more under AddressSanitizer: the C and C++ behind
# vision must not read or write out of bounds on any photo shape (issue 11's
# 972-byte PNG corrupted the heap silently before it aborted).

test: setup vet
	$(GO) test -race -timeout 30m -skip '^$(XVFB_TEST)$$' $(RACE_PKGS)
	$(GO) test -timeout 30m -run '^$(XVFB_TEST)$$' -v ./app/
	$(GO) test -timeout 30m ./cli/
	$(GO) test -timeout 30m -run '^TestNamingRecognitionFolder$$' ./vet/
	$(GO) test -timeout 30m -run '^TestRecognitionBatchClicks$$' -v ./app/
	$(GO) test -timeout 30m -v ./vision/
	$(GO) test -asan -short -timeout 30m -run '^TestOddShapes$$' ./vision/
	$(MAKE) --no-print-directory fuzz

fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzDecode$$' -fuzztime $(FUZZTIME) ./vision/

# The real-engine batch (vet's BenchmarkBatchRealEngine) vets BENCH_PHOTOS
# copies of the shared photos and reports photos/s and peak-MB (VmHWM); 500
# take about 25 minutes on two idle cores (0.39 photos/s), so for a quick
# figure: make bench BENCH_PHOTOS=68. -p 1: packages' benchmarks must not
# share the cores.
BENCH_PHOTOS ?= 500

bench: setup
	PHOTOVET_BENCH_PHOTOS=$(BENCH_PHOTOS) $(GO) test -p 1 -run '^$$' -bench . -benchmem -timeout 180m ./...

# PhotoVet against deface (an open-source anonymiser, CenterFace) on the same
# ten composed 12 MP photos in one run: seconds per photo and faces found.
# deface==1.5.0 goes into a throw-away venv from PyPI (network needed); about
# 15 minutes on two cores shared with other work. See scripts/benchpeers.
bench-peers: build
	$(GO) run ./scripts/benchpeers -photovet $(BIN)

package: setup
	GO=$(GO) scripts/package.sh

clean:
	rm -rf bin PhotoVet.tar.xz
