# Hark: `make run` builds and starts Hark; `make test` runs every check CI runs.
# Both install what is missing first (scripts/setup.sh is idempotent and quiet when done).
SHELL := /bin/bash
GO ?= go
BIN := bin/hark
ORT_LIB := .deps/onnxruntime/libonnxruntime.so.1
# Pure-Go packages: everything except the cgo leaves (named after their technology) and the app.
# Packages that need cgo themselves (Fyne's OpenGL window and the main package that links it);
# ONNX Runtime and PortAudio have pure-Go stand-ins that fail with one clear error.
CGO_LEAVES := ^hark/app$$|^hark$$
SAMPLE := testdata/speech/sample.wav

.PHONY: all deps test-deps build run test cpu check lint unit fuzz nocgo nonet hostile e2e bench model clean

all: build

deps:
	@scripts/setup.sh --runtime

test-deps:
	@scripts/setup.sh

$(BIN): deps FORCE
	@mkdir -p bin
	@$(GO) build -buildvcs=auto -o $(BIN) . 2>/dev/null || $(GO) build -buildvcs=false -o $(BIN) .
	@cp -f $(ORT_LIB) bin/libonnxruntime.so.1

FORCE:

build: $(BIN)

# With a display, open the app; without one, transcribe the bundled sample. The GUI toolkit
# complains about the POSIX "C" locale, so an English UTF-8 locale is named when none is set.
run: build
	@loc=$${LC_ALL:-$${LC_MESSAGES:-$$LANG}}; case "$$loc" in ""|C|C.*|POSIX) export LC_ALL= LC_MESSAGES= LANG=en_US.UTF-8;; esac; \
	if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ] && $(BIN) help 2>&1 | grep -q '^  *gui'; then \
		$(BIN); \
	else \
		echo "$$ $(BIN) transcribe $(SAMPLE)"; $(BIN) transcribe $(SAMPLE); \
	fi

test: cpu test-deps check unit fuzz nocgo nonet hostile e2e
	@echo "make test: all checks passed"

# The CPU and its int8 features first, so that a failure can be tied to the hardware.
cpu:
	@scripts/cpuinfo.sh

check:
	@out=$$(gofmt -l $$(git ls-files -co --exclude-standard '*.go')); \
		if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	@$(GO) vet ./...
	@$$($(GO) env GOPATH)/bin/staticcheck ./...

unit:
	@$(GO) test -race -count=1 ./...

# Every fuzz target gets new inputs for a short time (FUZZTIME=2s each; scripts/fuzz.sh).
fuzz:
	@scripts/fuzz.sh

# Everything but the window must build without cgo (mobile, headless and pure-Go builds
# depend on it), and the pure packages' tests pass there.
nocgo:
	@CGO_ENABLED=0 $(GO) build $$($(GO) list ./... | grep -vE '$(CGO_LEAVES)')
	@CGO_ENABLED=0 $(GO) vet $$($(GO) list ./... | grep -vE '$(CGO_LEAVES)')
	@CGO_ENABLED=0 $(GO) test -count=1 ./dictation/... ./asr/ctc ./asr/features ./asr/lm ./asr/text ./asr/stream ./audio/wav ./internal/ctl >/dev/null

# Hark must never open a network socket: run it in an empty network namespace under strace.
nonet: build
	@scripts/check-no-network.sh $(BIN) $(SAMPLE)

# Hostile and careless input (274 cases: audio, archives, model files, text files, output
# paths): no panic, no hang, no partial file, every error one line naming the input.
hostile: build
	@HARK=$(BIN) scripts/hostile.sh >/tmp/hark-hostile.log 2>&1 || { tail -40 /tmp/hark-hostile.log; exit 1; }
	@tail -1 /tmp/hark-hostile.log

# Live capture end to end: a WAV played into a PulseAudio null sink, heard by `hark listen`.
e2e: build
	@ROUNDS=1 HARK=$(BIN) scripts/e2e-capture.sh

bench:
	@$(GO) test -run '^$$' -bench . -benchtime 2x ./asr/... ./audio/...

model:
	@scripts/setup.sh --model
	@/usr/bin/python3 models/train/recipe.py

clean:
	rm -rf bin dist
