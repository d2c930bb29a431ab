"""import-linter's contract that no app reads another app's models (`make lint`, pyproject.toml).

STYLE.md: an app uses another app through its services and selectors, and its model classes
as types or foreign keys only. import-linter sees that `apps.posts.services` imports
`apps.tenants.models`, not what it does with it; this contract reads the importing module and
allows each imported model class only

- in an annotation (a parameter, a return, a variable) or under `if TYPE_CHECKING:`,
- as the model of a ForeignKey, OneToOneField or ManyToManyField,
- as the type given to isinstance, issubclass or typing.cast,
- as a base class (the operators' admin pages are proxies of Tenant),
- as the model an admin page is for (`admin.register(...)`, an inline's `model = ...`).

Anything else (`Tenant.objects`, `Membership.Role.OWNER`, `Plan(...)`, passing the class to a
function) is a read or write of the other app's rows, or of its internals, and breaks the
contract. Constants a models module defines (a bound, a default plan) are not model classes
and may be imported.
"""

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from grimp import ImportGraph
from importlinter.application import output
from importlinter.domain import fields
from importlinter.domain.contract import Contract, ContractCheck
from importlinter.domain.imports import ImportExpression

ROOT = Path(__file__).resolve().parent.parent
FIELD_CALLS = frozenset({"ForeignKey", "OneToOneField", "ManyToManyField"})


@dataclass(frozen=True)
class Use:
    importer: str
    models: str
    line: int
    text: str


@cache
def _source(module: str) -> str:
    base = ROOT.joinpath(*module.split("."))
    path = base / "__init__.py" if base.is_dir() else base.with_suffix(".py")
    return path.read_text(encoding="utf-8")


@cache
def _model_classes(models: str) -> frozenset[str]:
    """The classes a models module defines (its models and their choices)."""
    tree = ast.parse(_source(models))
    return frozenset(n.name for n in tree.body if isinstance(n, ast.ClassDef))


def _called(node: ast.Call) -> str:
    func = node.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


class _Uses(ast.NodeVisitor):
    """The lines where the names bound to model classes are used other than as types."""

    def __init__(self, names: frozenset[str]) -> None:
        self.names = names
        self.found: list[ast.Name] = []

    def visit_Name(self, node: ast.Name) -> None:
        if node.id in self.names:
            self.found.append(node)

    def visit_arguments(self, node: ast.arguments) -> None:
        for default in [*node.defaults, *node.kw_defaults]:
            if default is not None:
                self.visit(default)

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        for part in [*node.decorator_list, node.args, *node.body]:
            self.visit(part)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self.visit_FunctionDef(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self.visit(node.target)
        if node.value is not None:
            self.visit(node.value)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for part in [*node.decorator_list, *node.keywords]:
            self.visit(part)
        for statement in node.body:
            declares_model = isinstance(statement, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "model" for t in statement.targets
            )
            if not declares_model:
                self.visit(statement)

    def visit_If(self, node: ast.If) -> None:
        if _is_type_checking(node.test):
            return
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        called = _called(node)
        typed: set[int] = set()
        if called in {"isinstance", "issubclass"}:
            typed = {1}
        elif called == "cast" or called in FIELD_CALLS:
            typed = {0}
        elif called == "register":
            typed = set(range(len(node.args)))
        self.visit(node.func)
        for index, arg in enumerate(node.args):
            if index not in typed:
                self.visit(arg)
        for keyword in node.keywords:
            if not (called in FIELD_CALLS and keyword.arg == "to"):
                self.visit(keyword.value)


def uses_in(source: str, *, models: str, classes: frozenset[str]) -> list[tuple[int, str]]:
    """(line, text) of each use in `source` of a class of the module `models` other than as
    a type."""
    tree = ast.parse(source)
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == models:
            names |= {a.asname or a.name for a in node.names if a.name in classes}
        elif isinstance(node, ast.ImportFrom) and f"{node.module}.models" == models:
            names |= {a.asname or a.name for a in node.names if a.name == "models"}
    visitor = _Uses(frozenset(names))
    visitor.visit(tree)
    lines = source.splitlines()
    return [(name.lineno, lines[name.lineno - 1].strip()) for name in visitor.found]


def model_uses(importer: str, models: str) -> Iterator[Use]:
    """Where the module `importer` uses a class of `models` other than as a type."""
    for line, text in uses_in(_source(importer), models=models, classes=_model_classes(models)):
        yield Use(importer, models, line, text)


def _app(module: str, root: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == root else None


class ModelTypesOnlyContract(Contract):
    """No module of an app uses another app's model classes but as types and foreign keys.

    Options: `root` (the package holding the apps), `ignore_imports` (`importer ->
    models module` pairs allowed anyway, each with a comment saying why; one that no longer
    excuses a use breaks the contract, so the list shrinks as the code does).
    """

    type_name = "model_types_only"

    root = fields.StringField()
    ignore_imports = fields.SetField(subfield=fields.ImportExpressionField(), required=False)

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        root = str(self.root)
        # The fields are the parsed values once the contract is built (import-linter's way).
        expressions: Iterable[ImportExpression] = self.ignore_imports or ()  # type: ignore[assignment]
        ignored = {(e.importer.expression, e.imported.expression) for e in expressions}
        uses: list[Use] = []
        matched: set[tuple[str, str]] = set()
        for importer in sorted(graph.find_descendants(root)):
            app = _app(importer, root)
            if app is None or ".migrations" in importer:
                continue
            for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                other = _app(imported, root)
                if other in {None, app} or imported != f"{root}.{other}.models":
                    continue
                found = list(model_uses(importer, imported))
                if found and (importer, imported) in ignored:
                    matched.add((importer, imported))
                else:
                    uses.extend(found)
        unmatched = sorted(ignored - matched)
        return ContractCheck(
            kept=not uses and not unmatched,
            metadata={"uses": uses, "unmatched": unmatched},
        )

    def render_broken_contract(self, check: ContractCheck) -> None:
        for use in check.metadata["uses"]:
            output.print_error(f"{use.importer} uses {use.models} (l.{use.line}): {use.text}")
        for importer, imported in check.metadata["unmatched"]:
            output.print_error(f"ignore_imports {importer} -> {imported} excuses no use: remove it")
        output.new_line()
        output.print(
            "Read or write another app's rows through its selectors and services; its model "
            "classes are for annotations, isinstance and foreign keys."
        )
