#!/usr/bin/env bash
# The wheels a GPU machine without the internet needs besides its own torch, for
# scripts/bench_gpu.py: downloaded here into .whl/ (ignored by git), at the versions installed
# here, for that machine's Python (3.12, x86-64). There:
#   python3 -m pip install -q --no-index --no-deps --target /tmp/site .whl/*.whl
#   PYTHONPATH=/tmp/site python3 scripts/bench_gpu.py --out "$OUT"
# polars (50 MB) is left out: Ultralytics uses it only for results tables and plots, and its
# trainer carries on without it; W&B is left out too (the check runs with tracking=[]).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .whl
grep -qx '/.whl/' .git/info/exclude 2>/dev/null || echo '/.whl/' >> .git/info/exclude
for name in ultralytics ultralytics-thop optuna alembic Mako SQLAlchemy colorlog hydra-core \
    omegaconf antlr4-python3-runtime cmaes optuna-dashboard bottle; do
  version=$(python3 -m pip show "$name" | sed -n 's/^Version: //p')
  python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 \
    --implementation cp --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 \
    --platform manylinux2014_x86_64 -d .whl "$name==$version" 2>/dev/null ||
  python3 -m pip wheel -q --no-deps -w .whl "$name==$version"  # a pure-Python sdist (antlr4)
done
rm -f .whl/*.tar.gz
du -sh .whl
