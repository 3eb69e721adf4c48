"""The documentation: its examples run, and its pages agree with the code.

Every block fenced as `python` in README.md and in docs/ runs, through
mktestdocs: the blocks of one page in order, in one namespace, in a fresh
temporary folder (so nothing is written into the repository). A page whose
examples do not train `runs/first` themselves finds there the run that the
library guide's first block trains, trained once per test process. Blocks that
cannot run here (a server, a GPU, a reader's own files) are fenced as `text`.

The other tests keep the pages honest: the README stays short, every page is
in the site's navigation, every module path a page names exists, and the
examples use only the public names of `import mnist_keras as mk`.
"""

import ast
import re
import shutil
from pathlib import Path

import pytest

import mnist_keras

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
README = ROOT / "README.md"
PAGES = sorted(DOCS.rglob("*.md"))
MAX_README_LINES = 250

FENCE = re.compile(r"^\s*```\s*([\w-]*)\s*$")
# The library guide's first block trains this run; other pages read it.
FIRST_RUN = 'run_dir="runs/first"'


def _name(path):
    return path.relative_to(ROOT).as_posix()


def _fenced_blocks(text):
    """The (language, code) of each fenced block, by lines that open and close fences."""
    blocks, language, lines = [], None, []
    for line in text.splitlines():
        match = FENCE.match(line)
        if language is None and match:
            language, lines = match.group(1), []
        elif language is not None and line.strip().startswith("```"):
            blocks.append((language, "\n".join(lines)))
            language = None
        elif language is not None:
            lines.append(line)
    return blocks


def _python_blocks(path):
    return [code for language, code in _fenced_blocks(path.read_text(encoding="utf-8"))
            if language == "python"]


EXAMPLE_PAGES = [path for path in [README, *PAGES] if _python_blocks(path)]


def _mktestdocs():
    try:
        import mktestdocs
    except ImportError:
        pytest.fail("The documentation's examples run with mktestdocs: "
                    "pip install -e '.[test]' (or pip install 'mktestdocs>=0.2.5,<0.3')")
    return mktestdocs


@pytest.fixture(scope="session")
def first_run(tmp_path_factory):
    """The run the library guide's first block trains, trained once, in a temporary folder."""
    first_block = _python_blocks(DOCS / "guides" / "library.md")[0]
    assert FIRST_RUN in first_block, "the library guide's first block trains runs/first"
    folder = tmp_path_factory.mktemp("docs-first-run")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)
        exec(compile(first_block, "docs/guides/library.md", "exec"), {"__name__": "__main__"})
    return folder / "runs" / "first"


@pytest.mark.integration  # the examples train on a real MNIST subset
@pytest.mark.parametrize("page", EXAMPLE_PAGES, ids=_name)
def test_python_examples_run(page, tmp_path, monkeypatch, request):
    mktestdocs = _mktestdocs()
    text = page.read_text(encoding="utf-8")
    # mktestdocs toggles a block on any line holding three backticks: both readings must agree.
    assert len(mktestdocs.grab_code_blocks(text, lang="python")) == len(_python_blocks(page)), (
        f"{_name(page)}: a line with three backticks inside a block (or a fence that does "
        "not start its line) hides examples from the runner")
    monkeypatch.chdir(tmp_path)
    if FIRST_RUN not in text:
        shutil.copytree(request.getfixturevalue("first_run"), tmp_path / "runs" / "first")
    mktestdocs.check_md_file(page, memory=True)


def test_examples_use_only_public_top_level_names():
    public = set(mnist_keras.__all__)
    for page in [README, *PAGES]:
        for code in _python_blocks(page):
            used = set(re.findall(r"\bmk\.(\w+)", code))
            assert used <= public, (
                f"{_name(page)}: {sorted(used - public)} are not among mnist_keras' public "
                "names: import them from their subpackage (from mnist_keras.runs import ...)")


def test_readme_is_short():
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= MAX_README_LINES, (
        f"README.md has {len(lines)} lines (at most {MAX_README_LINES}): move the detail into "
        "a page in docs/ and link it")


def test_readme_links_point_at_files():
    text = README.read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
        if "://" not in target:
            assert (ROOT / target).exists(), f"README.md links to {target}, which does not exist"


def _nav_pages(entry):
    if isinstance(entry, str):
        yield entry
    elif isinstance(entry, list):
        for item in entry:
            yield from _nav_pages(item)
    elif isinstance(entry, dict):
        for value in entry.values():
            yield from _nav_pages(value)


def test_every_page_is_in_the_navigation():
    try:
        import yaml
    except ImportError:
        pytest.fail("Reading mkdocs.yml needs PyYAML: pip install pyyaml")
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    in_nav = set(_nav_pages(config["nav"]))
    on_disk = {page.relative_to(DOCS).as_posix() for page in PAGES}
    assert on_disk - in_nav == set(), f"pages missing from mkdocs.yml's nav: {on_disk - in_nav}"
    assert in_nav - on_disk == set(), f"mkdocs.yml's nav names missing pages: {in_nav - on_disk}"


ROOTS = ("mnist_keras", "dashboard", "web_export", "tests", "benchmarks")
SLASHED = re.compile(rf"^(?:{'|'.join(ROOTS)})/[\w./-]*$")
DOTTED = re.compile(r"^(?:mnist_keras|dashboard|web_export)(?:\.\w+)+$")


def _entry_point_groups():
    # Entry-point groups (`mnist_keras.commands`) read like module names but are not.
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    return set(re.findall(r'^\[project\.entry-points\."([^"]+)"\]', text, re.MULTILINE))


def _module_file(parts):
    base = ROOT.joinpath(*parts)
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _defines(module_file, name):
    """Whether a module defines `name` at its top level (or exports it lazily by name)."""
    source = module_file.read_text(encoding="utf-8")
    tree = ast.parse(source)
    defined = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            defined.add(node.name)
        elif isinstance(node, ast.Assign):
            defined.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            defined.add(node.target.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            defined.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
    if name in defined:
        return True
    # A package whose names are imported on first use lists them as strings.
    return "__getattr__" in source and f'"{name}"' in source


def _missing(span):
    """Why a path or dotted module name a page shows does not exist, or None."""
    if SLASHED.match(span):
        return None if (ROOT / span).exists() else "no such file or folder"
    parts = span.split(".")
    for end in range(len(parts), 0, -1):
        module = _module_file(parts[:end])
        if module is not None:
            rest = parts[end:]
            if not rest or _defines(module, rest[0]):
                return None
            return f"{'.'.join(parts[:end])} defines no {rest[0]!r}"
    return "no such module"


def _code_spans(text):
    """Inline code spans and the words of fenced text blocks (trees, listings)."""
    spans = re.findall(r"`([^`\n]+)`", text)
    for language, code in _fenced_blocks(text):
        if language in ("text", ""):
            spans += code.split()
    return spans


@pytest.mark.parametrize("page", [README, *PAGES], ids=_name)
def test_module_paths_exist(page):
    groups = _entry_point_groups()
    problems = []
    for span in _code_spans(page.read_text(encoding="utf-8")):
        span = span.strip()
        if span in groups or not (SLASHED.match(span) or DOTTED.match(span)):
            continue
        why = _missing(span)
        if why:
            problems.append(f"{span}: {why}")
    assert not problems, f"{_name(page)} names paths the code does not have: {problems}"


def test_the_architecture_page_names_every_library_module():
    """The library's and the exporter's map is complete: each of their modules is on it."""
    text = (DOCS / "architecture.md").read_text(encoding="utf-8")
    missing = []
    for package in ("mnist_keras", "web_export"):
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            package_file = path.name in ("__init__.py", "__main__.py")
            if package_file and relative != "mnist_keras/__init__.py":
                continue
            if relative not in text:
                missing.append(relative)
    assert not missing, f"docs/architecture.md does not name these modules: {missing}"
