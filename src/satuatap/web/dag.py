"""Layout of a case's journey as a DAG: one column per dependency depth, drawn as an SVG by the case page.

Pure functions over (code, prerequisites, sort order), so the drawing follows the process definition the
case is pinned to and needs no knowledge of any particular scheme.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

COL_WIDTH = 156
ROW_HEIGHT = 88
NODE_WIDTH = 132
NODE_HEIGHT = 72
MARGIN = 6


@dataclass
class DagNode:
    code: str
    prerequisites: tuple[str, ...]
    depth: int = 0
    row: int = 0
    item: object = None  # whatever the caller wants to draw in the node (the step)

    @property
    def x(self) -> int:
        return MARGIN + self.depth * COL_WIDTH

    @property
    def y(self) -> int:
        return MARGIN + self.row * ROW_HEIGHT

    @property
    def cx(self) -> int:
        return self.x + NODE_WIDTH // 2


@dataclass
class DagEdge:
    source: DagNode
    target: DagNode

    @property
    def path(self) -> str:
        """A cubic curve from the right side of the prerequisite to the left side of the dependent step."""
        x1, y1 = self.source.x + NODE_WIDTH, self.source.y + NODE_HEIGHT // 2
        x2, y2 = self.target.x, self.target.y + NODE_HEIGHT // 2
        bend = (x2 - x1) // 2
        return f"M{x1},{y1} C{x1 + bend},{y1} {x2 - bend},{y2} {x2},{y2}"


@dataclass
class DagLayout:
    nodes: list[DagNode] = field(default_factory=list)
    edges: list[DagEdge] = field(default_factory=list)
    columns: int = 0
    rows: int = 0

    @property
    def width(self) -> int:
        return 2 * MARGIN + max(self.columns - 1, 0) * COL_WIDTH + NODE_WIDTH

    @property
    def height(self) -> int:
        return 2 * MARGIN + max(self.rows - 1, 0) * ROW_HEIGHT + NODE_HEIGHT


def depths(prerequisites: dict[str, Iterable[str]]) -> dict[str, int]:
    """Longest path from a root to each step: 0 for steps without prerequisites (unknown codes ignored).

    A cycle would be a broken process definition; its steps are put at the depth reached so far rather than
    looping forever.
    """
    known = {code: [p for p in prereqs if p in prerequisites] for code, prereqs in prerequisites.items()}
    result: dict[str, int] = {}
    visiting: set[str] = set()

    def visit(code: str) -> int:
        if code in result:
            return result[code]
        if code in visiting:
            return 0
        visiting.add(code)
        depth = 1 + max((visit(p) for p in known[code]), default=-1)
        visiting.discard(code)
        result[code] = depth
        return depth

    for code in known:
        visit(code)
    return result


def layout(items: Iterable[tuple[str, Iterable[str], object]]) -> DagLayout:
    """Place (code, prerequisites, item) triples given in display order: column = depth, row = order within it."""
    entries = [(code, tuple(prereqs), item) for code, prereqs, item in items]
    depth_of = depths({code: prereqs for code, prereqs, _ in entries})
    nodes: dict[str, DagNode] = {}
    rows_used: dict[int, int] = {}
    for code, prereqs, item in entries:
        depth = depth_of[code]
        node = DagNode(code=code, prerequisites=prereqs, depth=depth, row=rows_used.get(depth, 0), item=item)
        rows_used[depth] = node.row + 1
        nodes[code] = node
    edges = [
        DagEdge(source=nodes[p], target=node) for node in nodes.values() for p in node.prerequisites if p in nodes
    ]
    return DagLayout(
        nodes=list(nodes.values()),
        edges=edges,
        columns=(max(rows_used) + 1) if rows_used else 0,
        rows=max(rows_used.values(), default=0),
    )
