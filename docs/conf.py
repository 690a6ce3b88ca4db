"""Sphinx configuration of the compression-theory documentation (``make docs``).

The site is built offline from the repository: the API reference comes from the numpydoc
docstrings, the example gallery runs ``examples/*.py`` (each a few seconds on a CPU).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("MPLBACKEND", "Agg")

import theory  # noqa: E402

project = "compression-theory"
author = "compression-theory developers"
copyright = "2026, compression-theory developers"
release = version = theory.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

autosummary_generate = True
autodoc_default_options = {"members": False}
autodoc_typehints = "none"          # numpydoc's Parameters sections carry the types
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_validation_checks: set[str] = set()
numpydoc_xref_param_type = False

sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "download_all_examples": False,
    "within_subsection_order": "FileNameSortKey",
    "remove_config_comments": True,
    "abort_on_example_error": True,
    "matplotlib_animations": False,
    "show_memory": False,
}

templates_path = []
exclude_patterns = ["_build", "auto_examples/*.ipynb", "auto_examples/*.py", "auto_examples/*.zip"]
html_theme = "pydata_sphinx_theme"
html_title = f"compression-theory {release}"
html_theme_options = {"show_toc_level": 2, "navigation_with_keys": False, "use_edit_page_button": False}
html_static_path: list[str] = []
suppress_warnings = ["config.cache"]
nitpicky = False

# --- the API reference: one section per public module, every name of its ``__all__`` -----------
API_MODULES = [
    ("Information theory and bounds", ["theory.information", "theory.bounds", "theory.rate_distortion",
                                       "theory.symbolic", "theory.cmi"]),
    ("Compression", ["theory.quantization", "theory.curvature", "theory.spectral", "theory.coresets"]),
    ("Kernels, bottleneck and shift", ["theory.kernels", "theory.bottleneck", "theory.shift"]),
    ("Claims", ["theory.claims"]),
    ("Testbeds", ["theory.testbeds.linear", "theory.testbeds.gaussian_mean", "theory.testbeds.nets",
                  "theory.testbeds.data", "theory.testbeds.sphere", "theory.testbeds.pde",
                  "theory.testbeds.surrogates", "theory.testbeds.configs", "theory.testbeds.protocols"]),
]


def _write_api(path: Path) -> None:
    import importlib

    lines = ["API reference", "=============", "",
             "Every public name of every module, generated from its ``__all__``.", ""]
    for title, modules in API_MODULES:
        lines += [title, "-" * len(title), ""]
        for name in modules:
            mod = importlib.import_module(name)
            first = (mod.__doc__ or "").strip().splitlines()[0] if mod.__doc__ else ""
            lines += [f":mod:`{name}`", "~" * (len(name) + 7), "", f".. module:: {name}", "",
                      first, "", ".. autosummary::", "   :toctree: generated", "   :nosignatures:", ""]
            lines += [f"   {n}" for n in sorted(mod.__all__)]
            lines.append("")
    text = "\n".join(lines) + "\n"
    if not path.exists() or path.read_text() != text:
        path.write_text(text)


_write_api(Path(__file__).resolve().parent / "api.rst")
