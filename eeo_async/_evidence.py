"""The evidence of adaptive concurrency: busy shares by requests in flight, and its tests.

Each call of an adaptive job is noted at its level (the requests in flight when it was
sent) with its busy share (1 refused whole, the share of busy items, 0 none). Load shows
as a busy share that rises with the level (a capacity: none below it, many above);
noise as the same share at every level (a server answering a share of calls 114 at
random). :meth:`Evidence.verdict` and :meth:`Evidence.trial` tell them apart with a
two-proportion test, and say when the calls are too few to tell.
"""

from __future__ import annotations

import math
from typing import Final

#: A busy answer at a level is load when the calls sent at that level were busy more
#: often than those sent at the level a decrease would go to or fewer, by this many
#: standard errors of the difference (a two-proportion test) ...
NOISE_Z: Final = 3.0
#: ... and by at least this share of calls: busy answers that do not grow with the load
#: (a random 114 at a fixed rate) are the server's noise, and lowering the limit would
#: only slow the job.
MIN_RISE: Final = 0.05
#: Fewer calls than this at the level, or at the lower levels, is no evidence either
#: way: the limit is lowered as a trial (which gathers evidence at the lower level),
#: undone when the evidence says noise.
MIN_EVIDENCE: Final = 8
#: Busy answers are called noise only when the evidence could have shown a rise of this
#: share (``NOISE_Z`` standard errors of the difference); with less, a trial.
RESOLUTION: Final = 0.15
#: When at least this share of the calls between the level a decrease would go to and
#: the busy call's level was busy, it is load whatever the lower levels say: a server
#: refusing most calls is eased off.
LOAD_SHARE: Final = 0.5
#: Calls remembered per in-flight level: past it, the level's counts are halved, so
#: the evidence follows a server whose capacity changes.
LEVEL_MEMORY: Final = 256
#: The verdicts on busy answers (:meth:`AdaptiveLimit.verdict`).
NOISE, UNSURE, LOAD = 0, 1, 2


class Evidence:
    """Calls and their busy shares by level (``LEVEL_MEMORY`` calls a level at most)."""

    def __init__(self) -> None:
        self.calls: list[float] = [0.0]
        self.busy: list[float] = [0.0]

    def note(self, level: int, busy: float) -> None:
        """Count a call sent at ``level`` in flight, with its busy share."""
        calls, shares = self.calls, self.busy
        if level >= len(calls):
            grow = [0.0] * (level + 1 - len(calls))
            calls.extend(grow)
            shares.extend(grow)
        calls[level] += 1.0
        shares[level] += busy
        if calls[level] > LEVEL_MEMORY:
            calls[level] /= 2
            shares[level] /= 2

    def verdict(self, level: int, lower: int) -> int:
        """What busy answers at ``level`` in flight say: ``LOAD``, ``UNSURE`` or ``NOISE``.

        ``lower`` is the level a decrease would go to. ``LOAD`` when most calls from
        ``lower`` to ``level`` were busy, or when the calls sent at ``level`` were busy
        more often than those sent below ``lower`` (not compared with the levels in
        between, which a server just over its capacity refuses too, nor with those
        above). ``UNSURE`` when there are too few calls at ``level`` or below ``lower``
        (``MIN_EVIDENCE``), or too few to have shown a rise of ``RESOLUTION``. ``NOISE``
        otherwise.
        """
        calls, shares = self.calls, self.busy
        if level >= len(calls):
            return UNSURE
        band_calls = sum(calls[lower : level + 1])
        if band_calls > 0 and sum(shares[lower : level + 1]) >= LOAD_SHARE * band_calls:
            return LOAD if band_calls >= MIN_EVIDENCE else UNSURE
        low_calls = sum(calls[1:lower])
        if low_calls < MIN_EVIDENCE or calls[level] < MIN_EVIDENCE:
            return UNSURE
        return compare(shares[level], calls[level], sum(shares[1:lower]), low_calls)

    def trial(self, level: int, top: int) -> int:
        """A trial decrease from ``top`` judged at ``level``: ``LOAD``, ``UNSURE`` or ``NOISE``.

        ``LOAD`` when the calls sent above ``level``, up to ``top``, were busy more often
        than those sent at ``level`` (the decrease helped); ``NOISE`` when they were not,
        and the evidence could have shown it (``RESOLUTION``); ``UNSURE`` otherwise.
        """
        calls, shares = self.calls, self.busy
        if level >= len(calls):
            return UNSURE
        top = min(top, len(calls) - 1)
        above_calls, here_calls = sum(calls[level + 1 : top + 1]), calls[level]
        if above_calls < MIN_EVIDENCE or here_calls < MIN_EVIDENCE:
            return UNSURE
        above_busy, here_busy = sum(shares[level + 1 : top + 1]), shares[level]
        return compare(above_busy, above_calls, here_busy, here_calls)


def compare(high_busy: float, high_calls: float, low_busy: float, low_calls: float) -> int:
    """``LOAD`` if the high group was busy more often than the low one (two proportions).

    ``NOISE`` when it was not, and the evidence could have shown a rise of
    ``RESOLUTION``; ``UNSURE`` when it could not (too few calls).
    """
    high, low = high_busy / high_calls, low_busy / low_calls
    pooled = (low_busy + high_busy) / (low_calls + high_calls)
    spread = math.sqrt(pooled * (1.0 - pooled) * (1.0 / low_calls + 1.0 / high_calls))
    if high - low > max(NOISE_Z * spread, MIN_RISE):
        return LOAD
    return NOISE if NOISE_Z * spread <= RESOLUTION else UNSURE
