"""The apps are layered: an app imports only apps in layers below its own, and no module
imports itself back through others. Read from the source with `ast` (every `import` and
`from ... import`, also those inside functions), so a lazy import cannot hide a cycle.

Tests and migrations are left out: tests build their worlds from any app, and migrations
refer to other apps by name. `bench/` and the root conftest.py are not apps.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Lowest first. The order is what the code needs, written down:
LAYERS = [
    {"lib"},  # CSV reading, e-mail and PDF helpers; knows no app
    {"throttle"},  # rate limits with their counters in the database; knows no app
    {"schools"},  # the school's data, the import and the access helpers every view uses
    {"audit", "portal"},  # the audit log; the parent portal and its notice registry
    {"specialgroups"},  # uses portal's notices
    {"mailings"},  # mail to groups and special groups, and the outbox all mail goes through
    {"accounts"},  # logins, invitations and reset links (sent through the mailings outbox)
    {"conferences"},  # its mail goes through accounts' email_enqueue
    {"privacy"},  # exports and erases what every app above holds about a parent
    {"parents"},  # deleting a parent is privacy's erase
    {"families"},  # parents' own corrections (through parents' edit) and consent
    {"demo"},  # the demo school and development tools: uses everything, used by nothing
    {"ocs"},  # the project: settings and URLs that include every app
]
RANK = {app: level for level, apps in enumerate(LAYERS) for app in apps}


def _modules(app: str):
    for path in sorted((ROOT / app).rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if "tests" in parts or "migrations" in parts:
            continue
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        yield name, path


def _imports(path: Path, package: str) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the module's package
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            found.add(module)
            # `from pkg import module` imports a module, not just a name
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return {name for name in found if name.split(".")[0] in RANK}


def _graph() -> dict[str, set[str]]:
    modules = {name: path for app in RANK for name, path in _modules(app)}
    graph = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        graph[name] = {m for m in _imports(path, package) if m in modules and m != name}
    return graph


def test_every_app_is_in_a_layer():
    apps = {p.parent.name for p in ROOT.glob("*/apps.py")} | {"lib", "ocs"}
    assert apps == set(RANK), "put a new app in LAYERS"


def test_no_app_imports_an_app_in_its_own_or_a_higher_layer():
    wrong = sorted(
        f"{module} imports {target}"
        for module, targets in _graph().items()
        for target in targets
        if (a := module.split(".")[0]) != (b := target.split(".")[0]) and RANK[b] >= RANK[a]
    )
    assert wrong == []


def test_no_module_imports_itself_back_through_others():
    graph = _graph()
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    cycles = []

    def visit(module, path):
        state[module] = 1
        for target in sorted(graph[module]):
            if state.get(target) == 1:
                cycles.append(" -> ".join([*path[path.index(target) :], target]))
            elif target not in state:
                visit(target, [*path, target])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert cycles == []


def test_the_checks_see_a_lazy_import_inside_a_function(tmp_path):
    """The parser finds an import inside a function body (the kind that hid a cycle)."""
    module = tmp_path / "services.py"
    module.write_text("def f():\n    from conferences.tasks import booking_confirm\n")
    assert "conferences.tasks" in _imports(module, "conferences")
