#!/usr/bin/env python3
"""Routine tasks, runnable on a fresh machine that has only Python 3.11+.

    python3 dev.py demo     try the bot in this terminal (no Telegram token needed)
    python3 dev.py test     run the whole test suite (pytest; add pytest options after it)
    python3 dev.py run      run the bot against Telegram (needs BOT_TOKEN)
    python3 dev.py lint     ruff check, ruff format --check, mypy
    python3 dev.py format   apply ruff format and safe ruff fixes
    python3 dev.py bench    run the benchmarks in bench/ (`bench answer`, `bench events`,
                            `bench outbox`, `bench webhook` … for one, with its options after it)
    python3 dev.py migrate  apply database migrations (the bot also does it at start-up)

The first call creates .venv and installs the pinned dependencies
(pyproject.toml + constraints.txt); later calls reinstall only when those files change.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".installed"


def _requirements_hash() -> str:
    digest = hashlib.sha256()
    for name in ("pyproject.toml", "constraints.txt"):
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()


def ensure_venv() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - this file runs under any python3
        sys.exit("Профнавигатор needs Python 3.11 or newer.")
    if not PY.exists():
        print("Creating .venv ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    wanted = _requirements_hash()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    print("Installing dependencies into .venv (first run takes a minute) ...", flush=True)
    pip = [str(PY), "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "install", "--upgrade", "pip"], check=True)
    # The dependencies only: the code runs from this checkout (every command runs here), so
    # nothing is built or installed from it.
    install = [*pip, "install", "-c", "constraints.txt", *dependencies()]
    subprocess.run(install, check=True, cwd=ROOT)
    STAMP.write_text(wanted)


def dependencies() -> list[str]:
    """The project's and the development dependencies, as pyproject.toml declares them."""
    import tomllib  # noqa: PLC0415 - Python 3.11+, checked before this runs

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return [*project["dependencies"], *project["optional-dependencies"]["dev"]]


def run(*args: str, env: dict[str, str] | None = None) -> int:
    return subprocess.run(list(args), cwd=ROOT, env={**os.environ, **(env or {})}).returncode


BENCHMARKS = {
    "answer": "bench/bench_answer.py",
    "events": "bench/bench_events.py",
    "outbox": "bench/bench_outbox.py",
    "content": "bench/bench_content.py",
    "stats": "bench/bench_stats.py",
    "webhook": "bench/bench_webhook.py",
}


def bench(py: str, extra: list[str]) -> int:
    """Every benchmark one after the other; or the one named first, with its options."""
    if extra and extra[0] in BENCHMARKS:
        return run(py, BENCHMARKS[extra[0]], *extra[1:])
    worst = 0
    for script in BENCHMARKS.values():
        print(f"$ python {script} {' '.join(extra)}".rstrip(), flush=True)
        worst = max(worst, run(py, script, *extra))
    return worst


def lint() -> int:
    steps = [
        [str(BIN / "ruff"), "check", "."],
        [str(BIN / "ruff"), "format", "--check", "."],
        [str(BIN / "mypy"), "."],
    ]
    for step in steps:
        print("$", " ".join(Path(step[0]).name if i == 0 else a for i, a in enumerate(step)))
        code = run(*step)
        if code:
            return code
    return 0


def main(argv: list[str]) -> int:  # noqa: PLR0911 - one return per command
    command = argv[0] if argv else "help"
    extra = argv[1:]
    if command in {"help", "-h", "--help"}:
        print(__doc__)
        return 0
    ensure_venv()
    py = str(PY)
    if command == "demo":
        return run(py, "-m", "bot", "demo", *extra)
    if command == "run":
        return run(py, "-m", "bot", *extra)
    if command == "migrate":
        return run(py, "-m", "bot", "migrate", *extra)
    if command == "test":
        return run(py, "-m", "pytest", *extra)
    if command == "lint":
        return lint()
    if command == "format":
        return run(str(BIN / "ruff"), "format", ".") or run(
            str(BIN / "ruff"), "check", "--fix", "."
        )
    if command == "bench":
        return bench(py, extra)
    print(f"Unknown command {command!r}.\n{__doc__}")
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
