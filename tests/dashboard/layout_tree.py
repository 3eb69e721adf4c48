"""Walking a Dash layout without a browser."""


def walk(node):
    """Every component under `node`, `node` first, depth first."""
    yield node
    children = getattr(node, "children", None)
    if isinstance(children, (list, tuple)):
        for child in children:
            yield from walk(child)
    elif children is not None and hasattr(children, "to_plotly_json"):
        yield from walk(children)
