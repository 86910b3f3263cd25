"""The examples in the package's docstrings run and print what they show."""

import doctest
import importlib
import pkgutil

import pytest

import spincaloric

MODULES = sorted(m.name for m in pkgutil.walk_packages(spincaloric.__path__, "spincaloric.")
                 if not m.name.endswith("__main__"))  # __main__ would start the CLI


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
                             report=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"
