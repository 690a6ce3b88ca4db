# The two commands: `make figures` and `make test`. Both create the virtual environment first.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
BSTAMP  := $(VENV)/.installed-bench
DSTAMP  := $(VENV)/.installed-docs
PIP     := $(BIN)/python -m pip install --disable-pip-version-check -q -c constraints.txt
JOBS    ?= 2
PROFILE ?= quick

.PHONY: all figures test bench paper docs venv clean distclean gpu-check

# `make gpu-check`: the full profile of the neural experiments, sized for about 10 minutes on one
# H200-class GPU, into figures/full/ (data, figures, claims table, summary.md). On a machine
# without a GPU, `make gpu-check GPU_CHECK_PROFILE=smoke GPU_CHECK_OUT=/tmp/gpu-check` runs the
# same pipeline on a tiny grid on the CPU (CI does this).
NEURAL          := spectral_dof spectral_tradeoff spectral_shift coreset_pruning quantization_population_risk \
                   kernel_complexity
# Sizing: one CPU core of this project's machines runs the first five in about 21 minutes (timed
# per config: coreset_pruning 12 min, quantization 4, spectral 5); the small nets gain little from a
# GPU, so the check runs 8 configs at a time (the lent machine has 16 cores) for ~4-6 minutes.
# kernel_complexity's full grid is dominated by NTK Gram products (n up to 10^4, width up to 65536),
# which run on the GPU, and by 9 CPU eigendecompositions of size 10^4 (~1 min each).
GPU_CHECK_PROFILE ?= full
GPU_CHECK_OUT   ?= figures/full
GPU_CHECK_JOBS  ?= 8

all: figures

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(PIP) --upgrade pip setuptools wheel
	$(PIP) -e '.[test]'
	touch $@

venv: $(STAMP)

figures: $(STAMP)
	$(BIN)/python -m experiments all --profile $(PROFILE) --jobs $(JOBS)

test: $(STAMP)
	$(BIN)/python -m pytest -n $(JOBS) -q

gpu-check: $(STAMP)
	OMP_NUM_THREADS=2 $(BIN)/python -m experiments run $(NEURAL) --profile $(GPU_CHECK_PROFILE) --device auto \
		--jobs $(GPU_CHECK_JOBS) \
		--out $(GPU_CHECK_OUT) --tables $(GPU_CHECK_OUT) --cache .cache/gpu-check-$(GPU_CHECK_PROFILE) \
		--summary $(GPU_CHECK_OUT)/summary.md
	@cat $(GPU_CHECK_OUT)/summary.md

$(BSTAMP): $(STAMP)
	$(PIP) -e '.[test,bench]'
	touch $@

# `make bench`: every benchmark side by side with its peer, one thread per pool (BENCH_THREADS),
# into benchmarks/report.md. Run it on an otherwise idle machine; the report records the load.
BENCH_THREADS ?= 1
bench: $(BSTAMP)
	$(BIN)/python -m benchmarks --threads $(BENCH_THREADS)

$(DSTAMP): $(STAMP)
	$(PIP) -e '.[test,docs]'
	touch $@

# `make docs`: the Sphinx site (API reference from the docstrings, the example gallery run on the
# CPU) into docs/_build/html; any warning fails the build.
docs: $(DSTAMP)
	MPLBACKEND=Agg $(BIN)/python -m sphinx -W --keep-going -q -b html docs docs/_build/html
	@echo "open docs/_build/html/index.html"

paper: figures
	@if command -v latexmk >/dev/null 2>&1; then \
		cd paper && latexmk -pdf -interaction=nonstopmode -halt-on-error main.tex; \
	else \
		echo "latexmk not found. Install LaTeX, e.g."; \
		echo "  apt-get install --no-install-recommends latexmk texlive-latex-extra texlive-science"; \
		echo "(or 'brew install --cask mactex' on macOS), then run 'make paper' again."; \
		echo "The generated tables are in paper/generated/ and the figures in figures/."; \
	fi

clean:
	rm -rf .cache .pytest_cache .hypothesis docs/_build docs/generated docs/auto_examples docs/api.rst paper/*.aux paper/*.log paper/*.fls paper/*.fdb_latexmk paper/*.out paper/*.bbl paper/*.blg

distclean: clean
	rm -rf $(VENV) *.egg-info
