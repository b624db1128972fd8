"""Every public callable of xent_book has a hostile-input test, a Raises section and type hints (issues 9, 11).

The public surface is enumerated from the package itself: every module and
subpackage whose path has no leading underscore, its ``__all__`` (or, without
one, the non-underscore callables it defines), and the public methods of its
classes that take an argument beyond ``self``. A callable re-exported from
several modules counts once, under its home.

Coverage is read from the source of ``tests/test_hostile_*.py`` with ``ast``,
not by grepping names: an import does not count, and a name counts only where
it resolves to the very object (``xb.cross_entropy`` does not cover
``info.cross_entropy``). Chains are resolved from the names the file imports
(``import xent_book as xb``, ``from xent_book import calibration as cal``,
``from xent_book.widgets.reliability import page_data_markup``). A method
``Cls.m`` counts where one unit of test code (a test function with its
decorators, one entry of a module-level table, or a module-level helper it
calls) refers to ``Cls`` (or to a public factory documented to return it) and
reads an attribute ``.m``.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib
import inspect
import pkgutil
import re
import typing
from pathlib import Path

import pytest

import xent_book

TESTS = Path(__file__).parent
HOSTILE_FILES = sorted(p for p in TESTS.glob("test_hostile_*.py") if p.name != Path(__file__).name)

# Methods that take no input from a user: the explorers' render(values) draws the dict that
# their own compute() returned (the explorers' constructors and *_values functions are the inputs).
NOT_USER_INPUT = {"render"}

# Public functions whose result is an instance of a public class are found from their return
# annotation (``gaussian_blobs -> Split``, ``logits_explorer -> LogitsExplorer``): a unit that calls
# such a factory exercises the class's constructor (the factory builds it from the same arguments)
# and, where it reads ``.m``, the method ``Cls.m``.


def _public_modules():
    names = ["xent_book"]
    for info in pkgutil.walk_packages(xent_book.__path__, "xent_book."):
        if not any(part.startswith("_") for part in info.name.split(".")):
            names.append(info.name)
    return [importlib.import_module(n) for n in sorted(names)]


def _own(obj) -> bool:
    return (getattr(obj, "__module__", "") or "").startswith("xent_book")


def _is_data_container(cls) -> bool:
    """A dataclass (generated __init__): built by the package's own functions, not from user input."""
    return dataclasses.is_dataclass(cls)


def public_callables() -> dict[str, object]:
    """``{'module.name' or 'module.Class.method': object}``, each object once under its home module."""
    seen: dict[int, str] = {}
    out: dict[str, object] = {}
    for mod in _public_modules():
        declared = getattr(mod, "__all__", None)
        names = (
            declared
            if declared is not None
            else [
                n
                for n, v in vars(mod).items()
                if not n.startswith("_") and callable(v) and getattr(v, "__module__", None) == mod.__name__
            ]
        )
        for name in names:
            obj = getattr(mod, name)
            if inspect.ismodule(obj) or not callable(obj) or not _own(obj):
                continue
            home = (
                f"{obj.__module__}.{obj.__qualname__}"
                if hasattr(obj, "__qualname__")
                else f"{mod.__name__}.{name}"
            )
            home = _public_home(home, mod.__name__, name)
            if id(obj) in seen:
                continue
            seen[id(obj)] = home
            if inspect.isclass(obj):
                if not _is_data_container(obj):
                    out[home] = obj
                for mname in dir(obj):  # read statically: no descriptor runs (ipywidgets' warn)
                    if mname.startswith("_") or mname in NOT_USER_INPUT:
                        continue
                    member = inspect.getattr_static(obj, mname)
                    if isinstance(member, staticmethod | classmethod):
                        member = member.__func__
                    if not inspect.isfunction(member):  # properties, traits, attributes
                        continue
                    if not _own(member):
                        continue
                    try:
                        params = list(inspect.signature(member).parameters)
                    except (TypeError, ValueError):
                        continue
                    if params[1:]:  # takes user input beyond self
                        out[f"{home}.{mname}"] = member
            else:
                out[home] = obj
    return out


def _public_home(home: str, module: str, name: str) -> str:
    """A private module's object is named by the public module that exports it."""
    parts = home.split(".")
    if any(p.startswith("_") for p in parts[:-1]) or "<" in home:
        return f"{module}.{name}"
    return home


# --------------------------------------------------------------------------- reading the test sources


class _Refs(ast.NodeVisitor):
    """The xent_book objects a piece of test code refers to, the attributes it reads, the helpers it calls."""

    def __init__(self, bindings: dict[str, object]):
        self.bindings = bindings
        self.objects: set[int] = set()
        self.attrs: set[str] = set()
        self.helpers: set[str] = set()

    def _resolve(self, node):
        if isinstance(node, ast.Name):
            return self.bindings.get(node.id, _MISSING)
        if isinstance(node, ast.Attribute):
            base = self._resolve(node.value)
            if base is _MISSING:
                return _MISSING
            return getattr(base, node.attr, _MISSING)
        return _MISSING

    def visit_Import(self, node):  # an import is not a test
        pass

    visit_ImportFrom = visit_Import

    def visit_Name(self, node):
        obj = self._resolve(node)
        if obj is not _MISSING:
            self.objects.add(id(obj))
        self.helpers.add(node.id)

    def visit_Attribute(self, node):
        self.attrs.add(node.attr)
        obj = self._resolve(node)
        if obj is not _MISSING:
            self.objects.add(id(obj))
        self.generic_visit(node)

    def visit_Call(self, node):
        # getattr(module, "name") with a literal name
        if isinstance(node.func, ast.Name) and node.func.id == "getattr" and len(node.args) >= 2:
            base = self._resolve(node.args[0])
            if (
                base is not _MISSING
                and isinstance(node.args[1], ast.Constant)
                and isinstance(node.args[1].value, str)
            ):
                obj = getattr(base, node.args[1].value, _MISSING)
                if obj is not _MISSING:
                    self.objects.add(id(obj))
        self.generic_visit(node)


_MISSING = object()


def _bindings(tree: ast.Module) -> dict[str, object]:
    names: dict[str, object] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name.split(".")[0] == "xent_book":
                    if a.asname:
                        names[a.asname] = importlib.import_module(a.name)
                    else:
                        names["xent_book"] = xent_book
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "xent_book":
            mod = importlib.import_module(node.module)
            for a in node.names:
                obj = getattr(mod, a.name, _MISSING)
                if obj is _MISSING:
                    obj = importlib.import_module(f"{node.module}.{a.name}")
                names[a.asname or a.name] = obj
    return names


def _units(tree: ast.Module):
    """Units of test code: test functions (decorators included), entries of module-level tables, the rest."""
    helpers: dict[str, list[ast.AST]] = {}
    units: list[ast.AST] = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            helpers.setdefault(node.name, []).append(node)
            units.append(node)
        elif isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                if isinstance(t, ast.Name):
                    helpers.setdefault(t.id, []).append(node.value)
            value = node.value
            if isinstance(value, ast.List | ast.Tuple | ast.Set):
                units.extend(value.elts)
            elif isinstance(value, ast.Dict):
                units.extend(value.values)
            else:
                units.append(value)
        elif not isinstance(node, ast.Import | ast.ImportFrom):
            units.append(node)
    return units, helpers


def hostile_coverage() -> tuple[set[int], list[tuple[set[int], set[str]]]]:
    """Objects referred to anywhere in hostile test code, and per unit (objects, attributes) for methods."""
    everywhere: set[int] = set()
    per_unit: list[tuple[set[int], set[str]]] = []
    for path in HOSTILE_FILES:
        tree = ast.parse(path.read_text(), filename=str(path))
        bindings = _bindings(tree)
        units, helpers = _units(tree)
        cache: dict[int, _Refs] = {}

        def refs(node, bindings=bindings, cache=cache):
            if id(node) not in cache:
                r = _Refs(bindings)
                r.visit(node)
                cache[id(node)] = r
            return cache[id(node)]

        for unit in units:
            objects, attrs = set(), set()
            todo, done = [unit], set()
            while todo:  # the unit and the module-level helpers it calls, transitively
                node = todo.pop()
                if id(node) in done:
                    continue
                done.add(id(node))
                r = refs(node)
                objects |= r.objects
                attrs |= r.attrs
                for name in r.helpers:
                    todo.extend(helpers.get(name, []))
            everywhere |= refs(unit).objects
            per_unit.append((objects, attrs))
    return everywhere, per_unit


PUBLIC = public_callables()
_EVERYWHERE, _PER_UNIT = hostile_coverage()


def _returned_class(fn):
    try:
        ret = typing.get_type_hints(fn).get("return")
    except Exception:
        return None
    return ret if isinstance(ret, type) else None


def _class_and_factories(cls) -> set[int]:
    """ids of the class, of its subclasses and of the public factories annotated to return one of them."""
    family = [cls, *_subclasses(cls)]
    ids = {id(c) for c in family}
    for obj in PUBLIC.values():
        ret = None if inspect.isclass(obj) else _returned_class(obj)
        if ret is not None and any(issubclass(ret, c) or issubclass(c, ret) for c in family):
            ids.add(id(obj))
    return ids


def _subclasses(cls):
    out = []
    for sub in cls.__subclasses__():
        out.append(sub)
        out.extend(_subclasses(sub))
    return out


def _split_method(name: str):
    """'xent_book.train.History.best_epoch' -> ('xent_book.train.History', 'best_epoch'); None for a function."""
    parts = name.split(".")
    for i in range(len(parts) - 1, 0, -1):
        try:
            importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        tail = parts[i:]
        return (".".join(parts[: i + 1]), tail[1]) if len(tail) == 2 else None
    return None


def _class_of(qualname: str):
    module, name = qualname.rsplit(".", 1)
    return getattr(importlib.import_module(module), name)


def covered(name: str, obj) -> bool:
    split = _split_method(name)
    if split is None:
        if inspect.isclass(obj):  # built directly, or by its factory
            return bool(_class_and_factories(obj) & _EVERYWHERE)
        return id(obj) in _EVERYWHERE
    cls_name, method = split
    owners = _class_and_factories(_class_of(cls_name))
    return any(method in attrs and owners & objects for objects, attrs in _PER_UNIT)


def _takes_arguments(obj) -> bool:
    fn = obj.__init__ if inspect.isclass(obj) else obj
    if not _own(fn):  # object.__init__ or dict.__init__: the class takes no arguments of its own
        return False
    params = [p for p in inspect.signature(fn).parameters if p not in ("self", "cls")]
    return bool(params)


# A function without arguments has no hostile input and nothing to refuse (use_book_style, labels, ...).
WITH_INPUT = sorted(n for n, o in PUBLIC.items() if _takes_arguments(o))


def test_the_public_surface_is_found():
    """A sanity check of the enumeration itself: a few names of every kind are in it."""
    for name in [
        "xent_book.losses.cross_entropy",
        "xent_book.info.cross_entropy",
        "xent_book.scale.chunked.logits_bytes",
        "xent_book.widgets.focal.focal_values",
        "xent_book.train.History.best_epoch",
        "xent_book.exercises.check",
        "xent_book.published.get",
        "xent_book.reproducibility.seed_everything",
    ]:
        assert any(
            k == name or k.endswith(name.rsplit(".", 1)[-1]) and name.split(".")[1] in k for k in PUBLIC
        ), name
    assert len(PUBLIC) > 100


@pytest.mark.parametrize("name", WITH_INPUT)
def test_every_public_callable_has_a_hostile_test(name):
    assert covered(name, PUBLIC[name]), (
        f"{name} is called by no tests/test_hostile_*.py file (an import alone does not count)"
    )


# --------------------------------------------------------------------------- docstrings and type hints


def _target(obj):
    return obj.__init__ if inspect.isclass(obj) else obj


def _has_raises_section(doc: str) -> bool:
    return re.search(r"^\s*Raises\s*\n\s*-{3,}\s*$", doc or "", flags=re.MULTILINE) is not None


@pytest.mark.parametrize("name", WITH_INPUT)
def test_every_public_callable_documents_what_it_refuses(name):
    obj = PUBLIC[name]
    docs = [inspect.getdoc(obj) or ""]
    if inspect.isclass(obj):  # NumPy style documents __init__'s Raises in the class docstring
        docs.append(inspect.getdoc(obj.__init__) or "")
    assert any(_has_raises_section(d) for d in docs), f"{name}: its docstring has no 'Raises' section"


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_every_public_callable_has_type_hints(name):
    fn = _target(PUBLIC[name])
    if not _own(fn):  # a class with object's or dict's __init__
        return
    sig = inspect.signature(fn)
    try:
        hints = typing.get_type_hints(fn)
    except Exception:  # an annotation that cannot be evaluated still counts as written
        hints = dict(getattr(fn, "__annotations__", {}))
    missing = [
        p.name
        for i, p in enumerate(sig.parameters.values())
        if p.name not in hints and not (i == 0 and p.name in ("self", "cls"))
    ]
    if "return" not in hints and not inspect.isclass(PUBLIC[name]):
        missing.append("return")
    assert not missing, f"{name}: no type hint on {', '.join(missing)}"
