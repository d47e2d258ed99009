"""Make transformers log like the rest of newsbot, without progress bars.

transformers prints a "Loading weights: 100%|███|" bar to stderr every time a
model loads (newsbot loads from local files only, so there is nothing for a
person to wait on), and logs through its own stderr handler that ignores
newsbot's log format (JSON included). :func:`quiet` turns the bar off and
sends transformers' records to newsbot's root handler instead. Only
``bot/summarize`` imports transformers, so the call lives here.
"""

from __future__ import annotations

import threading

_done = False
_lock = threading.Lock()


def quiet() -> None:
    """No progress bars; transformers' log records propagate to the root logger
    (idempotent, called before each model load)."""
    global _done
    with _lock:
        if _done:
            return
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        hf_logging.disable_default_handler()
        hf_logging.enable_propagation()
        _done = True


__all__ = ["quiet"]
