"""Secondary suppression on one year's cells: the tree of groups (``total = Σ children``) and the
dynamic programme that finds the smallest secret sum derivable under each shown total.

The rules it enforces (conditions A and B) and why they protect every secret cell are stated in
:mod:`planning.suppression`, which builds the tree from a table and writes the result back.
"""

from __future__ import annotations

import math
from collections.abc import Iterable


class GroupTree:
    """The cells of one year as a tree of groups; runs the secondary suppression on it."""

    def __init__(self, ids: list[str], num: list[float], den: list[float], rate: bool) -> None:
        self.ids, self.num, self.den, self.rate = ids, num, den, rate
        n = len(ids)
        self.children: list[list[int]] = [[] for _ in range(n)]
        self.depth = [0] * n
        self.hidden = [False] * n
        self.fixed = [False] * n

    def key(self, i: int) -> tuple[bool, float, float, str]:
        # Zeros last: hiding a 0 adds nothing to a secret sum, so it never protects anything.
        return (self.num[i] <= 0, self.num[i], self.den[i] if self.rate else 0.0, self.ids[i])

    def groups_top_down(self) -> list[int]:
        inner = [i for i in range(len(self.ids)) if self.children[i]]
        return sorted(inner, key=lambda i: (self.depth[i], self.ids[i]))

    def run(self, min_count: float, min_denominator: float) -> None:
        """Hide cells until conditions A and B hold (see :mod:`planning.suppression`)."""
        checks: list[tuple[list[float], float]] = [(self.num, float(min_count))]
        if self.rate:
            checks.append((self.den, float(min_denominator)))
        while self._lone_secrets() or self._small_sums(checks):
            pass

    def _hide_smallest(self, cells: Iterable[int]) -> bool:
        candidates = [c for c in cells if not self.hidden[c] and not self.fixed[c]]
        if not candidates:
            return False
        self.hidden[min(candidates, key=self.key)] = True
        return True

    def _lone_secrets(self) -> bool:
        """Condition A, top-down so that a secret total passes its need on to its children."""
        changed = False
        for g in self.groups_top_down():
            members = [g, *self.children[g]]
            if sum(self.hidden[m] for m in members) == 1:
                changed |= self._hide_smallest(self.children[g]) or self._hide_smallest([g])
        return changed

    def _small_sums(self, checks: list[tuple[list[float], float]]) -> bool:
        """Condition B: fix the deepest shown total under which a derivable secret sum is too small."""
        for values, threshold in checks:
            best = self._min_secret_sums(values)
            for t in reversed(self.groups_top_down()):
                if self.hidden[t] or best.expand_min[t] >= threshold:
                    continue
                frontier = best.frontier(t)
                if self._hide_smallest(frontier) or self._hide_smallest([t]):
                    return True
        return False

    def _min_secret_sums(self, values: list[float]) -> MinSums:
        s = MinSums(self, values)
        for v in sorted(range(len(self.ids)), key=lambda i: -self.depth[i]):
            s.visit(v)
        return s


class MinSums:
    """Dynamic programme: smallest non-empty sum of secret cells derivable below each total.

    A *frontier* below a total ``t`` is what remains after expanding ``t`` into its children and
    optionally expanding children further; ``t`` minus the shown frontier cells equals the sum of
    the secret frontier cells. ``expand_min[t]`` is the smallest such sum over non-empty secret
    frontiers (infinite if there is none).
    """

    def __init__(self, tree: GroupTree, values: list[float]) -> None:
        n = len(tree.ids)
        self.tree, self.values = tree, values
        self.can_empty = [False] * n  # some choice for this cell yields no secret cell
        self.min_ne = [math.inf] * n  # smallest non-empty secret sum for this cell
        self.stop_best = [False] * n  # that minimum is the cell itself (not its expansion)
        self.expand_empty = [False] * n
        self.expand_min = [math.inf] * n
        self.expand_pick = [-1] * n

    def visit(self, v: int) -> None:
        t = self.tree
        kids = t.children[v]
        if kids:
            base, delta, pick = 0.0, math.inf, -1
            for c in kids:
                contrib = 0.0 if self.can_empty[c] else self.min_ne[c]
                base += contrib
                if self.min_ne[c] - contrib < delta:
                    delta, pick = self.min_ne[c] - contrib, c
            self.expand_empty[v] = all(self.can_empty[c] for c in kids)
            self.expand_min[v] = base + delta if pick >= 0 else math.inf
            self.expand_pick[v] = pick
        stop = self.values[v] if t.hidden[v] else math.inf
        self.min_ne[v] = min(stop, self.expand_min[v])
        self.stop_best[v] = t.hidden[v] and stop <= self.expand_min[v]
        self.can_empty[v] = not t.hidden[v] or (bool(kids) and self.expand_empty[v])

    def frontier(self, v: int) -> list[int]:
        """The cells (secret and shown) of the frontier that attains ``expand_min[v]``."""
        out: list[int] = []
        for c in self.tree.children[v]:
            if c == self.expand_pick[v] or not self.can_empty[c]:
                out += [c] if self.stop_best[c] else self.frontier(c)
            else:
                out += self._empty(c)
        return out

    def _empty(self, c: int) -> list[int]:
        if not self.tree.hidden[c]:
            return [c]
        return [x for k in self.tree.children[c] for x in self._empty(k)]
