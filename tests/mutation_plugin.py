"""pytest plugin for `make mutants` only: what mutmut needs to judge this suite's mutants.

1. Keras reads the constructors mutmut hides.

mutmut wraps every function of its mutated copy of `course_utils` (in mutants/) in a
trampoline `(*args, **kwargs)` that calls the original or the mutant under test, with
`functools.wraps`. `inspect.signature` follows the wrapper to the original, but
`inspect.getfullargspec`, which Keras' `Operation.__new__` calls on every layer's
`__init__`, does not: it sees no `self`, and every layer a test builds fails with
IndexError. Giving each wrapped `__init__` the `__signature__` of the function it wraps
makes both see the original. Only `__init__`: on a method that Keras wraps again by its
bound method (`build`), a `__signature__` would be copied over with `self` still in it.
Outside mutants/ there are no wrappers and this changes nothing.

2. A test module that fails to import counts as failing tests. mutmut runs a mutant's tests
by node id; when a mutant breaks a module-level line (`setup(seed=0)` at the top of
tests/unit/test_models.py), pytest reports "found no collectors" and exits 4 (usage error),
which mutmut files as a timeout, not a kill. When a module failed to collect, this plugin
makes that exit 1 (tests failed), so such a mutant counts as killed.

3. Hypothesis does not shrink. A mutant is killed by the first failing example; shrinking
it to the smallest one (what a person debugging wants) costs seconds per kill, and on a
mutant that breaks many examples it ran into the time limit. The profile is the suite's
"ci" one (tests/conftest.py) without the shrink phase, loaded once collection is done.

Loaded by pyproject.toml's `[tool.mutmut] pytest_add_cli_args` (`-p tests.mutation_plugin`).
"""

import importlib
import inspect
import pkgutil

import pytest
from hypothesis import Phase, settings


def restore_constructor_signatures(package_name: str = "course_utils") -> int:
    """Give each wrapped `__init__` of the package's classes its original signature.

    Returns how many it changed.
    """
    package = importlib.import_module(package_name)
    names = [package_name] + [
        info.name for info in pkgutil.walk_packages(package.__path__, package_name + ".")
    ]
    count = 0
    for name in names:
        for value in vars(importlib.import_module(name)).values():
            init = vars(value).get("__init__") if inspect.isclass(value) else None
            if inspect.isfunction(init) and hasattr(init, "__wrapped__"):
                init.__signature__ = inspect.signature(init.__wrapped__)
                count += 1
    return count


def pytest_configure(config):
    restore_constructor_signatures()


def pytest_collection_finish(session):
    settings.register_profile(
        "mutants",
        parent=settings.get_profile("ci"),
        phases=[Phase.explicit, Phase.reuse, Phase.generate],
    )
    settings.load_profile("mutants")


@pytest.hookimpl(wrapper=True)
def pytest_collection(session):
    try:
        return (yield)
    except pytest.UsageError:
        if session.testsfailed:  # a module failed to import: its tests fail
            raise session.Failed("a test module failed to import") from None
        raise
