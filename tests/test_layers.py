"""Data flows one way: a generator module imports only from modules above it."""

import ast
from pathlib import Path

ORDER = ["errors", "workers", "schema", "load", "editor", "validate", "urls", "catalog", "lint", "entries",
         "native_markdown", "filters", "tables", "exports", "charts", "render", "search", "write", "settings", "incremental",
         "build", "watch", "serve", "importers", "cli"]
PACKAGE = Path(__file__).resolve().parent.parent / "generator"


def imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "generator":
                found.update(alias.name for alias in node.names)
            elif node.module.startswith("generator."):
                found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[1] for a in node.names if a.name.startswith("generator."))
    return found & set(ORDER)


def _files(name: str) -> list[Path]:
    """A module's file, or every file of a subpackage (one layer, however many files)."""
    path = PACKAGE / f"{name}.py"
    return [path] if path.exists() else sorted((PACKAGE / name).glob("*.py"))


def test_every_module_is_in_the_layer_order():
    modules = {p.stem for p in PACKAGE.glob("*.py")} - {"__init__", "__main__"}
    packages = {p.parent.name for p in PACKAGE.glob("*/__init__.py")}
    assert modules | packages <= set(ORDER), (modules | packages) - set(ORDER)


def test_modules_import_only_from_modules_above_them():
    for name in ORDER:
        for path in _files(name):
            for imported in imported_modules(path) - {name}:
                assert ORDER.index(imported) < ORDER.index(name), f"{path.name} of {name} imports {imported}"


def test_only_cli_exits():
    for path in PACKAGE.glob("*.py"):
        if path.stem in ("cli", "__main__"):
            continue
        assert "sys.exit" not in path.read_text() and "SystemExit" not in path.read_text(), path


def test_no_stage_imports_the_incremental_module():
    """Rebuilds are recorded at the boundary: only the orchestrator and the dev server know of it."""
    for path in PACKAGE.glob("*.py"):
        if path.stem not in ("incremental", "build", "serve", "cli", "__main__"):
            assert "incremental" not in imported_modules(path), path
