"""The package's import structure: no cycles, layers that import only downwards, and no
imports hidden inside functions (except optional extras, each with a comment saying so)."""

import ast
import importlib
import pathlib
import subprocess
import sys

import networkx as nx

PACKAGE = pathlib.Path(__file__).resolve().parent.parent / "minigraph"

# Which top-level parts of minigraph a module in each layer may import (itself included).
ALLOWED = {
    "framework": {"framework"},
    "ops": {"framework", "ops"},
    "runtime": {"framework", "ops", "runtime"},
}
# Function-level imports that stay: optional extras (protobuf/tensorboard, matplotlib, onnx,
# numba).
MAX_FUNCTION_LEVEL_IMPORTS = 9


def module_name(path: pathlib.Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def resolve(module: str, node: ast.ImportFrom) -> list:
    """The minigraph modules one `from ... import ...` statement loads."""
    is_package = MODULES[module].name == "__init__.py"
    base = module.split(".")
    if node.level:
        base = base[:len(base) - node.level + (1 if is_package else 0)]
        target = ".".join(base + ([node.module] if node.module else []))
    else:
        target = node.module or ""
    if not target.startswith("minigraph"):
        return []
    submodules = [f"{target}.{a.name}" for a in node.names if f"{target}.{a.name}" in MODULES]
    return submodules or [target]


def module_level_imports(module: str) -> set:
    """Edges module -> minigraph module for every import executed when `module` loads."""
    tree = ast.parse(MODULES[module].read_text())
    targets = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom):
            targets.update(resolve(module, node))
        elif isinstance(node, ast.Import):
            targets.update(a.name for a in node.names if a.name.startswith("minigraph"))
    return targets


def import_graph() -> nx.DiGraph:
    graph = nx.DiGraph()
    for module in MODULES:
        graph.add_node(module)
        for target in module_level_imports(module):
            if target != module:
                graph.add_edge(module, target)
    return graph


def test_module_level_imports_form_no_cycle():
    graph = import_graph()
    cycles = list(nx.simple_cycles(graph))
    assert not cycles, ("Circular top-level imports (Python may tolerate some, the layering "
                        "does not): " + "; ".join(" -> ".join(c + [c[0]]) for c in cycles[:5])
                        + ". Fix: move the op to the module its gradient needs, or use the "
                        "Tensor operators.")


def test_layers_import_only_downwards():
    wrong = []
    for module, targets in ((m, module_level_imports(m)) for m in MODULES):
        layer = module.split(".")[1] if module.count(".") else None
        if layer not in ALLOWED:
            continue
        for target in targets:
            if target.count(".") and target.split(".")[1] not in ALLOWED[layer]:
                wrong.append(f"{module} imports {target}")
    assert not wrong, "Layer rule broken (see docs/architecture.md): " + "; ".join(wrong)


def test_ops_module_order_matches_the_package_listing():
    """ops/__init__.py lists the op modules bottom-up; each may import only earlier ones."""
    tree = ast.parse((PACKAGE / "ops" / "__init__.py").read_text())
    order = [a.name for n in tree.body if isinstance(n, ast.ImportFrom) for a in n.names]
    position = {f"minigraph.ops.{name}": i for i, name in enumerate(order)}
    listed = set(position) | {"minigraph.ops.common", "minigraph.ops"}
    missing = {m for m in MODULES if m.startswith("minigraph.ops.")} - listed
    later = {"minigraph.ops.nn_impl", "minigraph.ops.losses_impl", "minigraph.ops.init_ops",
             "minigraph.ops.variables", "minigraph.ops.metrics_impl"}  # composites, imported
    # by the namespaces above ops
    assert missing <= later, f"ops modules not listed in ops/__init__.py: {sorted(missing)}"
    upward = [f"{m} imports {t}" for m in position for t in module_level_imports(m)
              if t in position and position[t] > position[m]]
    assert not upward, "An op module imports one listed after it: " + "; ".join(upward)


def test_every_module_imports_first_in_a_fresh_interpreter():
    """Import each module with its parent packages empty, so that nothing the package's
    __init__ happens to load first can hide a circular import."""
    script = r"""
import importlib, sys, types
modules = sys.argv[1:]
failed = []
for name in modules:
    for key in [k for k in sys.modules if k == "minigraph" or k.startswith("minigraph.")]:
        del sys.modules[key]
    parts = name.split(".")
    for i in range(1, len(parts)):
        package = ".".join(parts[:i])
        stub = types.ModuleType(package)
        stub.__path__ = [ROOT + "/" + "/".join(parts[:i])]
        sys.modules[package] = stub
    try:
        importlib.import_module(name)
    except Exception as e:
        failed.append(f"{name}: {type(e).__name__}: {e}")
print("\n".join(failed))
"""
    script = script.replace("ROOT", repr(str(PACKAGE.parent)))
    names = [m for m, p in MODULES.items() if p.name != "__init__.py"]
    result = subprocess.run([sys.executable, "-c", script, *names], capture_output=True,
                            text=True, cwd=PACKAGE.parent, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", "Modules that fail when imported first:\n" + result.stdout


def test_function_level_imports_are_few_and_explained():
    found = []
    for module, path in MODULES.items():
        source = path.read_text().splitlines()
        for node in ast.walk(ast.parse("\n".join(source))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                for inner in ast.walk(node):
                    if isinstance(inner, (ast.Import, ast.ImportFrom)) and inner is not node:
                        found.append((module, inner.lineno, source[inner.lineno - 1]))
    found = sorted(set(found))
    unexplained = [f"{m}:{line}: {text.strip()}" for m, line, text in found if "#" not in text]
    assert not unexplained, ("Imports inside functions must say why (an optional extra): "
                             + "; ".join(unexplained) + ". Fix: import the module at the top "
                             "and call it qualified (math_ops.cast).")
    assert len(found) <= MAX_FUNCTION_LEVEL_IMPORTS, [f"{m}:{line}" for m, line, _ in found]


def test_each_public_op_name_is_defined_in_the_one_module_that_exports_it():
    # (One name may live in two modules when TF has it in two namespaces:
    # tf.losses.mean_squared_error and tf.metrics.mean_squared_error are different functions.)
    for module in sorted(m for m in MODULES if m.startswith("minigraph.ops.")):
        mod = importlib.import_module(module)
        for name in getattr(mod, "__all__", []):
            home = getattr(getattr(mod, name), "__module__", module)
            assert home == module, f"{module} re-exports {name} from {home}: import it from there"
