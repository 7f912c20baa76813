"""The package's structure: one-way layers (import-linter, pyproject.toml), no import cycle, a CLI
that starts without torch."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import grimp
from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parents[1]


def test_layers_contract_is_kept(monkeypatch):
    import logging

    monkeypatch.chdir(ROOT)
    enabled = [lg for lg in logging.root.manager.loggerDict.values() if isinstance(lg, logging.Logger) and not lg.disabled]
    try:
        assert lint_imports(no_cache=True) == 0  # 0: every contract kept (the report is printed on failure)
    finally:  # import-linter configures logging with disable_existing_loggers: the later tests need theirs
        for lg in enabled:
            lg.disabled = False


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Every module that is part of an import cycle, as one cycle each (Tarjan's SCCs, size > 1)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.find_modules_directly_imported_by(v):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            scc = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                scc.append(w)
                if w == v:
                    break
            if len(scc) > 1:
                found.append(sorted(scc))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found


def test_no_import_cycle():
    graph = grimp.build_graph("filmstyle", cache_dir=None)
    graph.remove_module("filmstyle")  # the package's lazy exports (PEP 562) are not imports of its layers
    assert _cycles(graph) == []


def test_cycle_finder_finds_a_cycle():
    graph = grimp.ImportGraph()
    for name in ("a", "a.b", "a.c", "a.d"):
        graph.add_module(name)
    graph.add_import(importer="a.b", imported="a.c")
    graph.add_import(importer="a.c", imported="a.b")
    graph.add_import(importer="a.c", imported="a.d")
    assert _cycles(graph) == [["a.b", "a.c"]]


def test_cli_starts_without_torch():
    code = ("import sys, filmstyle.cli, filmstyle; filmstyle.cli.main; "
            "print([m for m in ('torch', 'onnx', 'onnxruntime', 'onnxscript', 'gradio', 'ray') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_every_public_name_resolves():
    import filmstyle

    missing = [name for name in filmstyle.__all__ if getattr(filmstyle, name, None) is None]
    assert not missing and {"render_file", "stylize_frames", "adapt_look", "render_video"} <= set(filmstyle.__all__)


def test_help_loads_neither_torch_nor_onnx():
    code = ("import sys, contextlib, io, filmstyle.cli\n"
            "for argv in (['--help'], ['render', '--help'], ['export', '--help'], ['ui', '--help']):\n"
            "    with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):\n"
            "        filmstyle.cli.main(argv)\n"
            "print([m for m in ('torch', 'onnx', 'onnxruntime', 'onnxscript') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
