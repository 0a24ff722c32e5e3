"""The package's docstring names every module of course_utils, so a reader can find each."""

import pkgutil
import re

import course_utils


def test_the_package_docstring_names_every_module():
    modules = {module.name for module in pkgutil.iter_modules(course_utils.__path__)}
    named = set(re.findall(r"^- `(\w+)`:", course_utils.__doc__, flags=re.MULTILINE))
    assert modules, "no modules found"
    assert sorted(modules - named) == [], "modules the docstring does not name"
    assert sorted(named - modules) == [], "names in the docstring that are not modules"
