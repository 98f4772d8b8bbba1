"""The archive's serving code as one file: the contract service and every digitkit module it imports.

The module list is derived, not kept by hand: it starts from every module in ``serve/contract/`` and follows
their ``digitkit`` imports. Type annotations (which would not even evaluate on old Pythons) and definitions
no bundled module uses are left out here; python-minifier then drops docstrings and shortens the rest. One file
compresses better than many zip entries, and a five-line loader puts the modules into ``sys.modules`` in
import order, so the archive imports nothing but the standard library before its own code.
"""

from __future__ import annotations

import ast
from pathlib import Path

import python_minifier

PACKAGE_ROOT = Path(__file__).resolve().parent.parent
CONTRACT_PACKAGE = "digitkit.serve.contract"
ENTRY = f"{CONTRACT_PACKAGE}.__main__"
#: Registers every module (parents before children, so each is set as its parent's attribute), then runs
#: them in import order. ``M`` is [(dotted name, is package, source)].
LOADER = """import sys,types
for n,p,s in sorted(M):
 m=sys.modules[n]=types.ModuleType(n);m.__file__=__file__
 if p:m.__path__=[]
 if'.'in n:a,_,b=n.rpartition('.');setattr(sys.modules[a],b,m)
for n,p,s in M:exec(compile(s,n,'exec'),sys.modules[n].__dict__)
"""


def module_file(name: str) -> Path | None:
    """The source file of a digitkit module or package, or None when ``name`` is not one."""
    base = PACKAGE_ROOT.joinpath(*name.split(".")[1:])
    if base.with_name(base.name + ".py").is_file():
        return base.with_name(base.name + ".py")
    if (base / "__init__.py").is_file():
        return base / "__init__.py"
    return None


def _imports(tree: ast.Module) -> list[str]:
    """The digitkit modules a module imports by name. Their parent packages are bundled but need not run
    first: the loader registers every module before it runs any."""
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
            names += [f"{node.module}.{alias.name}" for alias in node.names]  # submodules; the rest is dropped
    return sorted({name for name in names if name.startswith("digitkit") and module_file(name) is not None})


def bundled_modules() -> list[tuple[str, bool, str]]:
    """(dotted name, is package, minified source) of each module the contract runs, after what it imports."""
    contract = module_file(CONTRACT_PACKAGE)
    assert contract is not None
    roots = sorted(f"{CONTRACT_PACKAGE}.{path.stem}" for path in contract.parent.glob("*.py"))
    trees: dict[str, tuple[bool, ast.Module]] = {}  # insertion order: each module after what it imports
    opened: set[str] = set()

    def visit(name: str) -> None:
        if name in trees:
            return
        if name in opened:
            raise ValueError(f"import cycle through {name}; the bundle needs an order")
        opened.add(name)
        path = module_file(name)
        assert path is not None
        tree = _Minifier().visit(ast.parse(path.read_text()))
        for dependency in _imports(tree):
            if dependency != name:
                visit(dependency)
        trees[name] = (path.name == "__init__.py", tree)

    for root in roots:
        visit(root.removesuffix(".__init__"))
    for name in list(trees):  # parent packages that no module imports by name are bundled empty
        parts = name.split(".")
        for depth in range(1, len(parts)):
            trees.setdefault(".".join(parts[:depth]), (True, ast.Module(body=[], type_ignores=[])))
    _drop_unused([tree for _, tree in trees.values()], keep={"main"})
    return [(name, package, _unparse(tree)) for name, (package, tree) in trees.items()]


def _drop_unused(trees: list[ast.Module], keep: set[str]) -> None:
    """Remove top-level definitions and imported names that no bundled module uses, until none is left.

    A definition counts as used when any bundled module loads its name, reads an attribute of that name or
    imports it from digitkit: coarse, so it never removes what is used. An import counts as used when its
    own module loads the name."""
    while True:
        everywhere = set(keep)
        loaded = []
        for tree in trees:
            nodes = list(ast.walk(tree))
            names = {node.id for node in nodes if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)}
            loaded.append(names)
            everywhere |= names
            for node in nodes:
                if isinstance(node, ast.Attribute):
                    everywhere.add(node.attr)
                elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("digitkit"):
                    everywhere.update(alias.name for alias in node.names)
        changed = False
        for tree, names in zip(trees, loaded, strict=True):
            kept = [_needed(node, everywhere, names) for node in tree.body]
            changed |= any(new is not old for new, old in zip(kept, tree.body, strict=True))
            tree.body = [node for node in kept if node is not None]
        if not changed:
            return


def _needed(node: ast.stmt, used: set[str], loaded_here: set[str]) -> ast.stmt | None:
    """``node`` when it is needed, a narrower version of it, or None."""
    if isinstance(node, ast.ClassDef) and not node.bases:  # only its own methods: none overrides a library's
        methods = [m for m in node.body if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef))]
        unused = [m for m in methods if not (m.name.startswith("__") or m.name in used)]
        if unused and node.name in used:
            node = ast.ClassDef(**{**vars(node), "body": [m for m in node.body if m not in unused] or [ast.Pass()]})
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return node if node.name in used else None
    if isinstance(node, ast.Assign) and all(isinstance(target, ast.Name) for target in node.targets):
        return node if any(isinstance(t, ast.Name) and t.id in used for t in node.targets) else None
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        aliases = [alias for alias in node.names if (alias.asname or alias.name).split(".")[0] in loaded_here]
        if len(aliases) == len(node.names):
            return node
        if not aliases:
            return None
        if isinstance(node, ast.ImportFrom):
            return ast.ImportFrom(node.module, aliases, node.level)
        return ast.Import(aliases)
    return node


def _unparse(tree: ast.Module) -> str:
    """Compact source: python-minifier renames locals and drops the whitespace it can."""
    source = ast.unparse(ast.fix_missing_locations(tree))
    return python_minifier.minify(source, remove_literal_statements=True, rename_globals=False) + "\n"


class _Minifier(ast.NodeTransformer):
    """Drops annotations and ``from __future__`` imports (python-minifier drops the docstrings): source that
    compiles and runs on every Python 3 the archive supports, and no names kept alive by annotations alone."""

    def visit_ImportFrom(self, node: ast.ImportFrom) -> ast.AST | None:
        return None if node.module == "__future__" else node

    def visit_ClassDef(self, node: ast.ClassDef) -> ast.AST:
        body = []
        for statement in node.body:
            if isinstance(statement, ast.AnnAssign):  # kept, as ``object``: dataclasses make fields of them
                statement.annotation = ast.Name("object", ast.Load())
                body.append(statement)
            else:
                body.append(self.visit(statement))
        node.body = [statement for statement in body if statement is not None] or [ast.Pass()]
        return node

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> ast.AST:
        self.generic_visit(node)
        node.returns = None
        arguments = node.args
        for argument in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]:
            argument.annotation = None
        for star in (arguments.vararg, arguments.kwarg):
            if star is not None:
                star.annotation = None
        node.body = node.body or [ast.Pass()]  # a bare ``x: T`` may have been its only statement
        return node

    visit_FunctionDef = _function
    visit_AsyncFunctionDef = _function

    def visit_AnnAssign(self, node: ast.AnnAssign) -> ast.AST | None:
        """Outside class bodies: ``x: T = v`` -> ``x = v``, a bare ``x: T`` -> nothing."""
        if node.value is None:
            return None
        return ast.Assign([node.target], node.value, lineno=node.lineno)
