"""The packages form layers: each imports only from the layers below it (docs/ARCHITECTURE.md)."""
import ast
import pathlib

SRC = pathlib.Path(__file__).resolve().parents[1] / "src" / "fluxion"

# package -> the fluxion packages it may import from
ALLOWED = {
    "kernels": {"kernels"},  # NumPy only
    "core": {"core"},
    "ops": {"core", "ops", "kernels"},
    "autodiff": {"core", "ops", "kernels", "autodiff"},
    "graph": {"core", "ops", "kernels", "autodiff", "graph"},
    "data": {"core", "ops", "kernels", "autodiff", "graph", "data"},
    "compat": {"core", "ops", "kernels", "autodiff", "graph", "compat"},
}


def _fluxion_imports(path):
    package = path.relative_to(SRC).parts[0]
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level == 0 and node.module and node.module.startswith("fluxion"):
                parts = node.module.split(".")[1:]
                yield parts[0] if parts else ""
            elif node.level == 1:
                yield package
            elif node.level == 2:
                yield (node.module or "").split(".")[0]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("fluxion."):
                    yield alias.name.split(".")[1]


def test_packages_import_only_from_lower_layers():
    violations = []
    for package, allowed in ALLOWED.items():
        folder = SRC / package
        if not folder.exists():
            continue
        for path in folder.rglob("*.py"):
            for target in _fluxion_imports(path):
                if target and target not in allowed:
                    violations.append(f"{path.relative_to(SRC)} imports fluxion.{target}")
    assert not violations, "\n".join(violations)

