"""Shows the docstrings on the site as they read in the source.

A Griffe extension (mkdocs.yml loads it for mkdocstrings' Python handler); it
changes what the site renders, never the docstrings themselves. Two things
Markdown would otherwise misread:

- Indentation. Python's own cleaning (`inspect.cleandoc`) removes the smallest
  indentation of the lines after the first, so a module docstring whose only
  other line is an indented command (`    python -m mnist_keras.cli train ...`)
  loses the indentation that makes it a code block. Here each docstring is
  dedented by the column of its opening quotes instead, as it was written.
- Doctests. The examples are doctests under a bare `Example:` line, Keras'
  way, and Markdown reads `>>>` as nested block quotes. Each run of doctest
  lines at the start of a line (from a `>>>` line to the next blank line) is
  fenced as `pycon`, the Python console's highlighting. Doctests indented
  under a section title are left to Griffe, which reads those itself.
"""

import ast

import griffe

FENCE = "`" * 3
DEFINITIONS = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)


def written_docstring(node):
    """The docstring of `node` dedented by its opening quotes' column, or None."""
    body = getattr(node, "body", None)
    if not body or not isinstance(body[0], ast.Expr):
        return None
    constant = body[0].value
    if not isinstance(constant, ast.Constant) or not isinstance(constant.value, str):
        return None
    column = body[0].col_offset
    first, *rest = constant.value.expandtabs().split("\n")
    lines = [first.strip()]
    for line in rest:
        lines.append(line[column:] if not line[:column].strip() else line.lstrip())
    lines = [line.rstrip() for line in lines]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines)


def fence_doctests(text):
    """Returns `text` with each run of doctest lines at the start of a line fenced as `pycon`."""
    lines = text.split("\n")
    out, index, in_fence = [], 0, False
    while index < len(lines):
        line = lines[index]
        if line.lstrip().startswith(FENCE):
            in_fence = not in_fence
        if in_fence or not line.startswith(">>>"):
            out.append(line)
            index += 1
            continue
        if out and out[-1].strip():
            out.append("")
        out.append(f"{FENCE}pycon")
        while index < len(lines) and lines[index].strip():
            out.append(lines[index])
            index += 1
        out.append(FENCE)
    return "\n".join(out)


class ProjectDocstrings(griffe.Extension):
    """Keeps each docstring's own indentation and fences its doctests."""

    def on_instance(self, *, node, obj, **kwargs):
        if obj.docstring is None:
            return
        if isinstance(node, DEFINITIONS):
            written = written_docstring(node)
            if written:
                obj.docstring.value = written
        if ">>>" in obj.docstring.value:
            obj.docstring.value = fence_doctests(obj.docstring.value)
