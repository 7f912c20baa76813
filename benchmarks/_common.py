"""Shared setup for benchmark scripts: data locations and a description of the machine."""
from __future__ import annotations

import os
import platform
from pathlib import Path

import torch

SHARED = Path(os.environ.get("FILMSTYLE_SHARED", Path(__file__).resolve().parents[1].parent / "shared")) / "data"


def require_shared() -> Path:
    if not SHARED.is_dir():
        raise SystemExit(f"{SHARED}: benchmark data not found; set FILMSTYLE_SHARED to the folder holding data/")
    return SHARED


def machine() -> str:
    """One line: CPU and its widest vector instructions (machines of one name differ: AVX2 or AVX-512),
    cores, torch version and threads."""
    cpu, flags = platform.processor() or platform.machine(), set()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
            elif line.startswith("flags"):
                flags = set(line.split(":", 1)[1].split())
                break
    except OSError:
        pass
    simd = next((name for flag, name in (("avx512f", "AVX-512"), ("avx2", "AVX2"), ("avx", "AVX")) if flag in flags), None)
    cpu = f"{cpu} ({simd})" if simd else cpu
    return f"{cpu}; {os.cpu_count()} cores; torch {torch.__version__} with {torch.get_num_threads()} threads"
